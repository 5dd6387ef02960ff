/**
 * gc-pressure: the collector runs most of the time because the heap goal sits barely above the live
 * heap, usually because the Go resident estimate is pinned at GOMEMLIMIT (the goal is then set by the
 * limit, not by GOGC). Signs: GCCPUFraction high and rising, the heap goal (NextGC) squeezed to within
 * a quarter of the live heap where GOGC=100 would give 100%, the Go resident estimate near the limit.
 */
import type { Evidence, Finding, LedgerPoint, Recommendation } from "../../model/analysis.js";
import type { Rule, RuleContext } from "../rule.js";
import { formatBytes, formatClock, formatDuration, formatPercent } from "../../common/format.js";
import {
  LINKS,
  base,
  clear,
  insufficient,
  lifetimes,
  liveHeapFloor,
  snapshotOf,
  srcOf,
} from "../rule-kit.js";
import { median } from "../series-stats.js";

/**
 * GCCPUFraction is cumulative since process start. The GC's background workers use 25% of GOMAXPROCS
 * while marking; a service at GOGC=100 marks a small part of the time and spends 1-3% of its CPU on
 * GC overall. 5% cumulative means marking most of the time for a good part of the process's life.
 */
const GC_CPU_HIGH = 0.05;
/**
 * The goal is squeezed when NextGC <= 1.25 x the live heap: GOGC=100 gives 2x; only a memory limit
 * (or GOGC <= 25) brings it this close, and then a GC starts after very little allocation.
 */
const GOAL_SQUEEZE = 1.25;
/** Near the limit: the Go resident estimate within 10% of GOMEMLIMIT (the limit also counts stacks and metadata). */
const NEAR_LIMIT_SHARE = 0.9;
/** The squeeze must hold for at least a quarter of a lifetime's settled snapshots to be "pinned". */
const SUSTAINED_SHARE = 0.25;

const RECOMMENDATION: Recommendation = {
  summary: "Give the heap room above its live size, or make the live heap smaller.",
  steps: [
    "If GOMEMLIMIT is set, raise it (or the container limit with it) so the heap goal can exceed the live heap by GOGC's margin; the limit is for spikes, not a steady-state size.",
    "Reduce the live heap: the heap profile's inuse_space shows what is kept; pointer-rich structures cost the most marking.",
    "Watch the GC CPU per interval (gctrace=1 or /sched/gc... metrics), not only the cumulative GCCPUFraction.",
  ],
  links: [LINKS.gcGuide, LINKS.memoryLimit, LINKS.debug],
};

function rule(): Rule {
  return gcPressure;
}

