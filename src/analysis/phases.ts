/**
 * Phases of each process lifetime, found on RSS and on the Go resident estimate (Sys - HeapReleased).
 *
 * Method (change points by binary segmentation of a piecewise-linear fit):
 *  1. Smooth: a centered rolling median over SMOOTH_SPAN_MS worth of samples (3 to 9 samples), which
 *     removes the GC sawtooth and single-sample glitches but keeps steps (a median does not blur edges).
 *  2. Noise: sigma = 1.4826 x MAD of the raw first differences / sqrt(2), scaled by the rolling
 *     median's efficiency (sqrt(pi / 2w)), floored at a resolution (NOISE_FLOOR_*).
 *  3. Segment: binary segmentation. A segment is split at the index that most lowers the summed
 *     squared residuals of the two least-squares lines, when the gain exceeds the BIC-like penalty
 *     3 x w x sigma^2 x ln(n) (three parameters per extra segment, w for the smoothing's correlation).
 *  4. Steps between segments larger than the significance become a phase of their own (a release
 *     within one capture interval is a release, not a boundary).
 *  5. Classify by the change over the segment against the significance max(4 sigma, CHANGE_SHARE x
 *     the lifetime's peak): ramp (rise), release (fall within RELEASE_MAX_MS) or decline (slower
 *     fall), and flat segments as steady (at the first flat level) or plateau (held above it).
 *  6. Merge neighbours of the same kind.
 */
import type { LedgerPoint, Phase, PhaseKind } from "../model/analysis.js";
import type { Timeline } from "../model/timeline.js";
import { linearFit, noiseSigma, rollingMedian, SegmentCost } from "./series-stats.js";
import { medianCadenceMs } from "../common/cadence.js";
import { lowerBound } from "../common/collections.js";

/**
 * The rolling median spans 5 s: long enough to cover several GC cycles of a busy service (GC runs
 * sub-second to seconds apart under load), short enough that a scavenger release (seconds) survives.
 */
const SMOOTH_SPAN_MS = 5000;
const MIN_WINDOW = 3;
const MAX_WINDOW = 9;
/** Below this many samples a lifetime is one phase: no change point can be told from noise. */
const MIN_SAMPLES = 5;
/** Smallest segment, samples: a line needs two points, three keep a lone glitch from being a phase. */
const MIN_SEGMENT = 3;
/**
 * A change smaller than 5% of the lifetime's peak is not a phase anyone sizes memory by: GC cycles
 * and allocator caches move Go's footprint by a few percent in steady state.
 */
const CHANGE_SHARE = 0.05;
/** Measurement resolution: RSS is reported in kB pages, top rounds to 0.1 GiB; 0.5% of the level. */
const NOISE_FLOOR_SHARE = 0.005;
const NOISE_FLOOR_BYTES = 256 * 1024;
/**
 * A fall completed within 60 s is a release (a GC followed by the scavenger or MADV_DONTNEED returning
 * pages, which takes seconds); slower falls follow the load and are a decline.
 */
const RELEASE_MAX_MS = 60_000;
/** Binary segmentation stops here whatever the penalty says: more phases than this are not a story. */
const MAX_SEGMENTS = 24;

interface Seg {
  i: number;
  j: number;
}

function split(cost: SegmentCost, seg: Seg, penalty: number, out: Seg[]): void {
  const { i, j } = seg;
  if (j - i + 1 < 2 * MIN_SEGMENT || out.length >= MAX_SEGMENTS) {
    out.push(seg);
    return;
  }
  const whole = cost.cost(i, j);
  let best = -1;
  let bestCost = Infinity;
  for (let k = i + MIN_SEGMENT - 1; k <= j - MIN_SEGMENT; k++) {
    const c = cost.cost(i, k) + cost.cost(k + 1, j);
    if (c < bestCost) [best, bestCost] = [k, c];
  }
  if (best < 0 || whole - bestCost <= penalty) {
    out.push(seg);
    return;
  }
  split(cost, { i, j: best }, penalty, out);
  split(cost, { i: best + 1, j }, penalty, out);
}

interface Piece {
  start: number;
  end: number;
  startValue: number;
  endValue: number;
  samples: number;
  ts: number[];
  vs: number[];
}

