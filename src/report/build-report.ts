/**
 * The report stage: turn Captures + Timeline + Analysis into report.json (the stable contract) and
 * the display-ready view the templates render. Pure: no I/O, the clock is injected.
 */
import { maxOf, minOf } from "../common/collections.js";
import type { Captures, FileStatus, Provenance, SourceRef } from "../model/capture.js";
import type { Analysis, Finding, LedgerPoint, Platform, Transition } from "../model/analysis.js";
import type { RunOptions } from "../model/options.js";
import type { ReportJson, ReportView, TextPart, ViewFinding } from "../model/report.js";
import type { Timeline } from "../model/timeline.js";
import {
  formatBytes,
  formatClock,
  formatClockRange,
  formatCount,
  formatDateTime,
  formatDuration,
  formatPercent,
  formatRate,
  formatSourceList,
  formatSourceRef,
  isoTime,
} from "../common/format.js";
import { buildCharts } from "./charts.js";
import { rssTrackSrc } from "../common/rss-series.js";

const VERDICT_LABELS: Record<string, string> = {
  "lazy-free": "Lazy free (MADV_FREE): not a leak",
  "heap-leak": "Heap leak",
  "goroutine-leak": "Goroutine leak",
  "non-go-memory": "Memory outside the Go heap",
  fragmentation: "Heap fragmentation",
  "gc-pressure": "GC pressure",
  "runtime-retention": "Runtime retention: not a leak",
  healthy: "Healthy",
  "insufficient-data": "Insufficient data",
};

function provenanceCounts(captures: Captures): { prov: Provenance; samples: number }[] {
  const counts = new Map<Provenance, number>();
  const add = (p: Provenance | null): void => {
    if (p) counts.set(p, (counts.get(p) ?? 0) + 1);
  };
  // indexed: an unoptimised for-of allocates a result object per element (600k RSS samples a week)
  for (const list of [captures.memstats, captures.gc, captures.goroutines])
    for (let i = 0; i < list.length; i++) add(list[i]!.prov);
  for (const series of captures.rss)
    if (series.t.length > 0) counts.set(series.prov, (counts.get(series.prov) ?? 0) + series.t.length);
  return [...counts.entries()]
    .map(([prov, samples]) => ({ prov, samples }))
    .sort((a, b) => b.samples - a.samples || a.prov.localeCompare(b.prov));
}

/** Ends within 5% of each other: RSS sampled every second moves by a few percent between samples. */
const SAME_END_RSS_SHARE = 0.05;

/** The last RSS of every lifetime that ended before the capture did (followed by a restart or an exit). */
function lifetimeEndRss(timeline: Timeline): number[] {
  const out: number[] = [];
  for (const r of timeline.restarts) {
    let last: number | null = null;
    const rss = timeline.rss;
    for (let i = 0; i < rss.t.length && rss.t[i]! < r.at; i++) last = rss.rssBytes[i]!;
    if (last !== null) out.push(last);
  }
  return out;
}

export function incidentTitle(captures: Captures): string {
  return (
    captures.meta?.title ??
    (captures.meta?.service ? `${captures.meta.service}: memory incident` : captures.incidentId)
  );
}

export function buildReportJson(
  captures: Captures,
  timeline: Timeline,
  analysis: Analysis,
  options: RunOptions,
): ReportJson {
  return {
    schemaVersion: 1,
    generatedAt: options.generatedAt,
    tool: { name: "memgap", version: options.toolVersion },
    incident: {
      id: captures.incidentId,
      title: incidentTitle(captures),
      start: timeline.start === null ? null : isoTime(timeline.start),
      end: timeline.end === null ? null : isoTime(timeline.end),
    },
    verdict: analysis.verdict,
    findings: analysis.findings,
    timeline: {
      processes: timeline.processes.map((p) => ({
        pid: p.pid,
        start: isoTime(p.start),
        end: isoTime(p.end),
      })),
      restarts: timeline.restarts.map((r) => ({ ...r, at: isoTime(r.at) })),
      dataGaps: timeline.dataGaps.map((g) => ({ ...g, start: isoTime(g.start), end: isoTime(g.end) })),
      alignment: {
        rssSource: timeline.alignment.rssKind,
        toleranceMs: timeline.alignment.toleranceMs,
        method: timeline.alignment.method,
      },
    },
    phases: analysis.phases.map((p) => ({ ...p, start: isoTime(p.start), end: isoTime(p.end) })),
    transitions: analysis.transitions.map((t) => ({ ...t, at: isoTime(t.at) })),
    figures: analysis.figures,
    platform: analysis.platform,
    captures: {
      files: captures.files.map((f) => ({
        ...f,
        timeRange: f.timeRange ? { start: isoTime(f.timeRange.start), end: isoTime(f.timeRange.end) } : null,
      })),
      timestampProvenance: provenanceCounts(captures),
      unplacedTraceLines: timeline.unplacedTraceLines,
    },
  };
}

