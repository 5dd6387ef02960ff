/**
 * heap-leak: the live heap keeps growing. What survives each GC (the post-GC floor of HeapAlloc, or
 * gctrace's marked live heap) rises across cycles and across the lifetime, instead of filling a
 * working set and holding. HeapObjects rising with it says the growth is objects kept, not a few
 * large buffers. The growth sites come from comparing heap profiles of the first and last phase.
 *
 * Live heap estimate: the lowest HeapAlloc from each snapshot until two more GCs completed (see
 * liveHeapFloor); gctrace's `->live MB` when the lifetime has gctrace lines.
 */
import { maxOf, minOf } from "../../common/collections.js";
import type { Evidence, Finding, LedgerPoint, Recommendation, SiteGrowth } from "../../model/analysis.js";
import type { Rule, RuleContext } from "../rule.js";
import { formatBytes, formatClock, formatCount, formatDuration } from "../../common/format.js";
import {
  LINKS,
  base,
  clear,
  insufficient,
  keepsRising,
  lifetimes,
  liveHeapFloor,
  material,
  referencePeak,
  snapshotOf,
  srcOf,
} from "../rule-kit.js";
import { siteGrowth } from "../growth.js";

/** A leak is seen across cycles: fewer than three completed GCs in a lifetime cannot show a trend. */
const MIN_GC_CYCLES = 3;
/** Points needed to split a lifetime into thirds with a median each. */
const MIN_POINTS = 6;
/**
 * Each third's median must exceed the previous one by 2% of the peak: the post-GC floor of a steady
 * service wanders by a few percent with request mix (what is in flight when GC marks).
 */
const THIRD_STEP_SHARE = 0.02;

const RECOMMENDATION: Recommendation = {
  summary: "Find what keeps the growing objects reachable and bound it (eviction, TTL, size cap).",
  steps: [
    "Compare two heap profiles taken minutes apart: `go tool pprof -base heap-early.pb.gz heap-late.pb.gz`, then `top -sample_index=inuse_space`.",
    "Look at the sites listed here: maps, caches and slices that only grow, goroutines holding references, time.Ticker or context values never released.",
    "Add a bound (LRU size, TTL) or delete entries when their owner is done; verify that the post-GC heap (gctrace `->X MB` live) flattens.",
    "Until fixed, GOMEMLIMIT makes the GC work harder before OOM but cannot free live objects.",
  ],
  links: [LINKS.gcGuide, LINKS.pprof, LINKS.diagnostics],
};

function rule(): Rule {
  return heapLeak;
}

interface LifeResult {
  lifetime: number;
  first: LedgerPoint;
  last: LedgerPoint;
  startFloor: number;
  endFloor: number;
  growth: number;
  slopePerSec: number;
  rising: boolean;
  cycles: number;
  objectsFrom: number | null;
  objectsTo: number | null;
  source: string;
}