export const gcPressure: Rule = {
  id: "gc-pressure",
  title: "GC running most of the time (heap pinned near its goal or GOMEMLIMIT)",
  evaluate(ctx: RuleContext): Finding {
    const limit = ctx.platform.gomemlimitBytes;
    const hasCpu = ctx.timeline.memstats.some((m) => m.ms.GCCPUFraction !== undefined);
    const hasGoal = ctx.ledger.some((p) => p.nextGC !== null);
    if (!hasCpu && !hasGoal && ctx.timeline.gc.length === 0)
      return insufficient(
        rule(),
        [
          "no GCCPUFraction, NextGC or gctrace (capture heap?debug=1 snapshots or run with GODEBUG=gctrace=1)",
        ],
        RECOMMENDATION,
      );
    const evidence: Evidence[] = [];
    let best: { score: number; at: LedgerPoint; summary: string; confidence: number } | null = null;
    for (const life of lifetimes(ctx)) {
      const cpu = life
        .map((p) => snapshotOf(ctx, p)?.memstats.ms.GCCPUFraction)
        .filter((v): v is number => v !== undefined);
      const cpuEnd = cpu.length ? cpu[cpu.length - 1]! : null;
      const cpuStart = cpu.length ? cpu[0]! : null;
      // The cumulative fraction is noisy in a young process (a few GCs over little elapsed time), so
      // compare the medians of the middle and last thirds.
      const third = (k: number): number | null =>
        median(cpu.slice(Math.floor((k * cpu.length) / 3), Math.floor(((k + 1) * cpu.length) / 3)));
      const cpuLate = third(2);
      const cpuMid = third(1);
      const cpuHigh = cpuLate !== null && cpuMid !== null && cpuLate >= GC_CPU_HIGH && cpuLate > cpuMid;
      const floors = liveHeapFloor(ctx, life);
      const settled = life
        .map((p, i) => ({ p, f: floors[i]! }))
        .filter((x) => x.f.settled && x.p.nextGC !== null);
      const squeezed = settled.filter((x) => x.p.nextGC! <= GOAL_SQUEEZE * x.f.floor);
      const goalPinned = settled.length >= 4 && squeezed.length >= SUSTAINED_SHARE * settled.length;
      const peakGo = life.reduce((a, b) => (b.goResident > a.goResident ? b : a));
      const nearLimit = limit !== null && peakGo.goResident >= NEAR_LIMIT_SHARE * limit;
      const numGc = life
        .map((p) => snapshotOf(ctx, p)?.memstats.ms.NumGC)
        .filter((v): v is number => v !== undefined);
      const span = (life[life.length - 1]!.t - life[0]!.t) / 1000;
      const rate = numGc.length >= 2 && span > 0 ? (numGc[numGc.length - 1]! - numGc[0]!) / span : null;
      const lifeNo = life[0]!.lifetime + 1;
      if (cpuEnd !== null)
        evidence.push({
          label: `GCCPUFraction (cumulative), lifetime ${lifeNo}`,
          value: `${formatPercent(cpuMid ?? cpuStart!, 1)} (middle third) -> ${formatPercent(cpuEnd, 1)} (end)`,
          unit: "text",
          window: { start: life[0]!.t, end: life[life.length - 1]!.t },
          sources: [...srcOf(ctx, life[0]), ...srcOf(ctx, life[life.length - 1])],
        });
      if (settled.length)
        evidence.push({
          label: `snapshots with NextGC <= ${GOAL_SQUEEZE} x live heap, lifetime ${lifeNo}`,
          value: Number((squeezed.length / settled.length).toFixed(2)),
          unit: "ratio",
          sources: [],
        });
      if (rate !== null)
        evidence.push({
          label: `GC rate, lifetime ${lifeNo}`,
          value: Number((rate * 60).toFixed(1)),
          unit: "count/min",
          sources: [],
        });
      if (limit !== null)
        evidence.push({
          label: `peak Go resident vs GOMEMLIMIT ${formatBytes(limit)}`,
          value: peakGo.goResident,
          unit: "bytes",
          at: peakGo.t,
          sources: srcOf(ctx, peakGo),
        });
      const signals = [cpuHigh, goalPinned, nearLimit].filter(Boolean).length;
      const fires = (cpuHigh && (goalPinned || nearLimit)) || (goalPinned && nearLimit);
      if (!fires) continue;
      const pinnedFrom = squeezed[0]?.p ?? peakGo;
      const summary =
        `The GC ran almost continuously${squeezed.length ? ` from ${formatClock(pinnedFrom.t)}` : ""}: ` +
        `${limit !== null ? `Go's resident estimate reached ${formatBytes(peakGo.goResident)} against GOMEMLIMIT ${formatBytes(limit)}, ` : `the heap goal was squeezed to within ${formatPercent(GOAL_SQUEEZE - 1)} of the live heap (${formatBytes(squeezed[squeezed.length - 1]?.p.nextGC ?? 0)} goal), `}` +
        `GCCPUFraction rose to ${formatPercent(cpuEnd ?? 0, 1)}${rate !== null ? ` with ${(rate * 60).toFixed(0)} GCs/min` : ""} over ${formatDuration(life[life.length - 1]!.t - life[0]!.t)}.`;
      const score = peakGo.goResident;
      if (!best || score > best.score)
        best = { score, at: peakGo, summary, confidence: signals === 3 ? 0.9 : 0.75 };
    }
    if (limit === null)
      evidence.push({
        label: "GOMEMLIMIT",
        value:
          "not stated: the squeeze of the heap goal stands in for it (set gomemlimit in incident.yaml to compare)",
        unit: "text",
        sources: [],
      });
    if (!best)
      return clear(
        rule(),
        "The GC did not run under pressure: its CPU share and heap goal stayed normal.",
        evidence,
        RECOMMENDATION,
      );
    const b = best as { score: number; at: LedgerPoint; summary: string; confidence: number };
    return {
      ...base(rule()),
      status: "fired",
      severity: "critical",
      summary: b.summary,
      confidence: b.confidence,
      // The whole Go footprint is held at the limit: the runtime cannot go lower without freeing live data.
      explainsBytes: Math.min(b.at.goResident, b.at.rss ?? b.at.goResident),
      evidence,
      recommendation: RECOMMENDATION,
    };
  },
};