function evidenceValue(value: number | string, unit: string): string {
  if (typeof value === "string") return value;
  switch (unit) {
    case "bytes":
      return formatBytes(value);
    case "bytes/s":
      return `${formatBytes(value)}/s`;
    case "ratio":
      return value.toFixed(2);
    case "percent":
      return formatPercent(value);
    case "seconds":
      return formatDuration(value * 1000);
    default:
      return formatCount(value);
  }
}

export function viewFinding(f: Finding): ViewFinding {
  return {
    id: f.id,
    title: f.title,
    status: f.status,
    severity: f.severity,
    summary: f.summary,
    summaryParts: textParts(f.summary),
    confidenceText: formatPercent(f.confidence),
    confidenceRaw: f.confidence,
    evidence: f.evidence.map((e) => ({
      label: e.label,
      value: evidenceValue(e.value, e.unit),
      when: e.window
        ? formatClockRange(e.window.start, e.window.end)
        : e.at !== undefined
          ? formatClock(e.at)
          : "",
      sources: formatSourceList(e.sources),
    })),
    recommendationSummary: f.recommendation.summary,
    recommendationParts: textParts(f.recommendation.summary),
    steps: f.recommendation.steps,
    stepParts: f.recommendation.steps.map(textParts),
    links: f.recommendation.links,
    missing: f.missing ?? [],
    growthSites: (f.growthSites ?? []).map((s) => ({
      func: s.func,
      location: s.location,
      path: s.path,
      growth: formatBytes(s.growthBytes),
      last: formatBytes(s.lastBytes),
    })),
  };
}

const FORMULAS = [
  {
    name: "Go resident estimate",
    formula: "Sys - HeapReleased",
    meaning: "what the runtime holds from the OS (GOMEMLIMIT is enforced on this)",
  },
  { name: "live + unswept heap", formula: "HeapAlloc", meaning: "objects, including garbage not yet swept" },
  {
    name: "fragmentation bound",
    formula: "HeapInuse - HeapAlloc",
    meaning: "bytes in spans dedicated to a size class but unused",
  },
  {
    name: "retained idle",
    formula: "HeapIdle - HeapReleased",
    meaning: "free heap kept for reuse, returnable to the OS",
  },
  { name: "stacks", formula: "StackSys (StackInuse in use)", meaning: "goroutine stacks" },
  {
    name: "runtime metadata",
    formula: "MSpanSys + MCacheSys + BuckHashSys + GCSys + OtherSys",
    meaning: "the runtime's own bookkeeping",
  },
  {
    name: "released but resident",
    formula: "LazyFree (smaps_rollup)",
    meaning: "MADV_FREE'd pages the kernel has not reclaimed",
  },
  {
    name: "the gap",
    formula: "RSS - (Sys - HeapReleased)",
    meaning:
      "positive: lazy-free pages, non-Go memory (cgo, mmap), binary and libraries; negative: Go memory never touched",
  },
];

/**
 * Split text into plain and `code` runs: a backquoted span becomes a code part (rendered as <code> in
 * HTML and as a Markdown code span, where nothing can become a link). An unmatched backquote stays text.
 */
export function textParts(text: string): TextPart[] {
  const out: TextPart[] = [];
  let rest = text;
  for (;;) {
    const open = rest.indexOf("`");
    const close = open < 0 ? -1 : rest.indexOf("`", open + 1);
    if (open < 0 || close < 0) {
      if (rest) out.push({ text: rest, code: false });
      return out;
    }
    if (open > 0) out.push({ text: rest.slice(0, open), code: false });
    if (close > open + 1) out.push({ text: rest.slice(open + 1, close), code: true });
    rest = rest.slice(close + 1);
  }
}