export const heapLeak: Rule = {
  id: "heap-leak",
  title: "Live heap keeps growing",
  evaluate(ctx: RuleContext): Finding {
    const step = THIRD_STEP_SHARE * referencePeak(ctx);
    const results: LifeResult[] = [];
    // What each lifetime had, for a precise "insufficient data" message.
    const seen: { snapshots: number; cycles: number; spanMs: number }[] = [];
    for (const life of lifetimes(ctx)) {
      const gcNums = life.map((p) => snapshotOf(ctx, p)?.memstats.ms.NumGC).filter((n) => n !== undefined);
      const lifeNo = life[0]!.lifetime;
      const gcLines = ctx.timeline.gc.filter(
        (e): e is typeof e & { t: number } =>
          e.t !== null && e.t >= life[0]!.t && e.t <= life[life.length - 1]!.t,
      );
      const cycles = gcNums.length ? gcNums[gcNums.length - 1]! - gcNums[0]! : gcLines.length;
      seen.push({ snapshots: life.length, cycles, spanMs: life[life.length - 1]!.t - life[0]!.t });
      if (life.length < MIN_POINTS || cycles < MIN_GC_CYCLES) continue;
      let ts: number[];
      let vs: number[];
      let source: string;
      if (gcLines.length >= MIN_POINTS) {
        ts = gcLines.map((e) => e.t);
        vs = gcLines.map((e) => e.heapLiveBytes);
        source = "gctrace live heap (->live MB)";
      } else {
        const floors = liveHeapFloor(ctx, life);
        const settled = life.map((p, i) => ({ p, f: floors[i]! })).filter((x) => x.f.settled);
        ts = settled.map((x) => x.p.t);
        vs = settled.map((x) => x.f.floor);
        source = "post-GC HeapAlloc floor";
      }
      if (ts.length < MIN_POINTS) continue;
      const k = keepsRising(ts, vs, step);
      const objs = life.map((p) => p.heapObjects).filter((v): v is number => v !== null);
      results.push({
        lifetime: lifeNo,
        first: life[0]!,
        last: life[life.length - 1]!,
        startFloor: k.thirds[0],
        endFloor: vs[vs.length - 1]!,
        growth: vs[vs.length - 1]! - k.thirds[0],
        slopePerSec: k.slopePerSec,
        rising: k.rising,
        cycles,
        objectsFrom: objs.length ? minOf(objs.slice(0, Math.max(1, Math.floor(objs.length / 3)))) : null,
        objectsTo: objs.length ? minOf(objs.slice(Math.floor((2 * objs.length) / 3))) : null,
        source,
      });
    }
    if (results.length === 0) {
      const had = seen.length
        ? `: ${seen.length === 1 ? "the capture has" : `its ${seen.length} lifetimes have`} ${seen.map((x) => `${formatCount(x.snapshots)} snapshot${x.snapshots === 1 ? "" : "s"} over ${formatDuration(x.spanMs)} spanning ${formatCount(x.cycles)} GC${x.cycles === 1 ? "" : "s"}`).join(", ")}`
        : "";
      return insufficient(
        rule(),
        [
          `no lifetime with ${MIN_POINTS} MemStats snapshots spanning ${MIN_GC_CYCLES} completed GCs${had} (capture \`curl -s localhost:6060/debug/pprof/heap?debug=1\` every 10-60 s for at least several GC cycles, or run with GODEBUG=gctrace=1)`,
        ],
        RECOMMENDATION,
      );
    }
    const leaking = results.filter((r) => r.rising && material(r.growth, ctx));
    const worst = [...(leaking.length ? leaking : results)].sort((a, b) => b.growth - a.growth)[0]!;
    const evidence: Evidence[] = [];
    for (const r of leaking.length ? leaking : [worst]) {
      evidence.push({
        label: `live heap (${r.source}), lifetime ${r.lifetime + 1}`,
        value: `${formatBytes(r.startFloor)} -> ${formatBytes(r.endFloor)} over ${formatCount(r.cycles)} GC cycles`,
        unit: "text",
        window: { start: r.first.t, end: r.last.t },
        sources: [...srcOf(ctx, r.first), ...srcOf(ctx, r.last)],
      });
      evidence.push({
        label: `live heap growth rate, lifetime ${r.lifetime + 1}`,
        value: Math.round(r.slopePerSec),
        unit: "bytes/s",
        window: { start: r.first.t, end: r.last.t },
        sources: [],
      });
      if (r.objectsFrom !== null && r.objectsTo !== null)
        evidence.push({
          label: `HeapObjects floor, lifetime ${r.lifetime + 1}`,
          value: `${formatCount(r.objectsFrom)} -> ${formatCount(r.objectsTo)}`,
          unit: "text",
          window: { start: r.first.t, end: r.last.t },
          sources: [],
        });
    }
    if (leaking.length === 0) {
      return clear(
        rule(),
        `The live heap did not keep growing: ${formatBytes(worst.startFloor)} -> ${formatBytes(worst.endFloor)} (${worst.rising ? "growth below the material threshold" : "it filled and held, or fell"}).`,
        evidence,
        RECOMMENDATION,
      );
    }
    // Growth sites from the compared heap profiles.
    let sites: SiteGrowth[] = [];
    const loaded = (ctx.growthProfiles ?? []).filter((p) => p.sites !== null);
    if (loaded.length >= 2) sites = siteGrowth(loaded[0]!, loaded[loaded.length - 1]!);
    if (sites.length) {
      evidence.push({
        label: "top growth site",
        value: `${sites[0]!.func} (${sites[0]!.location}) +${formatBytes(sites[0]!.growthBytes)}`,
        unit: "text",
        window: { start: loaded[0]!.t, end: loaded[loaded.length - 1]!.t },
        sources: [loaded[0]!.src, loaded[loaded.length - 1]!.src],
      });
    }
    const objectsRose = leaking.every(
      (r) => r.objectsFrom !== null && r.objectsTo !== null && r.objectsTo > r.objectsFrom,
    );
    const restarts = ctx.timeline.restarts.filter((r) => r.kind === "restart").length;
    const life =
      leaking.length > 1
        ? ` in each of ${leaking.length} lifetimes (${restarts} restart${restarts === 1 ? "" : "s"})`
        : "";
    const siteText = sites.length
      ? `; top growth site ${sites[0]!.func} (+${formatBytes(sites[0]!.growthBytes)})`
      : "";
    const summary = `The live heap kept growing${life}: from ${formatBytes(worst.startFloor)} to ${formatBytes(worst.endFloor)} in ${formatDuration(worst.last.t - worst.first.t)} (+${formatBytes(Math.round(worst.slopePerSec))}/s across ${formatCount(worst.cycles)} GCs) up to RSS ${formatBytes(worst.last.rss ?? worst.last.goResident)} at ${formatClock(worst.last.t)}${siteText}.`;
    return {
      ...base(rule()),
      status: "fired",
      severity: "critical",
      summary,
      confidence: Math.min(
        0.95,
        0.65 + (objectsRose ? 0.15 : 0) + (sites.length ? 0.1 : 0) + (leaking.length > 1 ? 0.05 : 0),
      ),
      // The growth, with the heap headroom GOGC adds on top of it (the goal follows the live heap).
      explainsBytes: Math.min(maxOf(leaking.map((r) => r.growth)), referencePeak(ctx)),
      evidence,
      recommendation: RECOMMENDATION,
      ...(sites.length ? { growthSites: sites } : {}),
    };
  },
};
