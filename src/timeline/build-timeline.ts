/**
 * The timeline stage: merge the captures per series, split them into process lifetimes, place
 * untimed trace lines, align RSS to every MemStats snapshot, and find the gaps in each series.
 * Pure: Captures in, Timeline out.
 */
import type { Captures, GcEvent, RssKind, RssSeries, Stamped } from "../model/capture.js";
import type {
  AlignedPoint,
  Alignment,
  DataGap,
  ProcessLifetime,
  RssTrack,
  Timeline,
} from "../model/timeline.js";
import { buildRssTrack, rssKindsOf } from "./rss-tracks.js";
import { lowerBound, upperBound } from "../common/collections.js";
import { rssTrackPid } from "../common/rss-series.js";
import { detectRestarts } from "./restarts.js";
import { medianCadenceMs } from "../common/cadence.js";
import { anchorTraces, statedProcessStarts } from "./anchor-traces.js";

/** Sources that measure the process's own resident set, in order of preference on equal density. */
const TRUE_RSS_KINDS: RssKind[] = [
  "vmrss",
  "smaps",
  "prometheus",
  "pprofplus",
  "ps",
  "pidstat",
  "top",
  "csv",
];

/**
 * A gap is a span with no sample longer than this many median cadences: capture loops slip by a
 * second or two (a slow curl, a skipped `sleep`), so only a silence several cadences long means the
 * capture itself stopped.
 */
const GAP_CADENCES = 5;

/**
 * RSS is aligned to a snapshot when a sample lies within this many RSS cadences of it: both loops
 * run at their own pace, and file-name stamps have one-second resolution, so anything within one and
 * a half cadences (and at least 1.5 s) is the same instant for memory that moves at GC pace.
 */
const ALIGN_CADENCES = 1.5;
const MIN_ALIGN_TOLERANCE_MS = 1500;

/** A stated process start may lie this far after the first sample (ps etime rounds to seconds). */
const KNOWN_START_SLACK_MS = 2000;

function byTime<T extends { t: number | null; src: { path: string; line?: number } }>(a: T, b: T): number {
  return (
    (a.t ?? 0) - (b.t ?? 0) ||
    (a.src.path < b.src.path ? -1 : a.src.path > b.src.path ? 1 : 0) ||
    (a.src.line ?? 0) - (b.src.line ?? 0)
  );
}

function chooseRssKind(rss: readonly RssSeries[]): RssKind | null {
  const counts = new Map<RssKind, number>();
  for (const s of rss)
    if (TRUE_RSS_KINDS.includes(s.kind)) counts.set(s.kind, (counts.get(s.kind) ?? 0) + s.t.length);
  let best: RssKind | null = null;
  let bestCount = 0;
  for (const kind of TRUE_RSS_KINDS) {
    const n = counts.get(kind) ?? 0;
    if (n > bestCount) [best, bestCount] = [kind, n];
  }
  return best;
}

function lifetimeAt(boundaries: number[], t: number): number {
  let i = 0;
  while (i < boundaries.length && t >= boundaries[i]!) i++;
  return i;
}

/**
 * The value of a track at `t`: the nearest sample within `tolerance` in the same lifetime, or a
 * linear interpolation between the samples either side when both are within two tolerances. A NaN
 * value is a sample without the figure.
 */
function valueAt(
  track: RssTrack,
  values: number[],
  lifetime: number,
  t: number,
  tolerance: number,
): { value: number; method: "nearest" | "interpolated"; distance: number } | null {
  const times = track.t;
  const i = upperBound(times, t) - 1;
  const hasBefore = i >= 0 && track.lifetime[i] === lifetime;
  const hasAfter = i + 1 < times.length && track.lifetime[i + 1] === lifetime;
  const vb = hasBefore && !Number.isNaN(values[i]!) ? values[i]! : undefined;
  const va = hasAfter && !Number.isNaN(values[i + 1]!) ? values[i + 1]! : undefined;
  const tb = hasBefore ? times[i]! : -Infinity;
  const ta = hasAfter ? times[i + 1]! : Infinity;
  const db = t - tb;
  const da = ta - t;
  if (vb !== undefined && db <= tolerance && (db <= da || va === undefined))
    return { value: vb, method: "nearest", distance: db };
  if (va !== undefined && da <= tolerance) return { value: va, method: "nearest", distance: da };
  if (vb !== undefined && va !== undefined && db <= 2 * tolerance && da <= 2 * tolerance) {
    const f = (t - tb) / (ta - tb);
    return { value: Math.round(vb + f * (va - vb)), method: "interpolated", distance: ta - tb };
  }
  return null;
}

