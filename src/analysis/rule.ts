/**
 * The contract of a diagnosis rule (DESIGN.md §6, §9). A rule file reads top to bottom: what it
 * detects and why, named thresholds with units and reasons, messages and recommendation text, then
 * `evaluate()`, which returns a finding whose status is fired, clear, insufficient-data (naming what
 * is missing) or error.
 */
import type { Captures, HeapProfileRef } from "../model/capture.js";
import type { Figures, Finding, LedgerPoint, Phase, Platform, VerdictClass } from "../model/analysis.js";
import type { Timeline } from "../model/timeline.js";
import type { ReleaseResponse } from "./release-response.js";

export interface RuleContext {
  timeline: Timeline;
  ledger: LedgerPoint[];
  phases: Phase[];
  platform: Platform;
  figures: Figures;
  captures: Captures;
  /** how RSS answered Go's largest release (MADV_FREE vs MADV_DONTNEED, observed) */
  releaseResponse: ReleaseResponse;
  /** heap snapshots chosen by selectGrowthSnapshots, with their allocation sites loaded (may be empty) */
  growthProfiles?: HeapProfileRef[];
}

export interface Rule {
  id: Exclude<VerdictClass, "healthy" | "insufficient-data">;
  title: string;
  evaluate(ctx: RuleContext): Finding;
}
