/**
 * goroutine-leak: goroutines are started and never finish (blocked on a channel, a lock, a network
 * read without deadline). The count and the stack memory (StackInuse) keep rising; each goroutine
 * holds at least its minimum stack (2 KiB since Go 1.4; Go 1.19+ starts new goroutines at the average
 * stack size seen) plus whatever its frames reference. Since Go 1.18 the heap goal also counts
 * stacks, so a goroutine leak inflates the heap's headroom too.
 */
import type { Evidence, Finding, Recommendation } from "../../model/analysis.js";
import type { Rule, RuleContext } from "../rule.js";
import { formatBytes, formatCount, formatDuration } from "../../common/format.js";
import {
  LINKS,
  base,
  clear,
  insufficient,
  keepsRising,
  lifetimes,
  material,
  referencePeak,
  snapshotOf,
  srcOf,
} from "../rule-kit.js";

/** Smallest goroutine stack since Go 1.4 (runtime._StackMin): the least each leaked goroutine costs. */
const MIN_STACK_BYTES = 2048;
/**
 * A count that at least doubles and grows by 256 or more: servers' goroutine counts follow their
 * concurrency and fluctuate, but do not climb through every third of a capture by hundreds.
 */
const MIN_GROWTH_RATIO = 2;
const MIN_GROWTH_COUNT = 256;
/** Each third's median count must exceed the previous one by this many goroutines. */
const THIRD_STEP_COUNT = 16;

const RECOMMENDATION: Recommendation = {
  summary: "Find where the goroutines block and give them a way to finish.",
  steps: [
    "Take a goroutine profile: `curl -s localhost:6060/debug/pprof/goroutine?debug=1 > goroutines.txt`; the stacks with the largest counts are the leak.",
    "Give blocked operations an exit: context cancellation, select with ctx.Done(), deadlines on network I/O, closing channels when producers finish.",
    "Track runtime.NumGoroutine() as a metric and alert on its trend.",
  ],
  links: [LINKS.pprof, LINKS.diagnostics, LINKS.gcGuide],
};

function rule(): Rule {
  return goroutineLeak;
}

export const goroutineLeak: Rule = {
  id: "goroutine-leak",
  title: "Goroutines keep accumulating",
  evaluate(ctx: RuleContext): Finding {
    const evidence: Evidence[] = [];
    let fired: { summary: string; explains: number; confidence: number } | null = null;
    let anyData = false;
    for (const life of lifetimes(ctx)) {
      const t0 = life[0]!.t;
      const t1 = life[life.length - 1]!.t;
      // Counts: published with the snapshots, or from goroutine profiles in this lifetime.
      let counts = life.filter((p) => p.goroutines !== null).map((p) => ({ t: p.t, v: p.goroutines! }));
      if (counts.length < 6)
        counts = ctx.timeline.goroutines
          .filter((g) => g.t >= t0 && g.t <= t1)
          .map((g) => ({ t: g.t, v: g.count }));
      const stacks = life
        .map((p) => ({ p, v: snapshotOf(ctx, p)?.memstats.ms.StackInuse }))
        .filter((x): x is { p: typeof x.p; v: number } => x.v !== undefined);
      if (counts.length < 6 && stacks.length < 6) continue;
      anyData = true;
      const c =
        counts.length >= 6
          ? keepsRising(
              counts.map((x) => x.t),
              counts.map((x) => x.v),
              THIRD_STEP_COUNT,
            )
          : null;
      const s =
        stacks.length >= 6
          ? keepsRising(
              stacks.map((x) => x.p.t),
              stacks.map((x) => x.v),
              0.02 * referencePeak(ctx),
            )
          : null;
      const countFrom = c ? c.thirds[0] : null;
      const countTo = counts.length ? counts[counts.length - 1]!.v : null;
      const stackFrom = s ? s.thirds[0] : null;
      const stackTo = stacks.length ? stacks[stacks.length - 1]!.v : null;
      if (countFrom !== null && countTo !== null)
        evidence.push({
          label: `goroutines, lifetime ${life[0]!.lifetime + 1}`,
          value: `${formatCount(countFrom)} -> ${formatCount(countTo)}`,
          unit: "text",
          window: { start: t0, end: t1 },
          sources: [],
        });
      if (stackFrom !== null && stackTo !== null)
        evidence.push({
          label: `StackInuse, lifetime ${life[0]!.lifetime + 1}`,
          value: `${formatBytes(stackFrom)} -> ${formatBytes(stackTo)}`,
          unit: "text",
          window: { start: t0, end: t1 },
          sources: [...srcOf(ctx, life[0]), ...srcOf(ctx, life[life.length - 1])],
        });
      const countLeak =
        c !== null &&
        c.rising &&
        countTo! >= MIN_GROWTH_RATIO * Math.max(1, countFrom!) &&
        countTo! - countFrom! >= MIN_GROWTH_COUNT;
      const stackGrowth = stackTo !== null && stackFrom !== null ? stackTo - stackFrom : 0;
      const stackLeak = s !== null && s.rising && material(stackGrowth, ctx);
      if (!countLeak && !stackLeak) continue;
      const explains = Math.max(stackGrowth, countLeak ? (countTo! - countFrom!) * MIN_STACK_BYTES : 0);
      const perG = countLeak && stackGrowth > 0 ? stackGrowth / (countTo! - countFrom!) : null;
      const summary = countLeak
        ? `Goroutines kept accumulating: ${formatCount(countFrom!)} -> ${formatCount(countTo!)} in ${formatDuration(t1 - t0)}${stackTo !== null ? `, their stacks (StackInuse) ${formatBytes(stackFrom ?? 0)} -> ${formatBytes(stackTo)}${perG ? ` (~${formatBytes(perG)} per goroutine)` : ""}` : ""}, while RSS reached ${formatBytes(life[life.length - 1]!.rss ?? life[life.length - 1]!.goResident)}.`
        : `Goroutine stacks (StackInuse) kept growing: ${formatBytes(stackFrom!)} -> ${formatBytes(stackTo!)} in ${formatDuration(t1 - t0)}, while RSS reached ${formatBytes(life[life.length - 1]!.rss ?? life[life.length - 1]!.goResident)}.`;
      if (!fired || explains > fired.explains)
        fired = { summary, explains, confidence: countLeak && stackLeak ? 0.9 : countLeak ? 0.75 : 0.6 };
    }
    if (!anyData) {
      return insufficient(
        rule(),
        [
          "no goroutine count or StackInuse series (capture `curl -s localhost:6060/debug/pprof/goroutine?debug=1 | head -1` and a heap?debug=1 snapshot every 10-60 s)",
        ],
        RECOMMENDATION,
      );
    }
    if (!fired)
      return clear(
        rule(),
        "The goroutine count and their stacks did not keep rising.",
        evidence,
        RECOMMENDATION,
      );
    return {
      ...base(rule()),
      status: "fired",
      severity: "critical",
      summary: fired.summary,
      confidence: fired.confidence,
      explainsBytes: fired.explains,
      evidence,
      recommendation: RECOMMENDATION,
    };
  },
};
