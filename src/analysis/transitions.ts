/**
 * The incident's timeline of transitions: capture start and end, every phase change with the figures
 * before and after, the instants where RSS and Go's own accounting part ways ("the gap opens"),
 * restarts, data gaps and the author's incident.yaml events. Sorted by time.
 */
import { pushTo } from "../common/collections.js";
import type { IncidentEvent } from "../model/capture.js";
import type { LedgerPoint, Phase, Transition } from "../model/analysis.js";
import type { Timeline } from "../model/timeline.js";
import { formatBytes, formatClock, formatDuration } from "../common/format.js";
import { rssTrackSrc } from "../common/rss-series.js";

/**
 * RSS "followed" a fall of the Go resident estimate when it fell by at least half as much: MADV_DONTNEED
 * returns pages at once, so RSS drops by nearly what HeapReleased rose. Less than half means the pages
 * stayed resident (MADV_FREE) or something else took their place.
 */
const RSS_FOLLOW_SHARE = 0.5;
/** Phase changes on RSS and on the Go estimate this close are one transition. */
const SAME_INSTANT_MS = 3000;

function nearestIndex(points: { t: number }[], t: number): number {
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < points.length; i++) {
    const d = Math.abs(points[i]!.t - t);
    if (d < bestD) [best, bestD] = [i, d];
  }
  return best;
}

function clock(t: number): string {
  return formatClock(t);
}

function signed(bytes: number): string {
  return bytes >= 0 ? `rose ${formatBytes(bytes)}` : `fell ${formatBytes(-bytes)}`;
}

function figures(p: LedgerPoint | undefined): Record<string, number | null> {
  if (!p) return {};
  return {
    rss: p.rss,
    goResident: p.goResident,
    heapInuse: p.heapInuse,
    heapAlloc: p.heapAlloc,
    heapReleased: p.heapReleased,
    lazyFree: p.lazyFree,
    gap: p.gap,
  };
}

function phaseTransitions(phases: Phase[], ledger: LedgerPoint[], timeline: Timeline): Transition[] {
  const out: Transition[] = [];
  const byLife = new Map<string, Phase[]>();
  for (const p of phases) pushTo(byLife, `${p.lifetime}/${p.series}`, p);
  const changes: Phase[] = [];
  for (const list of byLife.values()) changes.push(...list.slice(1));
  changes.sort((a, b) => a.start - b.start || (a.series === "goResident" ? -1 : 1));
  const used = new Set<Phase>();
  for (const ph of changes) {
    if (used.has(ph)) continue;
    used.add(ph);
    // The same change seen on the other series.
    const twin = changes.find(
      (o) =>
        !used.has(o) &&
        o.series !== ph.series &&
        o.lifetime === ph.lifetime &&
        o.kind === ph.kind &&
        Math.abs(o.start - ph.start) <= SAME_INSTANT_MS,
    );
    if (twin) used.add(twin);
    const life = ledger.filter((p) => p.lifetime === ph.lifetime);
    const i0 = nearestIndex(life, ph.start);
    const before = life[Math.max(0, i0 - 1)];
    const i1 = nearestIndex(life, ph.end);
    const after = life[i1];
    const dur = formatDuration(Math.max(0, ph.end - ph.start));
    const what = ph.series === "rss" ? "RSS" : "Go resident (Sys - HeapReleased)";
    let description = `${ph.kind}: ${what} ${formatBytes(ph.startValue)} -> ${formatBytes(ph.endValue)} over ${dur}`;
    if (ph.kind === "ramp" || ph.kind === "decline")
      description += ` (${formatBytes(Math.abs(ph.slopeBytesPerSec))}/s)`;
    let kind: Transition["kind"] = "phase-change";
    if (before && after && (ph.kind === "release" || ph.kind === "decline")) {
      const inuse = after.heapInuse - before.heapInuse;
      const go = after.goResident - before.goResident;
      const rssDelta = before.rss !== null && after.rss !== null ? after.rss - before.rss : null;
      description = `heap in use ${signed(inuse)} and Go resident ${signed(go)} in ${formatDuration(after.t - before.t)}`;
      if (rssDelta !== null) {
        description += `; RSS ${signed(rssDelta)}`;
        if (go < 0 && rssDelta > go * RSS_FOLLOW_SHARE && after.gap !== null) {
          kind = "gap-opens";
          description += `: the gap opens here (RSS - Go resident ${formatBytes(before.gap ?? 0)} -> ${formatBytes(after.gap)}${after.lazyFree !== null ? `, LazyFree ${formatBytes(after.lazyFree)}` : ""})`;
        }
      }
    }
    const srcs = [before, after]
      .filter((p): p is LedgerPoint => p !== undefined)
      .map((p) => timeline.aligned.find((a) => a.t === p.t)?.memstats.src)
      .filter((s) => s !== undefined);
    out.push({
      at: ph.start,
      lifetime: ph.lifetime,
      kind,
      description: `${clock(ph.start)}: ${description}`,
      before: figures(before),
      after: figures(after),
      sources: srcs,
    });
  }
  return out;
}

