/**
 * runtime-retention: RSS well above the live heap, all of it held by the Go runtime by design:
 *  - GC headroom: garbage below the heap goal (HeapAlloc - live). The goal is set at each GC from the
 *    live heap then: live x (1 + GOGC/100) (+ stacks and globals x GOGC/100 since Go 1.18). After a
 *    spike of live data, the goal stays high until the next GC, and garbage piles up under it.
 *  - Idle heap kept for reuse: HeapIdle - HeapReleased. The scavenger returns idle memory only above
 *    ~10% over the heap goal (retainExtraPercent), at a paced rate.
 * Fires when, at some instant, this retention exceeds what a default runtime (GOGC=100) would hold for
 * the live heap at that instant by a material amount. Fragmentation (HeapInuse - HeapAlloc) is left to
 * its own rule.
 */
import type { Evidence, Finding, LedgerPoint, Recommendation } from "../../model/analysis.js";
import type { Rule, RuleContext } from "../rule.js";
import { formatBytes, formatClock, formatPercent } from "../../common/format.js";
import {
  DEFAULT_GOGC,
  LINKS,
  SCAVENGER_RETAIN_EXTRA,
  base,
  clear,
  insufficient,
  lifetimes,
  liveHeapFloor,
  material,
  parseGogc,
  snapshotOf,
  srcOf,
} from "../rule-kit.js";

/**
 * Retention must persist 10 s to count: right after a GC the scavenger works off idle memory above its
 * goal within seconds, and garbage is freed at the next GC; what the runtime gives back that fast is
 * not held memory (capture loops and RSS alerts sample every 10 s or slower).
 */
const RETENTION_PERSIST_MS = 10_000;

const RECOMMENDATION: Recommendation = {
  summary: "Not a leak: the runtime holds this memory by design. Bound it where RSS matters.",
  steps: [
    "Set GOMEMLIMIT (Go >= 1.19) a little below the memory you can afford: the GC then runs before garbage fills the gap and the scavenger returns idle memory eagerly.",
    "Lower GOGC if it was raised (the headroom is live x GOGC/100), or call debug.FreeOSMemory() after a known one-off spike.",
    "Avoid spikes of live data (load batches in chunks): the heap goal follows the largest recent live heap.",
    "Size alerts and limits on the steady state plus the headroom, or alert on the live heap (gctrace ->live MB) instead of RSS.",
  ],
  links: [LINKS.gcGuide, LINKS.debug, LINKS.memoryLimit],
};

function rule(): Rule {
  return runtimeRetention;
}

interface Point {
  p: LedgerPoint;
  live: number;
  retention: number;
  expected: number;
}

/**
 * The GOGC the heap goal implies when the data shows it configured, else null. The runtime sets the
 * goal at the end of each GC from the heap it marked: goal = live x (1 + GOGC/100) (plus stacks and
 * globals since 1.18). A goal far above the live heap at one instant is either left by a larger live
 * heap at the GC before it (a spike the program has since dropped: the usual case, and one the live
 * floor, measured after the drop, cannot see) or configured (GOGC above 100). Only a goal that stays
 * high through the lifetime is configured: when even the lower quartile of NextGC / live over the
 * lifetime's settled snapshots exceeds twice what GOGC=100 gives, GOGC is at least that quartile's
 * ratio - 1 (the live estimate is an upper bound), rounded down to tens.
 */
const MIN_POINTS_FOR_GOGC = 8;

function impliedGogc(points: Point[], best: Point): number | null {
  const ratios = points
    .filter((x) => x.p.lifetime === best.p.lifetime && x.p.nextGC !== null && x.live > 0)
    .map((x) => x.p.nextGC! / x.live)
    .sort((a, b) => a - b);
  if (ratios.length < MIN_POINTS_FOR_GOGC) return null;
  const q1 = ratios[Math.floor(ratios.length / 4)]!;
  if (q1 <= 2 * (1 + DEFAULT_GOGC / 100)) return null;
  return Math.floor(((q1 - 1) * 100) / 10) * 10;
}