/** Plain text of parts, backquotes dropped: for places that cannot show code (titles, aria labels). */
export function plainText(parts: TextPart[]): string {
  return parts.map((p) => p.text).join("");
}

const TRANSITION_KIND_LABEL: Record<string, string> = {
  "phase-change": "phase",
  "gap-opens": "gap",
  restart: "restart",
  event: "event",
  "data-gap": "data gap",
  "capture-start": "start",
  "capture-end": "end",
};

/** Two timeline entries closer than this describe one instant (captures here are 1 s or coarser). */
const SAME_INSTANT_MS = 1000;

type TimelineEntry = ReportView["timelineEntries"][number];

/**
 * The incident timeline: the analysis' transitions, plus what the timeline and incident.yaml know
 * that no transition already says (restarts, the author's events, data gaps, capture start and end).
 */
function timelineEntries(captures: Captures, timeline: Timeline, analysis: Analysis): TimelineEntry[] {
  const entries: TimelineEntry[] = analysis.transitions.map((t) => ({
    at: t.at,
    time: formatClock(t.at),
    kind: TRANSITION_KIND_LABEL[t.kind] ?? t.kind,
    // the time column already says when: drop a description's own leading "05:34:13: "
    whatParts: textParts(
      t.description.startsWith(`${formatClock(t.at)}: `)
        ? t.description.slice(formatClock(t.at).length + 2)
        : t.description,
    ),
    evidence: formatSourceList(t.sources),
  }));
  const has = (kind: Transition["kind"], at: number): boolean =>
    analysis.transitions.some((t) => t.kind === kind && Math.abs(t.at - at) <= SAME_INSTANT_MS);
  const fig = analysis.figures;
  const ledgerAt = (at: number): LedgerPoint | null => {
    let best: LedgerPoint | null = null;
    for (const p of analysis.ledger) if (!best || Math.abs(p.t - at) < Math.abs(best.t - at)) best = p;
    return best;
  };
  if (timeline.start !== null && !analysis.transitions.some((t) => t.kind === "capture-start")) {
    const firstRss =
      timeline.rss.t.length > 0
        ? { rssBytes: timeline.rss.rssBytes[0]!, src: rssTrackSrc(timeline.rss, 0) }
        : undefined;
    const parts = ["capture starts"];
    if (firstRss) parts.push(`RSS ${formatBytes(firstRss.rssBytes)}`);
    const p = ledgerAt(timeline.start);
    if (p) parts.push(`Go resident ${formatBytes(p.goResident)}`, `HeapAlloc ${formatBytes(p.heapAlloc)}`);
    entries.push({
      at: timeline.start,
      time: formatClock(timeline.start),
      kind: "start",
      whatParts: textParts(parts.join("; ")),
      evidence: formatSourceList(
        [firstRss?.src, timeline.memstats[0]?.src].filter((s): s is SourceRef => s !== undefined),
      ),
    });
  }
  timeline.restarts.forEach((r, i) => {
    if (has("restart", r.at)) return;
    const lifetime = timeline.processes[i + 1];
    entries.push({
      at: r.at,
      time: formatClock(r.at),
      kind: "restart",
      whatParts: textParts(
        r.kind === "exit"
          ? `process gone: ${r.reason}`
          : `restart ${i + 1} of ${timeline.restarts.length}${r.toPid !== null ? ` (PID ${r.fromPid ?? "?"} -> ${r.toPid})` : ""}: ${r.reason}${lifetime ? `; the new process runs ${formatDuration(lifetime.end - lifetime.start)}` : ""}`,
      ),
      evidence: formatSourceRef(r.src),
    });
  });
  for (const e of captures.meta?.events ?? []) {
    if (has("event", e.at)) continue;
    entries.push({
      at: e.at,
      time: formatClock(e.at),
      kind: "event",
      whatParts: [{ text: e.label, code: false }],
      evidence: formatSourceRef(e.src),
    });
  }
  for (const g of timeline.dataGaps) {
    if (has("data-gap", g.start)) continue;
    entries.push({
      at: g.start,
      time: formatClockRange(g.start, g.end),
      kind: "data gap",
      whatParts: textParts(
        `no ${g.series} sample for ${formatDuration(g.end - g.start)} (median cadence ${formatDuration(g.cadenceMs)})`,
      ),
      evidence: "",
    });
  }
  if (timeline.end !== null && !analysis.transitions.some((t) => t.kind === "capture-end")) {
    const n = timeline.rss.t.length;
    const lastRss = n > 0 ? { src: rssTrackSrc(timeline.rss, n - 1) } : undefined;
    const parts = ["capture ends"];
    if (fig.finalRssBytes !== null) parts.push(`RSS ${formatBytes(fig.finalRssBytes)}`);
    if (fig.finalGoResidentBytes !== null) parts.push(`Go resident ${formatBytes(fig.finalGoResidentBytes)}`);
    if (fig.finalHeapAllocBytes !== null) parts.push(`HeapAlloc ${formatBytes(fig.finalHeapAllocBytes)}`);
    if (fig.finalLazyFreeBytes !== null) parts.push(`LazyFree ${formatBytes(fig.finalLazyFreeBytes)}`);
    entries.push({
      at: timeline.end,
      time: formatClock(timeline.end),
      kind: "end",
      whatParts: textParts(parts.join("; ")),
      evidence: formatSourceList(
        [lastRss?.src, timeline.memstats[timeline.memstats.length - 1]?.src].filter(
          (s): s is SourceRef => s !== undefined,
        ),
      ),
    });
  }
  const kindOrder = ["start", "restart", "event", "phase", "gap", "data gap", "end"];
  return entries.sort(
    (a, b) =>
      a.at - b.at ||
      kindOrder.indexOf(a.kind) - kindOrder.indexOf(b.kind) ||
      plainText(a.whatParts).localeCompare(plainText(b.whatParts)),
  );
}

