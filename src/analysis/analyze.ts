/**
 * The analysis stage: ledger, figures, platform, phases and transitions, rule findings and the
 * verdict. Pure: Captures + Timeline in, Analysis out.
 */
import type { Captures, HeapProfileRef } from "../model/capture.js";
import type { Analysis, Finding, LedgerPoint, Phase } from "../model/analysis.js";
import type { RunOptions } from "../model/options.js";
import type { Timeline } from "../model/timeline.js";
import type { RuleContext } from "./rule.js";
import { computeFigures } from "./figures.js";
import { buildLedger } from "./ledger.js";
import { determinePlatform } from "./platform.js";
import { findPhases } from "./phases.js";
import { observeReleaseResponse } from "./release-response.js";
import { buildTransitions } from "./transitions.js";
import { RULES } from "./rules/index.js";
import { chooseVerdict } from "./verdict.js";

/** What the whole analysis cannot do without, named with the command that would capture it. */
function missingBasics(timeline: Timeline): string[] {
  const missing: string[] = [];
  if (timeline.memstats.length === 0) {
    missing.push(
      "no Go MemStats snapshot (capture `curl -s localhost:6060/debug/pprof/heap?debug=1 > heap-$(date -u +%Y%m%dT%H%M%SZ).txt` every minute)",
    );
  }
  if (timeline.rss.t.length === 0) {
    missing.push(
      'no RSS series (log `echo "$(date -u +%FT%TZ) $(grep VmRSS /proc/$PID/status)" >> rss.log` every second)',
    );
  }
  return missing;
}

/**
 * `growthProfiles` are the heap snapshots `selectGrowthSnapshots` chose, with their allocation sites
 * loaded by the pipeline (ingest reads files; analysis stays pure).
 */
/** The ledger and phases of this timeline when the caller has them already (the pipeline needs them first). */
export interface LedgerAndPhases {
  ledger: LedgerPoint[];
  phases: Phase[];
}

/** buildLedger and findPhases of a timeline: what the pipeline computes once and analyze reuses. */
export function ledgerAndPhases(timeline: Timeline): LedgerAndPhases {
  const ledger = buildLedger(timeline.aligned);
  return { ledger, phases: findPhases(timeline, ledger) };
}

export function buildRuleContext(
  captures: Captures,
  timeline: Timeline,
  options: RunOptions,
  growthProfiles: HeapProfileRef[] = [],
  precomputed?: LedgerAndPhases,
): RuleContext {
  const { ledger, phases } = precomputed ?? ledgerAndPhases(timeline);
  const platform = determinePlatform(captures, options);
  const figures = computeFigures(timeline, ledger, captures.meta?.rssThresholdBytes ?? null);
  const releaseResponse = observeReleaseResponse(ledger, figures.peakRssBytes);
  return { timeline, ledger, phases, platform, figures, captures, growthProfiles, releaseResponse };
}

export function analyze(
  captures: Captures,
  timeline: Timeline,
  options: RunOptions,
  growthProfiles: HeapProfileRef[] = [],
  precomputed?: LedgerAndPhases,
): Analysis {
  const ctx = buildRuleContext(captures, timeline, options, growthProfiles, precomputed);
  const { ledger, phases, platform, figures } = ctx;
  const findings: Finding[] = RULES.map((rule) => {
    try {
      return rule.evaluate(ctx);
    } catch (err) {
      return {
        id: rule.id,
        status: "error",
        severity: "info",
        title: rule.title,
        summary: `The rule failed: ${(err as Error).message}`,
        confidence: 0,
        explainsBytes: 0,
        evidence: [],
        recommendation: { summary: "", steps: [], links: [] },
      } satisfies Finding;
    }
  });
  const verdict = chooseVerdict(findings, figures, missingBasics(timeline));
  const transitions = buildTransitions(timeline, ledger, phases, captures.meta?.events ?? []);
  return { ledger, phases, transitions, findings, verdict, figures, platform };
}