export const runtimeRetention: Rule = {
  id: "runtime-retention",
  title: "Memory held by the Go runtime by design (GC headroom, idle heap)",
  evaluate(ctx: RuleContext): Finding {
    const gogc = parseGogc(ctx.platform.gogc);
    const points: Point[] = [];
    for (const life of lifetimes(ctx)) {
      const floors = liveHeapFloor(ctx, life);
      const raw = life.map((p, i) => Math.max(0, p.heapAlloc - floors[i]!.floor) + p.retainedIdle);
      // The retention that lasted: the least of it over the following RETENTION_PERSIST_MS.
      const lasting = life.map((p, i) => {
        let m = raw[i]!;
        for (let k = i + 1; k < life.length && life[k]!.t - p.t <= RETENTION_PERSIST_MS; k++)
          m = Math.min(m, raw[k]!);
        return m;
      });
      life.forEach((p, i) => {
        const f = floors[i]!;
        if (!f.settled) return;
        const stacks = snapshotOf(ctx, p)?.memstats.ms.StackInuse ?? 0;
        const live = f.floor;
        // What a default runtime keeps for this live heap: the goal's headroom plus the scavenger's margin.
        const goal = live * (1 + DEFAULT_GOGC / 100) + (stacks * DEFAULT_GOGC) / 100;
        const expected = (1 + SCAVENGER_RETAIN_EXTRA) * goal - live;
        const retention = lasting[i]!;
        points.push({ p, live, retention, expected });
      });
    }
    if (points.length === 0)
      return insufficient(
        rule(),
        [
          "no MemStats snapshot followed by a completed GC (capture heap?debug=1 snapshots spanning several GC cycles)",
        ],
        RECOMMENDATION,
      );
    let best = points[0]!;
    for (const x of points) if (x.retention - x.expected > best.retention - best.expected) best = x;
    const excess = best.retention - best.expected;
    const garbage = Math.max(0, best.p.heapAlloc - best.live);
    const evidence: Evidence[] = [
      {
        label: "live heap (post-GC HeapAlloc floor)",
        value: best.live,
        unit: "bytes",
        at: best.p.t,
        sources: srcOf(ctx, best.p),
      },
      {
        label: "garbage below the heap goal (HeapAlloc - live)",
        value: garbage,
        unit: "bytes",
        at: best.p.t,
        sources: srcOf(ctx, best.p),
      },
      {
        label: "idle heap kept (HeapIdle - HeapReleased)",
        value: best.p.retainedIdle,
        unit: "bytes",
        at: best.p.t,
        sources: srcOf(ctx, best.p),
      },
      {
        label: "what GOGC=100 keeps for that live heap (goal headroom + 10%)",
        value: Math.round(best.expected),
        unit: "bytes",
        at: best.p.t,
        sources: [],
      },
    ];
    if (best.p.nextGC !== null)
      evidence.push({
        label: "heap goal (NextGC)",
        value: best.p.nextGC,
        unit: "bytes",
        at: best.p.t,
        sources: srcOf(ctx, best.p),
      });
    if (gogc === null)
      evidence.push({
        label: "GOGC",
        value:
          "unknown, compared against the default 100; with a higher GOGC the same headroom is configured rather than inherited from a spike",
        unit: "text",
        sources: [],
      });
    if (!material(excess, ctx))
      return clear(
        rule(),
        `The runtime never held materially more than GOGC=100 implies: at most ${formatBytes(Math.max(0, Math.round(excess)))} above the expected headroom.`,
        evidence,
        RECOMMENDATION,
      );
    // Go must account for the RSS at that instant for this to be the runtime's doing.
    const rss = best.p.rss;
    const goHolds =
      rss === null || best.p.gap === null || best.p.gap <= Math.max(0.1 * rss, 16 * 1024 * 1024);
    const lastPoint = points[points.length - 1]!;
    const after =
      lastPoint.p.t > best.p.t
        ? ` By the end RSS was ${formatBytes(lastPoint.p.rss ?? lastPoint.p.goResident)} for a live heap of ${formatBytes(lastPoint.live)} (${((lastPoint.p.rss ?? lastPoint.p.goResident) / Math.max(1, lastPoint.live)).toFixed(1)}x).`
        : "";
    const implied = impliedGogc(points, best);
    const cause =
      typeof gogc === "number" && gogc > DEFAULT_GOGC
        ? `GOGC=${gogc} sets the heap goal at ${(1 + gogc / 100).toFixed(1)}x the live heap`
        : best.p.nextGC !== null && best.p.nextGC > 2 * (1 + DEFAULT_GOGC / 100) * best.live
          ? implied !== null
            ? `a heap goal of ${formatBytes(best.p.nextGC)}, ${(best.p.nextGC / best.live).toFixed(1)}x the live heap, and the goal stayed that high through the lifetime: a GOGC of at least ${implied}${gogc === null ? " (GOGC not stated)" : ""}`
            : `a heap goal of ${formatBytes(best.p.nextGC)} set by an earlier, larger live heap`
          : "the heap goal and the scavenger's pace";
    const summary =
      `At ${formatClock(best.p.t)} RSS was ${formatBytes(rss ?? best.p.goResident)} for a live heap of ${formatBytes(best.live)}: ` +
      `${formatBytes(best.retention)} (${formatPercent(best.retention / Math.max(1, rss ?? best.p.goResident))}) was garbage below the heap goal and idle heap kept by the runtime (${cause}), not a leak.${after}`;
    return {
      ...base(rule()),
      status: "fired",
      severity: "info",
      summary,
      confidence: goHolds ? 0.75 : 0.5,
      explainsBytes: Math.round(Math.min(best.retention, rss ?? best.retention)),
      evidence,
      recommendation: RECOMMENDATION,
    };
  },
};