/** The gaps of one series' sorted times; `knownCadence` when the caller has computed it already. */
function gapsOf(series: string, times: ArrayLike<number>, knownCadence?: number | null): DataGap[] {
  if (times.length < 3) return [];
  const cadence = knownCadence === undefined ? medianCadenceMs(times) : knownCadence;
  if (cadence === null) return [];
  const limit = GAP_CADENCES * cadence;
  const gaps: DataGap[] = [];
  for (let i = 1; i < times.length; i++) {
    const a = times[i - 1]!;
    const b = times[i]!;
    if (b - a > limit) gaps.push({ series, start: a, end: b, cadenceMs: cadence });
  }
  return gaps;
}

export function buildTimeline(captures: Captures): Timeline {
  const memstats = [...captures.memstats].sort(byTime);
  const rssKind = chooseRssKind(captures.rss);
  // One sorted track per kind: the chosen kind is the process RSS; every kind votes on restarts.
  const tracks = new Map<RssKind, RssTrack>();
  for (const kind of rssKindsOf(captures.rss)) tracks.set(kind, buildRssTrack(captures.rss, kind));
  const rss = (rssKind && tracks.get(rssKind)) || buildRssTrack([], null);
  const lazyFree = buildRssTrack(captures.rss, "smaps", (s, i) => {
    const v = s.lazyFreeBytes?.[i];
    return v !== undefined && !Number.isNaN(v);
  });
  const gc = captures.gc.map((e) => ({ ...e }));
  const scav = captures.scav.map((e) => ({ ...e }));
  const timedSpan = minMaxOfTimes([memstats], [rss.t]);
  const { unplaced: unplacedTraceLines, anchors: traceAnchors } = anchorTraces(
    gc,
    scav,
    captures,
    memstats,
    timedSpan[0] === undefined ? null : { start: timedSpan[0], end: timedSpan[1]! },
  );
  const gcTimed = gc.filter((e): e is GcEvent & { t: number } => e.t !== null).sort(byTime);
  const scavTimed = scav.filter((e) => e.t !== null).sort(byTime);
  const goroutines = [...captures.goroutines].sort(byTime);
  const heapProfiles = [...captures.heapProfiles].sort(byTime);

  const { restarts, boundaries } = detectRestarts({
    memstats,
    rss: [...tracks.values()],
    gc: gcTimed,
    absences: captures.absences ?? [],
  });

  // The series are walked in place, never concatenated: a week of one-second RSS is 600k samples,
  // and every copy of it is megabytes of garbage.
  const sampled: Stamped[][] = [memstats, goroutines];
  const [minT, maxT] = minMaxOfTimes([...sampled, gcTimed], [rss.t]);

  const processes: ProcessLifetime[] = [];
  for (let i = 0; i <= boundaries.length; i++) {
    const lo = i === 0 ? -Infinity : boundaries[i - 1]!;
    const hi = i < boundaries.length ? boundaries[i]! : Infinity;
    const pids = new Map<number, number>();
    const countPid = (s: Stamped): void => {
      if (s.pid !== undefined) pids.set(s.pid, (pids.get(s.pid) ?? 0) + 1);
    };
    const countTrackPid = (track: RssTrack, k: number): void => {
      const pid = rssTrackPid(track, k);
      if (pid !== null) pids.set(pid, (pids.get(pid) ?? 0) + 1);
    };
    let s0 = Infinity;
    let s1 = -Infinity;
    let inLife = 0;
    const visit = (list: Stamped[]): void => {
      for (let k = 0; k < list.length; k++) {
        const s = list[k]!;
        if (s.t >= lo && s.t < hi) {
          inLife++;
          if (s.t < s0) s0 = s.t;
          if (s.t > s1) s1 = s.t;
          countPid(s);
        }
      }
    };
    // memstats, then RSS, then goroutines: the order PIDs are counted in breaks ties
    visit(memstats);
    for (let k = 0; k < rss.t.length; k++) {
      const t = rss.t[k]!;
      if (t >= lo && t < hi) {
        inLife++;
        if (t < s0) s0 = t;
        if (t > s1) s1 = t;
        countTrackPid(rss, k);
      }
    }
    visit(goroutines);
    for (let k = 0; k < gcTimed.length; k++) {
      const e = gcTimed[k]!;
      if (e.t >= lo && e.t < hi) {
        inLife++;
        if (e.t < s0) s0 = e.t;
        if (e.t > s1) s1 = e.t;
      }
    }
    if (inLife === 0) continue;
    // Any sample naming a PID counts, including RSS sources other than the one chosen for alignment.
    for (const [kind, track] of tracks) {
      if (kind === rssKind) continue;
      for (let k = 0; k < track.t.length; k++) {
        const t = track.t[k]!;
        if (t >= lo && t < hi) countTrackPid(track, k);
      }
    }
    let pid: number | null = null;
    let best = 0;
    for (const [p, n] of pids) if (n > best) [pid, best] = [p, n];
    processes.push({ index: processes.length, pid, start: s0, end: s1, knownStart: null as number | null });
  }
  // A stated process start belongs to the lifetime it precedes closely: after the previous lifetime's
  // last sample and no later than this lifetime's first.
  const stated = statedProcessStarts(captures);
  processes.forEach((p, i) => {
    const prevEnd = i > 0 ? processes[i - 1]!.end : -Infinity;
    const cands = stated.filter((s) => s.t > prevEnd && s.t <= p.start + KNOWN_START_SLACK_MS);
    if (cands.length) p.knownStart = cands[cands.length - 1]!.t;
  });

  fillLifetimes(rss, boundaries);
  fillLifetimes(lazyFree, boundaries);
  const rssCadence = medianCadenceMs(rss.t);
  const tolerance = Math.max(MIN_ALIGN_TOLERANCE_MS, Math.round((rssCadence ?? 1000) * ALIGN_CADENCES));
  const lazyCadence = medianCadenceMs(lazyFree.t);
  const lazyTolerance = Math.max(MIN_ALIGN_TOLERANCE_MS, Math.round((lazyCadence ?? 1000) * ALIGN_CADENCES));

  const goroutineTimes = timesOf(goroutines);
  const aligned: AlignedPoint[] = memstats.map((m) => {
    const lifetime = lifetimeAt(boundaries, m.t);
    const r = valueAt(rss, rss.rssBytes, lifetime, m.t, tolerance);
    const lf = lazyFree.lazyFreeBytes
      ? valueAt(lazyFree, lazyFree.lazyFreeBytes, lifetime, m.t, lazyTolerance)
      : null;
    let g: number | null = m.goroutines ?? null;
    if (g === null && goroutines.length > 0) {
      const i = upperBound(goroutineTimes, m.t) - 1;
      const cand = [goroutines[i], goroutines[i + 1]].filter((x) => x && Math.abs(x.t - m.t) <= tolerance);
      cand.sort((a, b) => Math.abs(a!.t - m.t) - Math.abs(b!.t - m.t));
      g = cand[0]?.count ?? null;
    }
    return {
      t: m.t,
      lifetime,
      memstats: m,
      rssBytes: r ? r.value : null,
      rssMethod: r ? r.method : null,
      lazyFreeBytes: lf ? lf.value : null,
      rssDistanceMs: r ? r.distance : null,
      goroutines: g,
    };
  });

  const alignment: Alignment = {
    rssKind,
    rssSources: [...new Set(rss.sources.map((src) => src.path))].sort(),
    toleranceMs: tolerance,
    method: `nearest ${rssKind ?? "RSS"} sample within ${tolerance} ms (${ALIGN_CADENCES} x the median RSS cadence of ${rssCadence ?? "?"} ms, at least ${MIN_ALIGN_TOLERANCE_MS} ms), else linear interpolation between the samples either side when both are within ${2 * tolerance} ms; never across a restart`,
    lazyFreeSource: lazyFree.t.length ? "smaps_rollup LazyFree" : null,
  };

  // Gaps per series and per lifetime: the silence around a restart is the restart, not a gap.
  const perLifetime = (series: string, items: ArrayLike<number>, wholeCadence?: number | null): DataGap[] => {
    // one lifetime: the series itself, and its cadence when known (a week of RSS is 600k times)
    if (boundaries.length === 0) return gapsOf(series, items, wholeCadence);
    const out: DataGap[] = [];
    for (let i = 0; i <= boundaries.length; i++) {
      const lo = i === 0 ? -Infinity : boundaries[i - 1]!;
      const hi = i < boundaries.length ? boundaries[i]! : Infinity;
      // typed and sized first: a week of one-second RSS is 600k times, and a typed array's storage
      // is freed by the next young collection, where a grown JS array waits for a full one
      let count = 0;
      for (let k = 0; k < items.length; k++) {
        const t = items[k]!;
        if (t >= lo && t < hi) count++;
      }
      const times = new Float64Array(count);
      for (let k = 0, j = 0; k < items.length; k++) {
        const t = items[k]!;
        if (t >= lo && t < hi) times[j++] = t;
      }
      out.push(...gapsOf(series, times));
    }
    return out;
  };
  const dataGaps: DataGap[] = [
    ...perLifetime("memstats", timesOf(memstats)),
    ...perLifetime(`rss (${rssKind ?? "none"})`, rss.t, rssCadence),
    ...perLifetime("smaps_rollup", lazyFree.t, lazyCadence),
    ...perLifetime("goroutines", timesOf(goroutines)),
    // gctrace is not a sampled series: GC runs at allocation pace (and at least every 2 minutes), so
    // silence there is an idle heap, not a capture gap.
  ].sort((a, b) => a.start - b.start || (a.series < b.series ? -1 : 1));

  return {
    start: minT ?? null,
    end: maxT ?? null,
    processes,
    restarts,
    dataGaps,
    memstats,
    rss,
    lazyFree,
    gc: gcTimed,
    scav: scavTimed,
    goroutines,
    heapProfiles,
    aligned,
    alignment,
    unplacedTraceLines,
    traceAnchors,
  };
}

