/**
 * The analysis stage's output: the RSS ledger at each aligned instant, phases and transitions,
 * rule findings and the verdict. Plain JSON data.
 */
import type { AllocationSite, SourceRef } from "./capture.js";

/** The verdict vocabulary of DESIGN.md §6. */
export type VerdictClass =
  | "lazy-free"
  | "heap-leak"
  | "goroutine-leak"
  | "non-go-memory"
  | "fragmentation"
  | "gc-pressure"
  | "runtime-retention"
  | "healthy"
  | "insufficient-data";

/** One row of the RSS ledger (DESIGN.md §6), all bytes. */
export interface LedgerPoint {
  t: number;
  lifetime: number;
  rss: number | null;
  /** Sys - HeapReleased */
  goResident: number;
  heapAlloc: number;
  heapInuse: number;
  /** HeapInuse - HeapAlloc */
  fragmentation: number;
  /** HeapIdle - HeapReleased */
  retainedIdle: number;
  heapReleased: number;
  stacks: number | null;
  /** MSpanSys + MCacheSys + BuckHashSys + GCSys + OtherSys, when all are known */
  metadata: number | null;
  lazyFree: number | null;
  /** RSS - (Sys - HeapReleased) */
  gap: number | null;
  sys: number;
  nextGC: number | null;
  heapObjects: number | null;
  goroutines: number | null;
}

export type PhaseKind = "ramp" | "plateau" | "release" | "steady" | "decline";

export interface Phase {
  lifetime: number;
  start: number;
  end: number;
  kind: PhaseKind;
  /** the series the phase was found on */
  series: "rss" | "goResident";
  startValue: number;
  endValue: number;
  /** bytes per second over the phase (least squares) */
  slopeBytesPerSec: number;
  samples: number;
}

export interface Transition {
  at: number;
  lifetime: number;
  kind: "phase-change" | "gap-opens" | "restart" | "event" | "data-gap" | "capture-start" | "capture-end";
  description: string;
  before?: Record<string, number | null>;
  after?: Record<string, number | null>;
  sources: SourceRef[];
}

export type FindingStatus = "fired" | "clear" | "insufficient-data" | "error";

export interface Evidence {
  label: string;
  value: number | string;
  unit: "bytes" | "bytes/s" | "ratio" | "count" | "count/min" | "seconds" | "text" | "percent";
  at?: number;
  window?: { start: number; end: number };
  sources: SourceRef[];
}

export interface Recommendation {
  summary: string;
  steps: string[];
  links: { title: string; url: string }[];
}

export interface Finding {
  id: VerdictClass;
  status: FindingStatus;
  severity: "critical" | "warning" | "info";
  title: string;
  summary: string;
  /** 0..1: how sure the rule is, from how many independent signals agree */
  confidence: number;
  /** bytes of peak RSS this finding explains; ranks fired findings for the primary verdict */
  explainsBytes: number;
  evidence: Evidence[];
  recommendation: Recommendation;
  /** what is missing, when status is insufficient-data */
  missing?: string[];
  growthSites?: SiteGrowth[];
}

export interface SiteGrowth extends AllocationSite {
  /** in-use bytes at the first and last compared snapshot */
  firstBytes: number;
  lastBytes: number;
  growthBytes: number;
}

export interface Verdict {
  primary: VerdictClass;
  secondary: VerdictClass[];
  headline: string;
  confidence: "high" | "medium" | "low";
}

export interface Figures {
  peakRssBytes: number | null;
  peakRssAt: number | null;
  finalRssBytes: number | null;
  finalRssAt: number | null;
  peakGoResidentBytes: number | null;
  finalGoResidentBytes: number | null;
  peakGapBytes: number | null;
  peakGapAt: number | null;
  finalGapBytes: number | null;
  peakHeapAllocBytes: number | null;
  finalHeapAllocBytes: number | null;
  peakHeapInuseBytes: number | null;
  peakHeapReleasedBytes: number | null;
  peakLazyFreeBytes: number | null;
  finalLazyFreeBytes: number | null;
  peakGoroutines: number | null;
  restarts: number;
  snapshots: number;
  rssSamples: number;
  /** seconds with RSS above the configured threshold, when one is set */
  secondsAboveThreshold: number | null;
  rssThresholdBytes: number | null;
}

/** What memgap believes about the runtime and platform, and where each belief came from. */
export interface Platform {
  goVersion: string | null;
  goVersionSource: string | null;
  /** a lower bound proven by the data when the exact version is unknown, e.g. ">= 1.18" */
  goVersionMin: string | null;
  goVersionMinSource: string | null;
  godebug: string | null;
  madvdontneed: 0 | 1 | null;
  /** whether released pages are expected to stay in RSS: "yes", "no", or "unknown" */
  madvFree: "yes" | "no" | "unknown";
  madvFreeReason: string;
  gomemlimitBytes: number | null;
  gogc: string | null;
  kernel: string | null;
  assumptions: string[];
}

export interface Analysis {
  ledger: LedgerPoint[];
  phases: Phase[];
  transitions: Transition[];
  findings: Finding[];
  verdict: Verdict;
  figures: Figures;
  platform: Platform;
}
