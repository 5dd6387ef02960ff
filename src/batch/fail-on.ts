/**
 * `--fail-on CLASS|SEVERITY[,...]` for CI: exit 3 when a written report reaches one of them.
 * A verdict class matches an incident's primary or secondary verdict; a severity is a threshold,
 * matched by any fired finding of that severity or worse (`warning` matches warning and critical).
 */
import { UsageError } from "../cli/options.js";
import type { VerdictClass } from "../model/analysis.js";
import type { ManifestResult } from "./input-manifest.js";

const VERDICT_CLASSES: readonly VerdictClass[] = [
  "lazy-free",
  "heap-leak",
  "goroutine-leak",
  "non-go-memory",
  "fragmentation",
  "gc-pressure",
  "runtime-retention",
  "healthy",
  "insufficient-data",
];

/** Severities from worst to mildest (the Finding severities of src/model/analysis.ts). */
const SEVERITIES = ["critical", "warning", "info"] as const;
type Severity = (typeof SEVERITIES)[number];

export interface FailOn {
  classes: VerdictClass[];
  /** the mildest severity that fails, or null */
  severity: Severity | null;
  text: string;
}

export function parseFailOn(text: string): FailOn {
  const parts = text
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const classes: VerdictClass[] = [];
  let severity: Severity | null = null;
  for (const p of parts) {
    if ((VERDICT_CLASSES as readonly string[]).includes(p)) classes.push(p as VerdictClass);
    else if ((SEVERITIES as readonly string[]).includes(p)) {
      const s = p as Severity;
      if (severity === null || SEVERITIES.indexOf(s) > SEVERITIES.indexOf(severity)) severity = s;
    } else {
      throw new UsageError(
        `--fail-on takes verdict classes (${VERDICT_CLASSES.join(", ")}) or severities (${SEVERITIES.join(", ")}), comma-separated (got ${JSON.stringify(p)})`,
      );
    }
  }
  if (parts.length === 0) throw new UsageError("--fail-on needs at least one verdict class or severity");
  return { classes, severity, text };
}

/** What in this result matches, for the message; empty when nothing does. */
export function failOnMatches(failOn: FailOn, result: ManifestResult): string[] {
  const hits: string[] = [];
  for (const c of failOn.classes) {
    if (result.verdict === c || result.secondary.includes(c)) hits.push(c);
  }
  if (failOn.severity !== null) {
    const limit = SEVERITIES.indexOf(failOn.severity);
    const worst = result.firedSeverities
      .map((s) => SEVERITIES.indexOf(s as Severity))
      .filter((i) => i >= 0 && i <= limit)
      .sort((a, b) => a - b)[0];
    if (worst !== undefined) hits.push(`a ${SEVERITIES[worst]} finding`);
  }
  return hits;
}
