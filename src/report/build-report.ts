/**
 * The report stage: turn Captures + Timeline + Analysis into report.json (the stable contract) and
 * the display-ready view the templates render. Pure: no I/O, the clock is injected.
 */
import type { Captures, Provenance } from "../model/capture.js";
import type { Analysis, Finding } from "../model/analysis.js";
import type { RunOptions } from "../model/options.js";
import type { ReportJson, ReportView, ViewFinding } from "../model/report.js";
import type { Timeline } from "../model/timeline.js";
import {
  formatBytes,
  formatClock,
  formatCount,
  formatDateTime,
  formatDuration,
  formatPercent,
  isoTime,
} from "../common/format.js";
import { memoryChart } from "./charts.js";

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
  for (const s of captures.memstats) add(s.prov);
  for (const s of captures.rss) add(s.prov);
  for (const s of captures.gc) add(s.prov);
  for (const s of captures.goroutines) add(s.prov);
  return [...counts.entries()]
    .map(([prov, samples]) => ({ prov, samples }))
    .sort((a, b) => b.samples - a.samples || a.prov.localeCompare(b.prov));
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
    confidenceText: formatPercent(f.confidence),
    evidence: f.evidence.map((e) => ({
      label: e.label,
      value: evidenceValue(e.value, e.unit),
      when: e.window
        ? `${formatClock(e.window.start)}-${formatClock(e.window.end)}`
        : e.at !== undefined
          ? formatClock(e.at)
          : "",
      sources: e.sources.map((s) => (s.line ? `${s.path}:${s.line}` : s.path)).join(", "),
    })),
    recommendationSummary: f.recommendation.summary,
    steps: f.recommendation.steps,
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

export function buildReportView(
  captures: Captures,
  timeline: Timeline,
  analysis: Analysis,
  options: RunOptions,
): ReportView {
  const fig = analysis.figures;
  const fired = analysis.findings.filter((f) => f.status === "fired");
  const primary = fired.find((f) => f.id === analysis.verdict.primary) ?? null;
  const parsed = captures.files.filter((f) => f.status === "parsed").length;
  const ignored = captures.files.filter((f) => f.status === "ignored").length;
  const malformed = captures.files.filter((f) => f.status === "malformed").length;
  const impact = [
    {
      label: "peak RSS",
      value:
        fig.peakRssBytes === null
          ? "n/a"
          : `${formatBytes(fig.peakRssBytes)} at ${formatClock(fig.peakRssAt)}`,
    },
    {
      label: "final RSS",
      value:
        fig.finalRssBytes === null
          ? "n/a"
          : `${formatBytes(fig.finalRssBytes)} at ${formatClock(fig.finalRssAt)}`,
    },
    { label: "peak Go resident (Sys - HeapReleased)", value: formatBytes(fig.peakGoResidentBytes) },
    {
      label: "peak gap (RSS - Go resident)",
      value:
        fig.peakGapBytes === null
          ? "n/a"
          : `${formatBytes(fig.peakGapBytes)} at ${formatClock(fig.peakGapAt)}`,
    },
    { label: "restarts", value: fig.restarts === 0 ? "none" : String(fig.restarts) },
  ];
  if (fig.secondsAboveThreshold !== null) {
    impact.push({
      label: `time above ${formatBytes(fig.rssThresholdBytes)}`,
      value: formatDuration(fig.secondsAboveThreshold * 1000),
    });
  }
  const summary: string[] = [];
  if (timeline.start !== null && timeline.end !== null) {
    summary.push(
      `Captures span ${formatDateTime(timeline.start)} to ${formatClock(timeline.end)} (${formatDuration(timeline.end - timeline.start)}): ${formatCount(fig.snapshots)} MemStats snapshots and ${formatCount(fig.rssSamples)} RSS samples.`,
    );
  }
  if (fig.peakRssBytes !== null && fig.peakGoResidentBytes !== null) {
    summary.push(
      `RSS peaked at ${formatBytes(fig.peakRssBytes)}; Go's own resident estimate peaked at ${formatBytes(fig.peakGoResidentBytes)} and the live heap (HeapAlloc) at ${formatBytes(fig.peakHeapAllocBytes)}.`,
    );
  }
  return {
    title: incidentTitle(captures),
    incidentId: captures.incidentId,
    generatedAt: options.generatedAt,
    toolVersion: options.toolVersion,
    verdictClass: analysis.verdict.primary,
    verdictLabel: VERDICT_LABELS[analysis.verdict.primary] ?? analysis.verdict.primary,
    headline: analysis.verdict.headline,
    confidence: analysis.verdict.confidence,
    summary,
    impact,
    timelineRows: analysis.transitions.map((t) => ({
      time: formatClock(t.at),
      what: t.description,
      evidence: t.sources.map((s) => (s.line ? `${s.path}:${s.line}` : s.path)).join(", "),
    })),
    rootCause: primary ? viewFinding(primary) : null,
    contributing: fired.filter((f) => f !== primary).map(viewFinding),
    otherFindings: analysis.findings.filter((f) => f.status !== "fired").map(viewFinding),
    actions: primary ? primary.recommendation.steps : [],
    charts: timeline.memstats.length + timeline.rss.length > 0 ? [memoryChart(timeline, analysis)] : [],
    phases: analysis.phases.map((p) => ({
      lifetime: String(p.lifetime + 1),
      kind: p.kind,
      start: formatClock(p.start),
      end: formatClock(p.end),
      from: formatBytes(p.startValue),
      to: formatBytes(p.endValue),
      slope: `${formatBytes(p.slopeBytesPerSec)}/s`,
    })),
    captureRows: captures.files.map((f) => ({
      path: f.path,
      format: f.format ?? "",
      status: f.status,
      records: f.status === "parsed" ? formatCount(f.records) : "",
      range: f.timeRange
        ? f.timeRange.start === f.timeRange.end
          ? formatClock(f.timeRange.start)
          : `${formatClock(f.timeRange.start)}-${formatClock(f.timeRange.end)}`
        : "",
      source: f.timeSource ?? "",
      message: f.message ?? "",
    })),
    captureSummary: `${captures.files.length} files: ${parsed} parsed, ${ignored} ignored, ${malformed} malformed.`,
    gaps: timeline.dataGaps.map(
      (g) =>
        `${g.series}: no sample from ${formatClock(g.start)} to ${formatClock(g.end)} (${formatDuration(g.end - g.start)}; median cadence ${formatDuration(g.cadenceMs)})`,
    ),
    provenance: provenanceCounts(captures).map((p) => `${formatCount(p.samples)} samples timed by ${p.prov}`),
    assumptions: [
      analysis.platform.madvFreeReason,
      ...analysis.platform.assumptions,
      `RSS alignment: ${timeline.alignment.method}.`,
    ],
    notes: captures.meta?.notes ?? null,
    formulas: FORMULAS,
    method: [
      "Every file under the incident directory is offered to the format parsers in a fixed order; each file is listed above with its status.",
      "RSS is aligned to each MemStats snapshot as stated under assumptions; the ledger is computed at each aligned instant.",
    ],
  };
}
