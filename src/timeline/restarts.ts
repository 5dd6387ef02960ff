/**
 * Process restarts (DESIGN.md §5).
 *
 * Method: each series votes for restart intervals independently:
 *  - a PID change between two consecutive samples that name a PID (per source kind, since two
 *    capture loops may name different processes only when they watch different services);
 *  - monotonic MemStats counters falling between consecutive snapshots (TotalAlloc, Mallocs, NumGC,
 *    MaxRSS only grow within one process);
 *  - the gctrace GC number or `@secs` offset falling between consecutive lines of one file.
 * A fall is only a restart when the new values stay low: a single mis-stamped snapshot sorted into
 * the wrong place (a weak mtime or LastGC-bound stamp) makes counters fall and then rise back, which
 * is an outlier, not a new process. Each vote is an interval (last sample of the old process, first
 * sample of the new one]; overlapping votes are one restart, placed at the first sample of the new
 * lifetime: the earliest sample of any series after every old sample of the group.
 */
import { maxOf, minOf, pushTo } from "../common/collections.js";
import { rssTrackPid, rssTrackSrc } from "../common/rss-series.js";
import type { GcEvent, MemStatsSample, ProcessAbsence, SourceRef } from "../model/capture.js";
import type { Restart, RssTrack } from "../model/timeline.js";

interface Vote {
  lastOld: number;
  firstNew: number;
  reason: string;
  fromPid: number | null;
  toPid: number | null;
  src: SourceRef;
}

/** Counters that only grow within one process (runtime.MemStats; MaxRSS is getrusage's peak). */
const COUNTERS = ["TotalAlloc", "Mallocs", "NumGC", "MaxRSS"] as const;
type Counter = (typeof COUNTERS)[number];

/**
 * A fall a -> b is an outlier rather than a restart when the sample before `a` is already at or
 * below `b` (then `a` is a spike) or the sample after `b` is back at or above `a` (then `b` is a dip).
 */
function isOutlierFall(memstats: MemStatsSample[], i: number, c: Counter): boolean {
  const a = memstats[i - 1]!.ms[c]!;
  const b = memstats[i]!.ms[c]!;
  const before = memstats[i - 2]?.ms[c];
  const after = memstats[i + 1]?.ms[c];
  if (before !== undefined && before <= b) return true;
  if (after !== undefined && after >= a) return true;
  return false;
}

function counterVotes(memstats: MemStatsSample[]): Vote[] {
  const votes: Vote[] = [];
  for (let i = 1; i < memstats.length; i++) {
    const a = memstats[i - 1]!;
    const b = memstats[i]!;
    const available = COUNTERS.filter((c) => a.ms[c] !== undefined && b.ms[c] !== undefined);
    const fell = available.filter((c) => b.ms[c]! < a.ms[c]! && !isOutlierFall(memstats, i, c));
    // Two counters falling together is a new process; one alone could be a counter read at a torn
    // instant, unless it is the only counter the source has.
    if (fell.length > 0 && fell.length >= Math.min(2, available.length)) {
      votes.push({
        lastOld: a.t,
        firstNew: b.t,
        reason: `${fell.join(", ")} fell (${fell.map((c) => `${c} ${a.ms[c]} -> ${b.ms[c]}`).join("; ")})`,
        fromPid: a.pid ?? null,
        toPid: b.pid ?? null,
        src: b.src,
      });
    }
  }
  return votes;
}

/** pidVotes over a column-stored RSS track (sources are built only for the votes). */
function trackPidVotes(track: RssTrack, what: string): Vote[] {
  const votes: Vote[] = [];
  // one source names one PID (or none): nothing can change
  if (track.sources.length < 2) return votes;
  let prev = -1;
  for (let i = 0; i < track.t.length; i++) {
    const pid = rssTrackPid(track, i);
    if (pid === null) continue;
    const prevPid = prev >= 0 ? rssTrackPid(track, prev) : null;
    if (prev >= 0 && prevPid !== pid) {
      votes.push({
        lastOld: track.t[prev]!,
        firstNew: track.t[i]!,
        reason: `PID changed ${prevPid} -> ${pid} (${what})`,
        fromPid: prevPid,
        toPid: pid,
        src: rssTrackSrc(track, i),
      });
    }
    prev = i;
  }
  return votes;
}

function pidVotes(samples: { t: number; pid?: number; src: SourceRef }[], what: string): Vote[] {
  const votes: Vote[] = [];
  let prev: { t: number; pid?: number; src: SourceRef } | null = null;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    if (s.pid === undefined) continue;
    if (prev && prev.pid !== s.pid) {
      votes.push({
        lastOld: prev.t,
        firstNew: s.t,
        reason: `PID changed ${prev.pid} -> ${s.pid} (${what})`,
        fromPid: prev.pid ?? null,
        toPid: s.pid,
        src: s.src,
      });
    }
    prev = s;
  }
  return votes;
}

function gcVotes(gc: (GcEvent & { t: number })[]): Vote[] {
  const votes: Vote[] = [];
  const byFile = new Map<string, (GcEvent & { t: number })[]>();
  for (const e of gc) pushTo(byFile, e.src.path, e);
  for (const list of byFile.values()) {
    // File order is the order the process wrote them, which survives any stamp error.
    list.sort((x, y) => (x.src.line ?? 0) - (y.src.line ?? 0));
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      if (b.gcNum < a.gcNum || b.offsetSec < a.offsetSec) {
        votes.push({
          lastOld: a.t,
          firstNew: b.t,
          reason: `gctrace restarted (gc ${a.gcNum} @${a.offsetSec}s -> gc ${b.gcNum} @${b.offsetSec}s)`,
          fromPid: null,
          toPid: null,
          src: b.src,
        });
      }
    }
  }
  return votes;
}