function classify(pieces: Piece[], significance: number): { piece: Piece; kind: PhaseKind }[] {
  let baseline: number | null = null;
  return pieces.map((piece) => {
    const delta = piece.endValue - piece.startValue;
    let kind: PhaseKind;
    if (delta >= significance) kind = "ramp";
    else if (delta <= -significance) kind = piece.end - piece.start <= RELEASE_MAX_MS ? "release" : "decline";
    else {
      const level = (piece.startValue + piece.endValue) / 2;
      if (baseline === null) baseline = level;
      if (level >= baseline + significance) kind = "plateau";
      else {
        kind = "steady";
        baseline = Math.min(baseline, level);
      }
    }
    return { piece, kind };
  });
}

/**
 * The points of a run of pieces, one per distinct time (the last value given for a time wins, as the
 * steps between segments repeat their end points), in ascending time. The pieces of a sorted series
 * come in time order, so one pass suffices; anything else goes through a map and a sort.
 */
function distinctPoints(parts: Piece[]): { mts: number[]; mvs: number[] } {
  const mts: number[] = [];
  const mvs: number[] = [];
  let ordered = true;
  let prevT = -Infinity;
  for (const p of parts) {
    for (let k = 0; k < p.ts.length; k++) {
      const t = p.ts[k]!;
      if (t < prevT) {
        ordered = false;
        break;
      }
      if (t === prevT) mvs[mvs.length - 1] = p.vs[k]!;
      else {
        mts.push(t);
        mvs.push(p.vs[k]!);
      }
      prevT = t;
    }
    if (!ordered) break;
  }
  if (ordered) return { mts, mvs };
  const pts = new Map<number, number>();
  for (const p of parts) p.ts.forEach((t, k) => pts.set(t, p.vs[k]!));
  const sorted = [...pts.keys()].sort((a, b) => a - b);
  return { mts: sorted, mvs: sorted.map((t) => pts.get(t)!) };
}

/**
 * Above this many samples a series is segmented on bucket means (see bucketSeries): binary
 * segmentation scans every split point of every segment and keeps five prefix sums, the smoothing, and
 * the per-segment slices beside the series, tens of MB and most of the time for a week of one-second
 * RSS (600k samples). 20k points still resolve a week in ~30 s buckets, below RELEASE_MAX_MS, so a
 * release stays a release; a capture shorter than 20k samples (every sample incident) is untouched.
 */
const MAX_SEGMENTED_POINTS = 20_000;

/** A long series as bucket means (bts, bvs), with the first and last sample time of each bucket. */
interface Buckets {
  bts: number[];
  bvs: number[];
  firsts: number[];
  lasts: number[];
}

/**
 * Bucket means of a long series (times ascending): buckets of a whole number of cadences, sized so
 * that at most about MAX_SEGMENTED_POINTS are non-empty, aligned at the first sample; each non-empty
 * bucket becomes one point at the mean time and mean value of its samples. A mean, unlike a pick,
 * keeps the level a GC sawtooth averages to; a gap in the capture stays a gap (no empty buckets).
 */
function bucketSeries(ts: ArrayLike<number>, vs: ArrayLike<number>, cadenceMs: number): Buckets {
  const n = ts.length;
  const span = ts[n - 1]! - ts[0]!;
  const perBucket = Math.max(
    Math.ceil(n / MAX_SEGMENTED_POINTS),
    Math.ceil(span / cadenceMs / MAX_SEGMENTED_POINTS),
  );
  const widthMs = perBucket * cadenceMs;
  const bts: number[] = [];
  const bvs: number[] = [];
  const firsts: number[] = [];
  const lasts: number[] = [];
  const t0 = ts[0]!;
  let bucket = -1;
  let sumT = 0;
  let sumV = 0;
  let count = 0;
  for (let k = 0; k < n; k++) {
    const b = Math.floor((ts[k]! - t0) / widthMs);
    if (b !== bucket) {
      if (count > 0) {
        bts.push(t0 + sumT / count);
        bvs.push(sumV / count);
        lasts.push(ts[k - 1]!);
      }
      firsts.push(ts[k]!);
      [bucket, sumT, sumV, count] = [b, 0, 0, 0];
    }
    sumT += ts[k]! - t0;
    sumV += vs[k]!;
    count++;
  }
  if (count > 0) {
    bts.push(t0 + sumT / count);
    bvs.push(sumV / count);
    lasts.push(ts[n - 1]!);
  }
  return { bts, bvs, firsts, lasts };
}