/** A file name with its digit runs folded, so a series of timestamped captures shares one pattern. */
function namePattern(p: string): string {
  return p.replace(/\d+/g, "#");
}

/** A status message without the file's own path and with numbers folded, to group alike messages. */
function messagePattern(f: FileStatus): string {
  return (f.message ?? "").split(f.path).join("").replace(/\d+/g, "#");
}

/**
 * The capture ledger, folded: files with the same name pattern (digits folded), format and status,
 * and alike messages, become one row at the place of the first; malformed files always keep a row
 * each, since each names its own broken line. Every file is counted in exactly one row.
 */
function captureGroups(files: FileStatus[]): ReportView["captureGroups"] {
  const groups: FileStatus[][] = [];
  const byKey = new Map<string, FileStatus[]>();
  for (const f of files) {
    if (f.status === "malformed") {
      groups.push([f]);
      continue;
    }
    const key = JSON.stringify([namePattern(f.path), f.format, f.status, messagePattern(f)]);
    const g = byKey.get(key);
    if (g) g.push(f);
    else {
      const fresh = [f];
      byKey.set(key, fresh);
      groups.push(fresh);
    }
  }
  return groups.map((g) => {
    const first = g[0]!;
    const last = g[g.length - 1]!;
    const ranges = g.map((f) => f.timeRange).filter((r): r is { start: number; end: number } => r !== null);
    const start = ranges.length ? minOf(ranges.map((r) => r.start)) : null;
    const end = ranges.length ? maxOf(ranges.map((r) => r.end)) : null;
    const sources = [...new Set(g.map((f) => f.timeSource).filter((s) => s !== null))].sort();
    const message =
      g.length === 1
        ? (first.message ?? "")
        : first.message
          ? `each: ${first.message.startsWith(first.path) ? first.message.slice(first.path.length).replace(/^:\s*/, "") : first.message}`
          : "";
    const partial = g.filter((f) => f.partial).length;
    return {
      files: g.length === 1 ? first.path : `${first.path} ... ${last.path}`,
      count: formatCount(g.length),
      format: first.format ?? "",
      status: partial > 0 ? `${first.status} (${partial} partial)` : first.status,
      statusKind: first.status,
      records: first.status === "parsed" ? formatCount(g.reduce((n, f) => n + f.records, 0)) : "",
      range: start === null ? "" : formatClockRange(start, end),
      source: sources.join(", "),
      message,
    };
  });
}