/**
 * The lifetime of every sample of a sorted track (lifetimeAt of each): with the boundaries in
 * ascending order (restarts are found in time order) the samples between two boundaries are one run,
 * and each run's start is found by binary search instead of walking the boundaries per sample.
 */
function fillLifetimes(track: RssTrack, boundaries: number[]): void {
  const t = track.t;
  const sorted = boundaries.every((b, i) => i === 0 || boundaries[i - 1]! <= b);
  if (!sorted) {
    for (let k = 0; k < t.length; k++) track.lifetime[k] = lifetimeAt(boundaries, t[k]!);
    return;
  }
  let from = 0;
  for (let b = 0; b <= boundaries.length; b++) {
    // samples before boundary b (t < boundaries[b]) and at or after the previous one: lifetime b
    const to = b < boundaries.length ? lowerBound(t, boundaries[b]!) : t.length;
    for (let k = from; k < to; k++) track.lifetime[k] = b;
    from = Math.max(from, to);
  }
}

/** The earliest and latest time over several series and sorted time columns ([undefined, undefined] when all are empty). */
function minMaxOfTimes(
  lists: { t: number }[][],
  columns: ArrayLike<number>[] = [],
): [number | undefined, number | undefined] {
  let lo = Infinity;
  let hi = -Infinity;
  let n = 0;
  for (const list of lists) {
    n += list.length;
    for (let i = 0; i < list.length; i++) {
      const t = list[i]!.t;
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
  }
  // the columns are sorted tracks: their ends are their extremes
  for (const times of columns) {
    n += times.length;
    if (times.length === 0) continue;
    if (times[0]! < lo) lo = times[0]!;
    if (times[times.length - 1]! > hi) hi = times[times.length - 1]!;
  }
  return n === 0 ? [undefined, undefined] : [lo, hi];
}

/** Typed: its storage is outside the JS heap and freed by the first young collection after use. */
function timesOf(series: { t: number }[]): Float64Array {
  const out = new Float64Array(series.length);
  for (let i = 0; i < series.length; i++) out[i] = series[i]!.t;
  return out;
}