/**
 * The phases of one series (times ascending) within one lifetime. A long series may come as typed
 * arrays: their storage is outside the JS heap and goes back as soon as a young collection finds
 * them dead, where a JS array of 600k numbers sits in the old generation until a full collection.
 */
export function segmentSeries(
  ts: ArrayLike<number>,
  vs: ArrayLike<number>,
  lifetime: number,
  series: Phase["series"],
): Phase[] {
  const n = ts.length;
  if (n < 2) return [];
  if (n > MAX_SEGMENTED_POINTS) {
    // Segment the bucket means; a phase then starts at the first sample of its first bucket, ends at
    // the last sample of its last bucket, and counts the samples of the series itself in between.
    const { bts, bvs, firsts, lasts } = bucketSeries(ts, vs, medianCadenceMs(ts) ?? SMOOTH_SPAN_MS);
    const phases = segmentSeries(bts, bvs, lifetime, series);
    for (const p of phases) {
      p.start = firsts[lowerBound(bts, p.start)] ?? p.start;
      p.end = lasts[lowerBound(bts, p.end)] ?? p.end;
      p.samples = lowerBound(ts, p.end + 1) - lowerBound(ts, p.start);
    }
    return phases;
  }
  return segmentShortSeries(Array.from(ts), Array.from(vs), lifetime, series);
}

