/**
 * The report stage's output. `ReportJson` is the stable contract written as report.json
 * (DESIGN.md §7, schemaVersion 1); `ReportView` is the display-ready model the templates render:
 * raw numbers beside formatted strings, no logic left for the template.
 */
import type { FileStatus, Provenance } from "./capture.js";
import type { Figures, Finding, Phase, Platform, Transition, Verdict } from "./analysis.js";
import type { DataGap, Restart } from "./timeline.js";

export interface ReportJson {
  schemaVersion: 1;
  generatedAt: string;
  tool: { name: "memgap"; version: string };
  incident: { id: string; title: string; start: string | null; end: string | null };
  verdict: Verdict;
  findings: Finding[];
  timeline: {
    processes: { pid: number | null; start: string; end: string }[];
    restarts: (Omit<Restart, "at"> & { at: string })[];
    dataGaps: (Omit<DataGap, "start" | "end"> & { start: string; end: string })[];
    alignment: { rssSource: string | null; toleranceMs: number; method: string };
  };
  phases: (Omit<Phase, "start" | "end"> & { start: string; end: string })[];
  transitions: (Omit<Transition, "at"> & { at: string })[];
  figures: Figures;
  platform: Platform;
  captures: {
    files: (Omit<FileStatus, "timeRange"> & { timeRange: { start: string; end: string } | null })[];
    timestampProvenance: { prov: Provenance; samples: number }[];
    unplacedTraceLines: number;
  };
}

/** A number with its display string. */
export interface Shown {
  raw: number | null;
  text: string;
}

export interface ViewRow {
  cells: string[];
}

/**
 * A run of display text: `code` parts came from `backquoted` spans of the source text and render as
 * code (HTML <code>, a Markdown code span); the rest is plain text. Both are escaped by the renderer.
 */
export interface TextPart {
  text: string;
  code: boolean;
}

export interface ViewChart {
  id: string;
  title: string;
  /** text alternative for the chart */
  description: string;
  /** the Vega-Lite spec, data inlined; the render stage turns it into inline SVG */
  spec: Record<string, unknown>;
  /** data rows drawn (after downsampling), for the text alternative and tests */
  points: number;
}

export interface ViewFinding {
  id: string;
  title: string;
  status: string;
  severity: string;
  summary: string;
  confidenceText: string;
  evidence: { label: string; value: string; when: string; sources: string }[];
  recommendationSummary: string;
  steps: string[];
  links: { title: string; url: string }[];
  missing: string[];
  growthSites: { func: string; location: string; path: string; growth: string; last: string }[];
  summaryParts: TextPart[];
  recommendationParts: TextPart[];
  stepParts: TextPart[][];
  /** "95%" beside the raw 0..1 */
  confidenceRaw: number;
}

export interface ReportView {
  title: string;
  incidentId: string;
  generatedAt: string;
  toolVersion: string;
  verdictClass: string;
  verdictLabel: string;
  headline: string;
  confidence: string;
  summary: string[];
  impact: { label: string; value: string }[];
  timelineRows: { time: string; what: string; evidence: string }[];
  rootCause: ViewFinding | null;
  contributing: ViewFinding[];
  otherFindings: ViewFinding[];
  actions: string[];
  charts: ViewChart[];
  phases: {
    lifetime: string;
    kind: string;
    start: string;
    end: string;
    from: string;
    to: string;
    slope: string;
  }[];
  captureRows: {
    path: string;
    format: string;
    status: string;
    records: string;
    range: string;
    source: string;
    message: string;
  }[];
  captureSummary: string;
  gaps: string[];
  provenance: string[];
  assumptions: string[];
  notes: string | null;
  formulas: { name: string; formula: string; meaning: string }[];
  method: string[];
  /** the primary verdict's one-sentence headline, split for code spans */
  headlineParts: TextPart[];
  /** "also: heap-leak, fragmentation" or "" */
  secondaryText: string;
  summaryParts: TextPart[][];
  /** raw figures beside the impact strings (same order as `impact`) */
  impactRaw: (number | null)[];
  timelineEntries: {
    at: number;
    time: string;
    kind: string;
    whatParts: TextPart[];
    evidence: string;
  }[];
  actionItems: { parts: TextPart[]; from: string }[];
  /** the capture ledger with runs of alike files (same folder, format, status, name pattern) folded */
  captureGroups: {
    files: string;
    count: string;
    format: string;
    status: string;
    /** parsed | ignored | malformed, for styling */
    statusKind: string;
    records: string;
    range: string;
    source: string;
    message: string;
  }[];
  /** data-quality notes from ingest and timeline (assumed zones, skipped lines, unplaced lines) */
  issues: string[];
  platformRows: { label: string; value: string; source: string }[];
  /** in-page contents: anchor and heading of each section present */
  contents: { anchor: string; title: string }[];
}