/** "101 MemStats snapshots", or with two captures per instant "MemStats at 101 instants (202 snapshots from heap-debug1, expvar)". */
function snapshotsText(timeline: Timeline, snapshots: number): string {
  const instants = new Set(timeline.memstats.map((m) => m.t)).size;
  if (instants === snapshots) return `${formatCount(snapshots)} MemStats snapshots`;
  const formats = [...new Set(timeline.memstats.map((m) => m.format))].sort().join(", ");
  return `MemStats at ${formatCount(instants)} instants (${formatCount(snapshots)} snapshots from ${formats})`;
}

function summaryParagraphs(captures: Captures, timeline: Timeline, analysis: Analysis): string[] {
  const fig = analysis.figures;
  const out: string[] = [];
  if (timeline.start !== null && timeline.end !== null) {
    const lifetimes = timeline.processes.length;
    out.push(
      `The captures cover ${formatDuration(timeline.end - timeline.start)}, ${formatDateTime(timeline.start)} to ${formatClock(timeline.end)}: ${snapshotsText(timeline, fig.snapshots)} and ${formatCount(fig.rssSamples)} RSS samples from ${lifetimes === 1 ? "one process lifetime" : `${lifetimes} process lifetimes`}.`,
    );
  } else {
    out.push(
      `No capture could be placed in time: ${captures.files.length} files were read and none gave a timed sample.`,
    );
  }
  if (fig.peakRssBytes !== null) {
    const go =
      fig.peakGoResidentBytes !== null
        ? `; Go's resident estimate (Sys - HeapReleased) peaked at ${formatBytes(fig.peakGoResidentBytes)} and ended at ${formatBytes(fig.finalGoResidentBytes)}`
        : "";
    out.push(
      `RSS peaked at ${formatBytes(fig.peakRssBytes)} at ${formatClock(fig.peakRssAt)} and ended at ${formatBytes(fig.finalRssBytes)}${go}.`,
    );
  }
  if (fig.peakHeapAllocBytes !== null) {
    out.push(
      `The live and unswept heap (HeapAlloc) peaked at ${formatBytes(fig.peakHeapAllocBytes)} and ended at ${formatBytes(fig.finalHeapAllocBytes)}; HeapReleased reached ${formatBytes(fig.peakHeapReleasedBytes)}.`,
    );
  }
  if (fig.finalGapBytes !== null && fig.finalRssBytes !== null && fig.finalRssBytes > 0) {
    const share = fig.finalGapBytes / fig.finalRssBytes;
    let s =
      fig.finalGapBytes >= 0
        ? `At the end ${formatBytes(fig.finalGapBytes)} of RSS (${formatPercent(share)}) lay outside Go's resident estimate`
        : `At the end Go's resident estimate exceeded RSS by ${formatBytes(-fig.finalGapBytes)} (memory the runtime reserved but never touched)`;
    if (fig.finalLazyFreeBytes !== null && fig.finalGapBytes > 0) {
      s += `; LazyFree (released pages still counted in RSS) was ${formatBytes(fig.finalLazyFreeBytes)}, ${formatPercent(Math.min(1, fig.finalLazyFreeBytes / fig.finalGapBytes))} of that gap`;
    } else if (fig.finalGapBytes > 0) {
      s += "; no smaps_rollup LazyFree figure was captured to split it";
    }
    out.push(`${s}.`);
  }
  const restarts = timeline.restarts.filter((r) => r.kind === "restart");
  if (restarts.length > 0) {
    out.push(
      `The process restarted ${restarts.length === 1 ? "once" : `${restarts.length} times`} (at ${restarts.map((r) => formatClock(r.at)).join(", ")}).`,
    );
  }
  for (const r of timeline.restarts.filter((x) => x.kind === "exit")) {
    out.push(`The ${r.reason.replace(/^the /, "")}.`);
  }
  const endings = lifetimeEndRss(timeline);
  if (endings.length >= 2) {
    const lo = minOf(endings);
    const hi = maxOf(endings);
    // Processes that all die at the same RSS were stopped by a limit, not by chance: the OOM killer,
    // a cgroup (container) limit or a supervisor acts at a fixed size.
    if ((hi - lo) / hi <= SAME_END_RSS_SHARE) {
      out.push(
        `Each of the ${endings.length} processes that ended did so at RSS ${formatBytes(lo) === formatBytes(hi) ? `about ${formatBytes(hi)}` : `${formatBytes(lo)}-${formatBytes(hi)}`}: consistent with a memory limit killing it (the OOM killer, a container limit or a supervisor).`,
      );
    }
  }
  if (fig.secondsAboveThreshold !== null && fig.rssThresholdBytes !== null) {
    out.push(
      `RSS was above the ${formatBytes(fig.rssThresholdBytes)} threshold (incident.yaml rss_threshold) for ${formatDuration(fig.secondsAboveThreshold * 1000)}.`,
    );
  }
  return out;
}

