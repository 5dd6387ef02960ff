/**
 * fragmentation: spans dedicated to a size class stay in use while most of their slots are free.
 * HeapInuse - HeapAlloc bounds it (it also counts unswept garbage, which the next GC settles). When
 * a few survivors of many small objects pin every span, HeapInuse stays a multiple of HeapAlloc through
 * GC cycles, and the scavenger cannot return those spans: RSS stays high with a small live heap.
 */
import type { Evidence, Finding, LedgerPoint, Recommendation } from "../../model/analysis.js";
import type { Rule, RuleContext } from "../rule.js";
import { formatBytes, formatDuration, formatPercent } from "../../common/format.js";
import { LINKS, base, clear, insufficient, lifetimes, material, snapshotOf, srcOf } from "../rule-kit.js";
import { median } from "../series-stats.js";

/**
 * Half of HeapInuse unused (HeapInuse >= 2 x HeapAlloc): Go's size classes cap rounding waste near
 * 12.5%, and freed slots are reused by the same size class, so a normal heap runs at 1.0-1.3x. Twice
 * that is spans pinned by a few live objects each.
 */
const FRAGMENTED_SHARE = 0.5;
/** "Sustained": the condition must hold across at least one completed GC and this many snapshots. */
const MIN_RUN_SNAPSHOTS = 3;

const RECOMMENDATION: Recommendation = {
  summary: "Reduce the mix of long- and short-lived small objects sharing spans.",
  steps: [
    "Find the size classes: `go tool pprof -sample_index=inuse_objects` on a heap profile; many small objects kept from a larger batch are the pattern.",
    "Copy survivors into a fresh, compact structure instead of keeping a few elements of large batches (e.g. rebuild the map or slice after filtering).",
    "Pool or batch allocations of the same lifetime together; avoid keeping sub-slices of large buffers.",
    "The memory is reusable by the same size classes: a steady workload will refill it; a one-off filter leaves it pinned until the survivors die.",
  ],
  links: [LINKS.gcGuide, LINKS.memStats],
};

function rule(): Rule {
  return fragmentation;
}

export const fragmentation: Rule = {
  id: "fragmentation",
  title: "Heap fragmentation (spans in use, mostly empty)",
  evaluate(ctx: RuleContext): Finding {
    if (ctx.ledger.length < MIN_RUN_SNAPSHOTS)
      return insufficient(
        rule(),
        [`fewer than ${MIN_RUN_SNAPSHOTS} MemStats snapshots (capture heap?debug=1 every 10-60 s)`],
        RECOMMENDATION,
      );
    let best: { run: LedgerPoint[]; bytes: number } | null = null;
    for (const life of lifetimes(ctx)) {
      let run: LedgerPoint[] = [];
      const close = (): void => {
        if (run.length >= MIN_RUN_SNAPSHOTS) {
          const n0 = snapshotOf(ctx, run[0]!)?.memstats.ms.NumGC;
          const n1 = snapshotOf(ctx, run[run.length - 1]!)?.memstats.ms.NumGC;
          const gcInside =
            n0 === undefined || n1 === undefined ? run[run.length - 1]!.t - run[0]!.t >= 120_000 : n1 > n0;
          const bytes = median(run.map((p) => p.fragmentation)) ?? 0;
          if (gcInside && material(bytes, ctx) && (!best || bytes > best.bytes)) best = { run, bytes };
        }
        run = [];
      };
      for (const p of life) {
        if (p.heapInuse > 0 && p.fragmentation >= FRAGMENTED_SHARE * p.heapInuse) run.push(p);
        else close();
      }
      close();
    }
    const all = ctx.ledger;
    const worst = all.reduce((a, b) => (b.fragmentation > a.fragmentation ? b : a));
    const evidence: Evidence[] = [
      {
        label: "HeapInuse - HeapAlloc (largest)",
        value: worst.fragmentation,
        unit: "bytes",
        at: worst.t,
        sources: srcOf(ctx, worst),
      },
      {
        label: "HeapInuse / HeapAlloc there",
        value: Number((worst.heapInuse / Math.max(1, worst.heapAlloc)).toFixed(2)),
        unit: "ratio",
        at: worst.t,
        sources: srcOf(ctx, worst),
      },
    ];
    if (!best)
      return clear(
        rule(),
        `Spans in use were never mostly empty for long: the largest HeapInuse - HeapAlloc was ${formatBytes(worst.fragmentation)} (${formatPercent(worst.fragmentation / Math.max(1, worst.heapInuse))} of HeapInuse).`,
        evidence,
        RECOMMENDATION,
      );
    const { run, bytes } = best as { run: LedgerPoint[]; bytes: number };
    const first = run[0]!;
    const last = run[run.length - 1]!;
    const ratio = median(run.map((p) => p.heapInuse / Math.max(1, p.heapAlloc))) ?? 0;
    evidence.push({
      label: "sustained HeapInuse - HeapAlloc (median)",
      value: Math.round(bytes),
      unit: "bytes",
      window: { start: first.t, end: last.t },
      sources: [...srcOf(ctx, first), ...srcOf(ctx, last)],
    });
    evidence.push({
      label: "median HeapInuse / HeapAlloc",
      value: Number(ratio.toFixed(2)),
      unit: "ratio",
      window: { start: first.t, end: last.t },
      sources: [],
    });
    const rss = last.rss ?? last.goResident;
    return {
      ...base(rule()),
      status: "fired",
      severity: "warning",
      summary: `Heap spans stayed mostly empty: HeapInuse was ${ratio.toFixed(1)}x HeapAlloc for ${formatDuration(last.t - first.t)} (${formatBytes(Math.round(bytes))} in spans but not in objects), holding RSS at ${formatBytes(rss)} against a live heap of ${formatBytes(last.heapAlloc)}.`,
      confidence: run.length >= 10 ? 0.85 : 0.7,
      explainsBytes: Math.round(bytes),
      evidence,
      recommendation: RECOMMENDATION,
    };
  },
};