export interface RestartInput {
  memstats: MemStatsSample[];
  /** every RSS track, one per kind, each sorted */
  rss: RssTrack[];
  gc: (GcEvent & { t: number })[];
  /** observations that the process was not running (ps header without a row) */
  absences?: ProcessAbsence[];
}

export function detectRestarts(input: RestartInput): { restarts: Restart[]; boundaries: number[] } {
  const votes = [
    ...counterVotes(input.memstats),
    ...input.rss.flatMap((track) => trackPidVotes(track, `${track.kind} samples`)),
    ...pidVotes(input.memstats, "snapshots"),
    ...gcVotes(input.gc),
  ].filter((v) => v.firstNew > v.lastOld);
  votes.sort((a, b) => a.lastOld - b.lastOld || a.firstNew - b.firstNew);
  const groups: Vote[][] = [];
  for (const v of votes) {
    const g = groups[groups.length - 1];
    // Votes whose intervals overlap describe the same restart.
    if (g && v.lastOld < minOf(g.map((x) => x.firstNew))) g.push(v);
    else groups.push([v]);
  }
  // Every sample time, sorted: only when there is a restart to place (a week of RSS is 600k times).
  const allTimes =
    groups.length === 0
      ? []
      : sortedTimes([
          input.memstats.map((s) => s.t),
          ...input.rss.map((track) => track.t),
          input.gc.map((e) => e.t),
        ]);
  const restarts: Restart[] = [];
  for (const g of groups) {
    const lastOld = maxOf(g.map((v) => v.lastOld));
    const firstNewVote = minOf(g.map((v) => v.firstNew));
    const first = allTimes.find((t) => t > lastOld) ?? firstNewVote;
    const at = Math.min(first, firstNewVote);
    const pidVote = g.find((v) => v.toPid !== null);
    const src = (g.find((v) => v.firstNew === at) ?? g[0]!).src;
    restarts.push({
      kind: "restart",
      at,
      reason: [...new Set(g.map((v) => v.reason))].join("; "),
      fromPid: pidVote?.fromPid ?? null,
      toPid: pidVote?.toPid ?? null,
      src,
    });
  }
  const boundaries = restarts.map((r) => r.at);
  const exit = detectExit(input, allTimes.length ? allTimes[allTimes.length - 1]! : lastSampleTime(input));
  if (exit) restarts.push(exit);
  return { restarts, boundaries };
}

/** The latest sample time of any series (-Infinity when there is none), without copying the series. */
function lastSampleTime(input: RestartInput): number {
  let last = -Infinity;
  for (const list of [input.memstats, input.gc])
    for (let i = 0; i < list.length; i++) if (list[i]!.t > last) last = list[i]!.t;
  // tracks are sorted: their last sample is their latest
  for (const track of input.rss) {
    const n = track.t.length;
    if (n > 0 && track.t[n - 1]! > last) last = track.t[n - 1]!;
  }
  return last;
}

/** Every time of several columns, in one sorted list (typed: numeric and native). */
function sortedTimes(columns: ArrayLike<number>[]): number[] {
  let n = 0;
  for (const c of columns) n += c.length;
  const all = new Float64Array(n);
  let j = 0;
  for (const c of columns) for (let i = 0; i < c.length; i++) all[j++] = c[i]!;
  return Array.from(all.sort());
}

/**
 * The process seen gone after the last sample of any series, and never seen again: the capture ended
 * while it was down (killed, crashed, or stopped), which a postmortem must not miss. Placed at the
 * first observation of the absence. Absences between lifetimes need nothing: the restart covers them.
 */
function detectExit(input: RestartInput, lastSample: number): Restart | null {
  if (!Number.isFinite(lastSample)) return null;
  const after = (input.absences ?? []).filter((a) => a.t > lastSample).sort((a, b) => a.t - b.t);
  const first = after[0];
  if (!first) return null;
  // the PID of the latest sample naming one (RSS before snapshots on equal times)
  let latest: { t: number; pid: number } | null = null;
  for (const track of input.rss)
    for (let i = 0; i < track.t.length; i++) {
      const pid = rssTrackPid(track, i);
      if (pid !== null && track.t[i]! <= lastSample && !(latest && latest.t >= track.t[i]!))
        latest = { t: track.t[i]!, pid };
    }
  for (const s of input.memstats)
    if (s.pid !== undefined && s.t <= lastSample && !(latest && latest.t >= s.t))
      latest = { t: s.t, pid: s.pid };
  const lastPid = latest?.pid;
  const pid = first.pid ?? lastPid ?? null;
  const clock = (t: number): string => new Date(t).toISOString().slice(11, 19);
  return {
    kind: "exit",
    at: first.t,
    reason: `the process${pid !== null ? ` (PID ${pid})` : ""} was gone at ${clock(first.t)} (${first.how}${after.length > 1 ? `, ${after.length} observations to ${clock(after[after.length - 1]!.t)}` : ""}) after its last sample at ${clock(lastSample)}, and no later sample exists: it ended (killed or crashed) before the capture did`,
    fromPid: pid,
    toPid: null,
    src: first.src,
  };
}