function impactRows(
  timeline: Timeline,
  analysis: Analysis,
): { label: string; value: string; raw: number | null }[] {
  const fig = analysis.figures;
  const rows: { label: string; value: string; raw: number | null }[] = [
    {
      label: "peak RSS",
      value:
        fig.peakRssBytes === null
          ? "n/a (no RSS series)"
          : `${formatBytes(fig.peakRssBytes)} at ${formatClock(fig.peakRssAt)}`,
      raw: fig.peakRssBytes,
    },
  ];
  if (fig.rssThresholdBytes !== null) {
    rows.push({
      label: `time with RSS above ${formatBytes(fig.rssThresholdBytes)}`,
      value: formatDuration((fig.secondsAboveThreshold ?? 0) * 1000),
      raw: fig.secondsAboveThreshold,
    });
  } else {
    rows.push({
      label: "time above a threshold",
      value: "no threshold set (incident.yaml rss_threshold)",
      raw: null,
    });
  }
  rows.push({
    label: "restarts",
    value:
      fig.restarts === 0
        ? "none"
        : `${fig.restarts}: ${timeline.restarts.map((r) => (r.kind === "exit" ? `${formatClock(r.at)} (process gone, not seen again)` : formatClock(r.at))).join(", ")}`,
    raw: fig.restarts,
  });
  rows.push({
    label: "live heap at the end (HeapAlloc)",
    value: formatBytes(fig.finalHeapAllocBytes),
    raw: fig.finalHeapAllocBytes,
  });
  rows.push({
    label: "RSS at the end",
    value:
      fig.finalRssBytes === null
        ? "n/a"
        : `${formatBytes(fig.finalRssBytes)} at ${formatClock(fig.finalRssAt)}`,
    raw: fig.finalRssBytes,
  });
  rows.push({
    label: "peak Go resident (Sys - HeapReleased)",
    value: formatBytes(fig.peakGoResidentBytes),
    raw: fig.peakGoResidentBytes,
  });
  rows.push({
    label: "peak gap (RSS - Go resident)",
    value:
      fig.peakGapBytes === null ? "n/a" : `${formatBytes(fig.peakGapBytes)} at ${formatClock(fig.peakGapAt)}`,
    raw: fig.peakGapBytes,
  });
  if (fig.peakLazyFreeBytes !== null)
    rows.push({
      label: "peak LazyFree (smaps_rollup)",
      value: formatBytes(fig.peakLazyFreeBytes),
      raw: fig.peakLazyFreeBytes,
    });
  if (fig.peakGoroutines !== null)
    rows.push({ label: "peak goroutines", value: formatCount(fig.peakGoroutines), raw: fig.peakGoroutines });
  return rows;
}

/**
 * Action items: the primary finding's steps, then each contributing finding's, without repeats. With
 * no fired finding, what the undecided rules say to capture next.
 */
function actionItems(
  primary: Finding | null,
  contributing: Finding[],
  findings: Finding[],
  missingHeadline: string | null,
): ReportView["actionItems"] {
  const out: ReportView["actionItems"] = [];
  const seen = new Set<string>();
  const add = (text: string, from: string): void => {
    const key = text.trim();
    if (!key || seen.has(key)) return;
    seen.add(key);
    out.push({ parts: textParts(key), from });
  };
  for (const f of [primary, ...contributing]) {
    if (!f) continue;
    const steps = f.recommendation.steps.length > 0 ? f.recommendation.steps : [f.recommendation.summary];
    for (const s of steps) add(s, f.id);
  }
  if (out.length === 0) {
    for (const f of findings)
      if (f.status === "insufficient-data")
        for (const m of f.missing ?? []) add(`To decide ${f.id}, capture: ${m}`, f.id);
    if (missingHeadline) add(missingHeadline, "insufficient-data");
  }
  return out;
}

