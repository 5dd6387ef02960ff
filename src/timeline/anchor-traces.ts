/**
 * Placing gctrace and scavenger lines that carry only `@secs` since process start (FORMATS.md §5.1).
 *
 * Method: the untimed `gc` lines of each file are cut into segments where the GC number or the
 * offset falls (a new process writes from gc 1 @0.0s again). Each segment is anchored to a process
 * start, taken in this order of trust:
 *  1. `process_start` from incident.yaml (stated by the author);
 *  2. a `process-start` hint from a capture (ps etime / lstart, meta.txt, process_start_time_seconds);
 *     hints within START_CLUSTER_MS of each other are one process start (ps has 1 s resolution);
 *  3. an aligned snapshot: a MemStats snapshot's `LastGC` is the end of its GC number `NumGC`, so
 *     when the segment holds a `gc <NumGC>` line, start = LastGC - offset(gc NumGC). Several
 *     snapshots vote; the largest cluster of agreeing estimates wins (a snapshot of another process
 *     pairs with the wrong line and scatters).
 * With as many stated starts as segments they are taken in order; with one stated start and several
 * segments only the segment that the start fits (its lines then fall inside the captured span) takes
 * it. Lines of a segment with no start stay unplaced and are counted. Scavenger lines take the time
 * of the `gc` line they follow.
 */
import { pushTo } from "../common/collections.js";
import type { Captures, GcEvent, Hint, MemStatsSample, ScavEvent } from "../model/capture.js";
import type { TraceAnchor } from "../model/timeline.js";

/** Process starts closer than this are the same start stated twice (ps etime / lstart: 1 s steps). */
const START_CLUSTER_MS = 2000;
/**
 * Aligned-snapshot estimates agreeing within this are one anchor. LastGC is stamped at mark
 * termination while `@secs` is the sweep-termination start of that GC, so each estimate is late by
 * the GC's wall time: milliseconds normally, a few hundred ms when the GC runs back to back.
 */
const ALIGN_AGREEMENT_MS = 1000;

export interface StatedStart {
  t: number;
  how: string;
  pid?: number;
}

export function statedProcessStarts(captures: Captures): StatedStart[] {
  const raw: StatedStart[] = [];
  if (captures.meta?.processStart !== undefined)
    raw.push({ t: captures.meta.processStart, how: "incident.yaml process_start" });
  for (const h of captures.hints as Hint[]) {
    if (h.kind === "process-start" && typeof h.value === "number")
      raw.push({
        t: h.value,
        how: `${h.src.path}: ${h.how}`,
        ...(h.pid !== undefined ? { pid: h.pid } : {}),
      });
  }
  raw.sort((a, b) => a.t - b.t);
  const out: StatedStart[] = [];
  for (const s of raw) {
    const last = out[out.length - 1];
    if (last && s.t - last.t <= START_CLUSTER_MS) continue;
    out.push(s);
  }
  return out;
}

function segmentsOf(gc: GcEvent[]): GcEvent[][] {
  const byFile = new Map<string, GcEvent[]>();
  for (const e of gc) {
    if (e.t !== null) continue;
    pushTo(byFile, e.src.path, e);
  }
  const segments: GcEvent[][] = [];
  for (const path of [...byFile.keys()].sort()) {
    const list = byFile.get(path)!.sort((a, b) => (a.src.line ?? 0) - (b.src.line ?? 0));
    let cur: GcEvent[] = [];
    for (const e of list) {
      const prev = cur[cur.length - 1];
      if (prev && (e.gcNum < prev.gcNum || e.offsetSec < prev.offsetSec)) {
        segments.push(cur);
        cur = [];
      }
      cur.push(e);
    }
    if (cur.length) segments.push(cur);
  }
  return segments;
}

/** start = LastGC - offset(gc #NumGC), voted by every snapshot whose NumGC the segment holds. */
export function alignedStart(segment: GcEvent[], memstats: MemStatsSample[]): number | null {
  const byNum = new Map<number, GcEvent>();
  for (const e of segment) byNum.set(e.gcNum, e);
  const estimates: number[] = [];
  for (const m of memstats) {
    const n = m.ms.NumGC;
    const last = m.ms.LastGCMs;
    if (n === undefined || last === undefined || last === null || n === 0) continue;
    const e = byNum.get(n);
    if (!e) continue;
    estimates.push(last - Math.round(e.offsetSec * 1000));
  }
  if (estimates.length === 0) return null;
  estimates.sort((a, b) => a - b);
  let best: number[] = [];
  for (let i = 0; i < estimates.length; i++) {
    const cluster: number[] = [];
    for (let j = i; j < estimates.length && estimates[j]! - estimates[i]! <= ALIGN_AGREEMENT_MS; j++)
      cluster.push(estimates[j]!);
    if (cluster.length > best.length) best = cluster;
  }
  // One lone vote among many scattered ones is chance; a single snapshot is all some captures have.
  if (best.length < Math.min(2, estimates.length)) return null;
  return best[Math.floor(best.length / 2)]!;
}

export interface AnchorResult {
  unplaced: number;
  anchors: TraceAnchor[];
}

export function anchorTraces(
  gc: GcEvent[],
  scav: ScavEvent[],
  captures: Captures,
  memstats: MemStatsSample[],
  span: { start: number; end: number } | null,
): AnchorResult {
  const segments = segmentsOf(gc);
  const stated = statedProcessStarts(captures);
  const fromYaml = stated.filter((s) => s.how.startsWith("incident.yaml"));
  const anchors: TraceAnchor[] = [];
  let unplaced = 0;
  segments.forEach((segment, index) => {
    let start: number | null = null;
    let method = "";
    const lastOffsetMs = Math.round(segment[segment.length - 1]!.offsetSec * 1000);
    const fits = (t: number): boolean =>
      span === null ||
      (t + lastOffsetMs >= span.start - START_CLUSTER_MS && t <= span.end + START_CLUSTER_MS);
    const pick = (list: StatedStart[]): StatedStart | null => {
      if (list.length === segments.length) return list[index]!;
      const fitting = list.filter((s) => fits(s.t));
      return fitting.length === 1 ? fitting[0]! : null;
    };
    const y = pick(fromYaml);
    if (y) [start, method] = [y.t, y.how];
    if (start === null) {
      const h = pick(stated.filter((s) => !s.how.startsWith("incident.yaml")));
      if (h) [start, method] = [h.t, h.how];
    }
    if (start === null) {
      const a = alignedStart(segment, memstats);
      if (a !== null) [start, method] = [a, "aligned: snapshot LastGC - offset of gc NumGC"];
    }
    const first = segment[0]!;
    if (start === null) {
      unplaced += segment.length;
      anchors.push({
        path: first.src.path,
        fromLine: first.src.line ?? 0,
        lines: segment.length,
        start: null,
        method: "none",
      });
      return;
    }
    for (const e of segment) {
      e.t = Math.round(start + e.offsetSec * 1000);
      e.prov = "anchored";
    }
    anchors.push({
      path: first.src.path,
      fromLine: first.src.line ?? 0,
      lines: segment.length,
      start,
      method,
    });
  });
  const gcByKey = new Map<string, GcEvent>();
  for (const e of gc) gcByKey.set(`${e.src.path}\n${e.gcNum}\n${e.offsetSec}`, e);
  for (const s of scav) {
    if (s.t !== null) continue;
    const g = gcByKey.get(`${s.src.path}\n${s.afterGcNum}\n${s.afterGcOffsetSec}`);
    if (g && g.t !== null) {
      s.t = g.t;
      s.prov = g.prov;
    } else unplaced++;
  }
  return { unplaced, anchors };
}
