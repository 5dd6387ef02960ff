/**
 * The verdict: the primary class is the fired finding that explains the largest share of the peak
 * RSS; other fired findings are secondary. With no fired finding the incident is `healthy` when the
 * data was enough to decide, else `insufficient-data`.
 */
import type { Figures, Finding, Verdict } from "../model/analysis.js";
import { formatBytes } from "../common/format.js";

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
