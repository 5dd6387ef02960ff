/**
 * The verdict: the primary class is the fired finding that explains the largest share of the peak
 * RSS; other fired findings are secondary. With no fired finding the incident is `healthy` when the
 * data was enough to decide, else `insufficient-data`: the basics are missing, or a rule that every
 * "is it a leak?" answer depends on could not decide.
 */
import type { Figures, Finding, Verdict } from "../model/analysis.js";
import { formatBytes } from "../common/format.js";

/**
 * Rules that must have decided (fired or clear) before "healthy" may be said. An RSS alarm's first
 * question is whether the live heap leaks; a capture too sparse or too short to follow the post-GC
 * heap across cycles (a few snapshots minutes apart, or one lifetime cut by restarts) cannot rule it
 * out, and calling it healthy would send the on-call engineer away from a leak.
 */
const MUST_DECIDE_FOR_HEALTHY: readonly string[] = ["heap-leak"];

export function chooseVerdict(findings: Finding[], figures: Figures, missing: string[]): Verdict {
  const fired = findings
    .filter((f) => f.status === "fired")
    .sort((a, b) => b.explainsBytes - a.explainsBytes);
  const top = fired[0];
  if (top) {
    return {
      primary: top.id,
      secondary: fired.slice(1).map((f) => f.id),
      headline: top.summary,
      confidence: top.confidence >= 0.75 ? "high" : top.confidence >= 0.5 ? "medium" : "low",
    };
  }
  if (missing.length > 0) {
    return {
      primary: "insufficient-data",
      secondary: [],
      headline: `Not enough data to decide: ${missing.join("; ")}.`,
      confidence: "low",
    };
  }
  const peak = figures.peakRssBytes;
  const undecided = findings.filter(
    (f) => f.status === "insufficient-data" && MUST_DECIDE_FOR_HEALTHY.includes(f.id),
  );
  if (undecided.length > 0) {
    const why = undecided.flatMap((f) => f.missing ?? [f.summary]);
    return {
      primary: "insufficient-data",
      secondary: [],
      headline: `Not enough data to rule out a leak: ${why.join("; ")}. No rule fired${peak === null ? "" : ` (RSS peaked at ${formatBytes(peak)})`}, but that is not the same as healthy.`,
      confidence: "low",
    };
  }
  return {
    primary: "healthy",
    secondary: [],
    headline:
      peak === null
        ? "No diagnosis rule fired."
        : `No diagnosis rule fired: RSS peaked at ${formatBytes(peak)}, and Go's own accounting explains it.`,
    confidence: findings.some((f) => f.status === "insufficient-data") ? "medium" : "high",
  };
}