export function buildTransitions(
  timeline: Timeline,
  ledger: LedgerPoint[],
  phases: Phase[],
  events: IncidentEvent[],
): Transition[] {
  const out: Transition[] = [];
  const n = timeline.rss.t.length;
  const firstRss =
    n > 0 ? { rssBytes: timeline.rss.rssBytes[0]!, src: rssTrackSrc(timeline.rss, 0) } : undefined;
  const lastRss =
    n > 0 ? { rssBytes: timeline.rss.rssBytes[n - 1]!, src: rssTrackSrc(timeline.rss, n - 1) } : undefined;
  const first = ledger[0];
  const last = ledger[ledger.length - 1];
  if (timeline.start !== null) {
    const bits = [
      firstRss ? `RSS ${formatBytes(firstRss.rssBytes)}` : null,
      first ? `Go resident ${formatBytes(first.goResident)}` : null,
    ];
    out.push({
      at: timeline.start,
      lifetime: 0,
      kind: "capture-start",
      description: `${clock(timeline.start)}: capture starts${bits.some(Boolean) ? `; ${bits.filter(Boolean).join(", ")}` : ""}`,
      after: figures(first),
      sources: [firstRss?.src, timeline.memstats[0]?.src].filter((s) => s !== undefined),
    });
  }
  out.push(...phaseTransitions(phases, ledger, timeline));
  for (const r of timeline.restarts) {
    const life = timeline.processes.findIndex((p) => p.start >= r.at);
    out.push({
      at: r.at,
      lifetime: Math.max(0, life),
      kind: "restart",
      description:
        r.kind === "exit"
          ? `${clock(r.at)}: ${r.reason}`
          : `${clock(r.at)}: the process restarted${r.toPid !== null ? ` (PID ${r.fromPid ?? "?"} -> ${r.toPid})` : ""}: ${r.reason}`,
      sources: [r.src],
    });
  }
  for (const g of timeline.dataGaps) {
    out.push({
      at: g.start,
      lifetime: Math.max(
        0,
        timeline.processes.findIndex((p) => p.end >= g.start),
      ),
      kind: "data-gap",
      description: `${clock(g.start)}: no ${g.series} sample for ${formatDuration(g.end - g.start)} (median cadence ${formatDuration(g.cadenceMs)})`,
      sources: [],
    });
  }
  for (const e of events) {
    out.push({
      at: e.at,
      lifetime: Math.max(
        0,
        timeline.processes.findIndex((p) => p.end >= e.at),
      ),
      kind: "event",
      description: `${clock(e.at)}: ${e.label}`,
      sources: [e.src],
    });
  }
  if (timeline.end !== null) {
    const bits = [
      lastRss ? `RSS ${formatBytes(lastRss.rssBytes)}` : null,
      last ? `Go resident ${formatBytes(last.goResident)}` : null,
    ];
    out.push({
      at: timeline.end,
      lifetime: Math.max(0, timeline.processes.length - 1),
      kind: "capture-end",
      description: `${clock(timeline.end)}: capture ends${bits.some(Boolean) ? `; ${bits.filter(Boolean).join(", ")}` : ""}`,
      before: figures(last),
      sources: [lastRss?.src, timeline.memstats[timeline.memstats.length - 1]?.src].filter(
        (s) => s !== undefined,
      ),
    });
  }
  const order: Record<Transition["kind"], number> = {
    "capture-start": 0,
    restart: 1,
    "data-gap": 2,
    event: 3,
    "phase-change": 4,
    "gap-opens": 5,
    "capture-end": 6,
  };
  return out.sort((a, b) => a.at - b.at || order[a.kind] - order[b.kind]);
}