/** segmentSeries of a series of at most MAX_SEGMENTED_POINTS samples. */
function segmentShortSeries(ts: number[], vs: number[], lifetime: number, series: Phase["series"]): Phase[] {
  const n = ts.length;
  const cadence = medianCadenceMs(ts) ?? SMOOTH_SPAN_MS;
  let w = Math.round(SMOOTH_SPAN_MS / cadence);
  w = Math.max(MIN_WINDOW, Math.min(MAX_WINDOW, w));
  if (w % 2 === 0) w++;
  const smooth = n >= MIN_SAMPLES ? rollingMedian(vs, w) : vs;
  const peak = smooth.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const level = smooth.reduce((a, b) => a + b, 0) / n;
  const sigmaRaw = noiseSigma(vs) * Math.sqrt(Math.PI / (2 * w));
  const sigma = Math.max(sigmaRaw, NOISE_FLOOR_SHARE * Math.abs(level), NOISE_FLOOR_BYTES);
  const significance = Math.max(4 * sigma, CHANGE_SHARE * peak);

  const segs: Seg[] = [];
  if (n >= MIN_SAMPLES) {
    const cost = new SegmentCost(ts, smooth);
    const sigmaMiB = sigma / 1048576;
    const penalty = 3 * w * sigmaMiB * sigmaMiB * Math.log(n);
    split(cost, { i: 0, j: n - 1 }, penalty, segs);
    segs.sort((a, b) => a.i - b.i);
  } else segs.push({ i: 0, j: n - 1 });

  // Fitted end values per segment, and steps between segments as pieces of their own.
  const pieces: Piece[] = [];
  let prevEnd: { t: number; v: number; idx: number } | null = null;
  for (const s of segs) {
    const sts = ts.slice(s.i, s.j + 1);
    const svs = smooth.slice(s.i, s.j + 1);
    const fit = linearFit(sts, svs);
    const startValue = fit.intercept + fit.slope * sts[0]!;
    const endValue = fit.intercept + fit.slope * sts[sts.length - 1]!;
    if (prevEnd && Math.abs(startValue - prevEnd.v) >= significance) {
      pieces.push({
        start: prevEnd.t,
        end: sts[0]!,
        startValue: prevEnd.v,
        endValue: startValue,
        samples: 2,
        ts: [prevEnd.t, sts[0]!],
        vs: [vs[prevEnd.idx]!, vs[s.i]!],
      });
    }
    pieces.push({
      start: sts[0]!,
      end: sts[sts.length - 1]!,
      startValue,
      endValue,
      samples: sts.length,
      ts: sts,
      vs: vs.slice(s.i, s.j + 1),
    });
    prevEnd = { t: sts[sts.length - 1]!, v: endValue, idx: s.j };
  }

  const classified = classify(pieces, significance);
  // Merge neighbours of the same kind (a ramp found as two lines of different slope is one ramp).
  const mergeRuns = (items: { kind: PhaseKind; parts: Piece[] }[]): { kind: PhaseKind; parts: Piece[] }[] => {
    const out: { kind: PhaseKind; parts: Piece[] }[] = [];
    for (const c of items) {
      const last = out[out.length - 1];
      if (last && last.kind === c.kind) last.parts.push(...c.parts);
      else out.push({ kind: c.kind, parts: [...c.parts] });
    }
    return out;
  };
  let merged = mergeRuns(classified.map((c) => ({ kind: c.kind, parts: [c.piece] })));
  // A growing heap climbs in steps (the heap grows as each GC raises its goal, Sys in arena-sized
  // chunks): a flat stretch between two rises, not itself falling and shorter than the rises around
  // it, is part of one ramp.
  const span = (r: { parts: Piece[] }): number => r.parts[r.parts.length - 1]!.end - r.parts[0]!.start;
  for (let changed = true; changed;) {
    changed = false;
    for (let k = 1; k + 1 < merged.length; k++) {
      const [a, b, c] = [merged[k - 1]!, merged[k]!, merged[k + 1]!];
      if (a.kind !== "ramp" || c.kind !== "ramp" || (b.kind !== "plateau" && b.kind !== "steady")) continue;
      const rise = b.parts[b.parts.length - 1]!.endValue - b.parts[0]!.startValue;
      if (rise >= 0 && span(b) < span(a) + span(c)) {
        b.kind = "ramp";
        changed = true;
      }
    }
    merged = mergeRuns(merged);
  }
  return merged.map(({ kind, parts }) => {
    const first = parts[0]!;
    const last = parts[parts.length - 1]!;
    const { mts, mvs } = distinctPoints(parts);
    const fit = linearFit(mts, mvs);
    return {
      lifetime,
      start: first.start,
      end: last.end,
      kind,
      series,
      // A fitted line can overshoot below zero at the foot of a release; bytes cannot.
      startValue: Math.max(0, Math.round(first.startValue)),
      endValue: Math.max(0, Math.round(last.endValue)),
      slopeBytesPerSec: Math.round(
        mts.length > 2
          ? fit.slope * 1000
          : ((last.endValue - first.startValue) / Math.max(1, last.end - first.start)) * 1000,
      ),
      samples: mts.length,
    };
  });
}

/** Phases of every lifetime, RSS first, then the Go resident estimate; each list in time order. */
export function findPhases(timeline: Timeline, ledger: LedgerPoint[]): Phase[] {
  const phases: Phase[] = [];
  const lifetimes = Math.max(timeline.processes.length, 1);
  for (let l = 0; l < lifetimes; l++) {
    // times and values straight from the series: a week of one-second RSS is 600k samples, and a
    // filtered copy of it before the two arrays is megabytes of garbage
    // (sized first: arrays grown by push leave their outgrown copies behind as garbage too)
    const rss = timeline.rss;
    let count = 0;
    for (let i = 0; i < rss.t.length; i++) if (rss.lifetime[i] === l) count++;
    if (count === rss.t.length) {
      // the whole series is this lifetime's: read in place
      phases.push(...segmentSeries(rss.t, rss.rssBytes, l, "rss"));
    } else {
      const rssTimes = new Float64Array(count);
      const rssValues = new Float64Array(count);
      for (let i = 0, k = 0; i < rss.t.length; i++) {
        if (rss.lifetime[i] !== l) continue;
        rssTimes[k] = rss.t[i]!;
        rssValues[k++] = rss.rssBytes[i]!;
      }
      phases.push(...segmentSeries(rssTimes, rssValues, l, "rss"));
    }
    const pts = ledger.filter((p) => p.lifetime === l);
    phases.push(
      ...segmentSeries(
        pts.map((p) => p.t),
        pts.map((p) => p.goResident),
        l,
        "goResident",
      ),
    );
  }
  return phases;
}