function platformRows(p: Platform): ReportView["platformRows"] {
  return [
    {
      label: "Go version",
      value: p.goVersion ?? (p.goVersionMin ? `unknown; >= ${p.goVersionMin} from the data` : "unknown"),
      source: p.goVersionSource ?? p.goVersionMinSource ?? "",
    },
    { label: "GODEBUG", value: p.godebug ?? "not stated", source: "" },
    { label: "released pages stay in RSS (MADV_FREE)", value: p.madvFree, source: p.madvFreeReason },
    {
      label: "GOMEMLIMIT",
      value: p.gomemlimitBytes === null ? "not stated" : formatBytes(p.gomemlimitBytes),
      source: "",
    },
    { label: "GOGC", value: p.gogc ?? "not stated", source: "" },
    { label: "kernel", value: p.kernel ?? "not stated", source: "" },
  ];
}

export function buildReportView(
  captures: Captures,
  timeline: Timeline,
  analysis: Analysis,
  options: RunOptions,
): ReportView {
  const fired = analysis.findings.filter((f) => f.status === "fired");
  const primary = fired.find((f) => f.id === analysis.verdict.primary) ?? null;
  const contributing = fired
    .filter((f) => f !== primary)
    .sort((a, b) => b.explainsBytes - a.explainsBytes || a.id.localeCompare(b.id));
  const parsed = captures.files.filter((f) => f.status === "parsed").length;
  const ignored = captures.files.filter((f) => f.status === "ignored").length;
  const malformed = captures.files.filter((f) => f.status === "malformed").length;
  const impact = impactRows(timeline, analysis);
  const summary = summaryParagraphs(captures, timeline, analysis);
  const entries = timelineEntries(captures, timeline, analysis);
  const actions = actionItems(
    primary,
    contributing,
    analysis.findings,
    analysis.verdict.primary === "insufficient-data" ? analysis.verdict.headline : null,
  );
  const charts = buildCharts(timeline, analysis, captures.meta?.events ?? []);
  const phases = [...analysis.phases].sort((a, b) => a.start - b.start || a.lifetime - b.lifetime);
  const issues = [
    ...captures.issues.map((i) => (i.src ? `${formatSourceRef(i.src)}: ${i.message}` : i.message)),
    ...(timeline.unplacedTraceLines > 0
      ? [
          `${formatCount(timeline.unplacedTraceLines)} gctrace/scavenger lines could not be placed in time (no process start known; set process_start in incident.yaml)`,
        ]
      : []),
    ...(captures.meta && captures.meta.unknownKeys.length > 0
      ? [
          `incident.yaml keys memgap does not use (kept, not an error): ${captures.meta.unknownKeys.join(", ")}`,
        ]
      : []),
  ];
  const view: Omit<ReportView, "contents"> = {
    title: incidentTitle(captures),
    incidentId: captures.incidentId,
    generatedAt: options.generatedAt,
    toolVersion: options.toolVersion,
    verdictClass: analysis.verdict.primary,
    verdictLabel: VERDICT_LABELS[analysis.verdict.primary] ?? analysis.verdict.primary,
    headline: analysis.verdict.headline,
    headlineParts: textParts(analysis.verdict.headline),
    confidence: analysis.verdict.confidence,
    secondaryText:
      analysis.verdict.secondary.length > 0
        ? `also: ${analysis.verdict.secondary.map((v) => VERDICT_LABELS[v] ?? v).join("; ")}`
        : "",
    summary,
    summaryParts: summary.map(textParts),
    impact: impact.map(({ label, value }) => ({ label, value })),
    impactRaw: impact.map((r) => r.raw),
    timelineRows: entries.map((e) => ({ time: e.time, what: plainText(e.whatParts), evidence: e.evidence })),
    timelineEntries: entries,
    rootCause: primary ? viewFinding(primary) : null,
    contributing: contributing.map(viewFinding),
    otherFindings: analysis.findings
      .filter((f) => f.status !== "fired")
      .sort((a, b) => a.id.localeCompare(b.id))
      .map(viewFinding),
    actions: actions.map((a) => plainText(a.parts)),
    actionItems: actions,
    charts,
    phases: phases.map((p) => ({
      lifetime: String(p.lifetime + 1),
      kind: p.kind,
      start: formatClock(p.start),
      end: formatClock(p.end),
      from: formatBytes(p.startValue),
      to: formatBytes(p.endValue),
      slope: `${formatRate(p.slopeBytesPerSec)} (${p.series === "rss" ? "RSS" : "Go resident"}, ${formatCount(p.samples)} samples)`,
    })),
    captureRows: captures.files.map((f) => ({
      path: f.path,
      format: f.format ?? "",
      status: f.status,
      records: f.status === "parsed" ? formatCount(f.records) : "",
      range: f.timeRange ? formatClockRange(f.timeRange.start, f.timeRange.end) : "",
      source: f.timeSource ?? "",
      message: f.message ?? "",
    })),
    captureGroups: captureGroups(captures.files),
    captureSummary: `${captures.files.length} files: ${parsed} parsed, ${ignored} ignored, ${malformed} malformed.`,
    gaps: timeline.dataGaps.map(
      (g) =>
        `${g.series}: no sample from ${formatClock(g.start)} to ${formatClock(g.end)} (${formatDuration(g.end - g.start)}; median cadence ${formatDuration(g.cadenceMs)})`,
    ),
    provenance: provenanceCounts(captures).map(
      (p) => `${formatCount(p.samples)} samples timed by ${PROVENANCE_TEXT[p.prov] ?? p.prov}`,
    ),
    issues,
    assumptions: [
      analysis.platform.madvFreeReason,
      ...analysis.platform.assumptions,
      `RSS alignment: ${timeline.alignment.method}.`,
    ].filter((a) => a !== ""),
    platformRows: platformRows(analysis.platform),
    notes: captures.meta?.notes ?? null,
    formulas: FORMULAS,
    method: METHOD,
  };
  const contents = [
    { anchor: "summary", title: "Summary", on: true },
    { anchor: "impact", title: "Impact", on: true },
    { anchor: "timeline", title: "Timeline", on: view.timelineEntries.length > 0 },
    { anchor: "root-cause", title: "Root cause", on: true },
    { anchor: "contributing", title: "Contributing factors", on: view.contributing.length > 0 },
    { anchor: "actions", title: "Action items", on: true },
    { anchor: "charts", title: "Charts", on: view.charts.length > 0 },
    { anchor: "phases", title: "Phases", on: view.phases.length > 0 },
    { anchor: "data-quality", title: "Data quality", on: true },
    { anchor: "appendix", title: "Appendix", on: true },
  ]
    .filter((c) => c.on)
    .map(({ anchor, title }) => ({ anchor, title }));
  return { ...view, contents };
}

const PROVENANCE_TEXT: Record<string, string> = {
  record: "a stamp inside the record (line prefix, header, time_nanos)",
  "header-date": "a time of day on the row, dated from a header or neighbouring captures",
  filename: "the file or folder name",
  anchored: "an offset since process start plus a known process start",
  "data-bound": "a bound from the data (LastGC, PauseEnd)",
  mtime: "the file's modification time (weak: lost by cp, scp or tar without -p)",
};

const METHOD = [
  "Every file under the incident directory is offered to the format parsers in a fixed order; each file is listed in the capture table with its status (parsed, ignored with the reason, or malformed with file:line).",
  "Samples are merged per series and sorted by time; a new process lifetime starts where the PID changes or a monotonic counter (TotalAlloc, Mallocs, NumGC, MaxRSS) falls.",
  "RSS is aligned to each MemStats snapshot as stated under assumptions; the ledger above is computed at each aligned instant.",
  "Each diagnosis rule returns fired, clear, insufficient-data (naming what is missing) or error; the primary verdict is the fired finding that explains the most peak RSS.",
  "Charts are downsampled for drawing only (the lowest and highest point of each bucket kept, at most 2,000 points per chart); every figure in the text comes from the full data.",
];
