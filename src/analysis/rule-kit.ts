/**
 * Shared pieces of the diagnosis rules: the Go documentation they link, finding constructors, the
 * per-lifetime views of the ledger, the live-heap estimate, and the "keeps rising" test.
 */
import type { SourceRef } from "../model/capture.js";
import type { Evidence, Finding, LedgerPoint, Platform, Recommendation } from "../model/analysis.js";
import type { AlignedPoint } from "../model/timeline.js";
import type { Rule, RuleContext } from "./rule.js";
import { effectiveMadvFree } from "./release-response.js";
import { linearFit, median } from "./series-stats.js";

export const LINKS = {
  gcGuide: { title: "A Guide to the Go Garbage Collector", url: "https://go.dev/doc/gc-guide" },
  memStats: { title: "runtime.MemStats", url: "https://pkg.go.dev/runtime#MemStats" },
  debug: {
    title: "runtime/debug (SetGCPercent, SetMemoryLimit, FreeOSMemory)",
    url: "https://pkg.go.dev/runtime/debug",
  },
  madvdontneedDefault: {
    title: "golang/go#42330: runtime: default to MADV_DONTNEED on Linux (Go 1.16)",
    url: "https://github.com/golang/go/issues/42330",
  },
  lazyFreeRss: {
    title: "golang/go#33376: runtime: RSS does not drop after MADV_FREE",
    url: "https://github.com/golang/go/issues/33376",
  },
  godebug: {
    title: "GODEBUG settings (madvdontneed, gctrace)",
    url: "https://pkg.go.dev/runtime#hdr-Environment_Variables",
  },
  pprof: { title: "net/http/pprof", url: "https://pkg.go.dev/net/http/pprof" },
  diagnostics: { title: "Diagnostics (profiling, tracing)", url: "https://go.dev/doc/diagnostics" },
  cgo: { title: "cgo: passing pointers and C memory", url: "https://pkg.go.dev/cmd/cgo" },
  memoryLimit: {
    title: "Go 1.19 soft memory limit (GOMEMLIMIT) design",
    url: "https://go.googlesource.com/proposal/+/master/design/48409-soft-memory-limit.md",
  },
  madvise: { title: "madvise(2): MADV_FREE", url: "https://man7.org/linux/man-pages/man2/madvise.2.html" },
} as const;

/**
 * Bytes below which a finding is not worth an engineer's time however large its share: a Go binary's
 * text, libraries and runtime metadata alone are tens of MiB, and two readings of RSS a second apart
 * differ by a few MiB.
 */
export const MIN_MATERIAL_BYTES = 16 * 1024 * 1024;
/** A finding must explain at least this share of the peak RSS (or of the Go resident peak) to fire. */
export const MIN_MATERIAL_SHARE = 0.1;
/**
 * The runtime forces a GC at least every 2 minutes (runtime.forcegcperiod), so a window this long
 * holds at least one completed GC whatever the allocation rate.
 */
export const FORCED_GC_PERIOD_MS = 120_000;
/**
 * The default GOGC: the heap goal is live x (1 + GOGC/100), plus (Go >= 1.18) stacks and globals x
 * GOGC/100. The scavenger keeps up to 10% over the goal (retainExtraPercent) for reuse.
 */
export const DEFAULT_GOGC = 100;
export const SCAVENGER_RETAIN_EXTRA = 0.1;

export function base(
  rule: Rule,
): Omit<Finding, "status" | "summary" | "confidence" | "explainsBytes" | "evidence" | "recommendation"> {
  return { id: rule.id, severity: "info", title: rule.title };
}

export function clear(
  rule: Rule,
  summary: string,
  evidence: Evidence[],
  recommendation: Recommendation,
): Finding {
  return {
    ...base(rule),
    status: "clear",
    summary,
    confidence: 0.8,
    explainsBytes: 0,
    evidence,
    recommendation,
  };
}

export function insufficient(rule: Rule, missing: string[], recommendation: Recommendation): Finding {
  return {
    ...base(rule),
    status: "insufficient-data",
    summary: `Cannot decide: ${missing.join("; ")}.`,
    confidence: 0,
    explainsBytes: 0,
    evidence: [],
    recommendation,
    missing,
  };
}

/** The bytes a finding is measured against: the peak RSS, or the peak Go resident without RSS. */
export function referencePeak(ctx: RuleContext): number {
  return ctx.figures.peakRssBytes ?? ctx.figures.peakGoResidentBytes ?? 0;
}

export function material(bytes: number, ctx: RuleContext): boolean {
  return bytes >= Math.max(MIN_MATERIAL_BYTES, MIN_MATERIAL_SHARE * referencePeak(ctx));
}

const alignedOf = new WeakMap<LedgerPoint, AlignedPoint>();

/** The aligned snapshot behind a ledger point (the ledger is built one point per aligned snapshot). */
export function snapshotOf(ctx: RuleContext, p: LedgerPoint): AlignedPoint | undefined {
  if (!alignedOf.has(p) && ctx.ledger.length === ctx.timeline.aligned.length)
    ctx.ledger.forEach((q, i) => alignedOf.set(q, ctx.timeline.aligned[i]!));
  return alignedOf.get(p) ?? ctx.timeline.aligned.find((x) => x.t === p.t && x.lifetime === p.lifetime);
}

/** The snapshot source of a ledger point (file:line). */
export function srcOf(ctx: RuleContext, p: LedgerPoint | undefined): SourceRef[] {
  if (!p) return [];
  const a = snapshotOf(ctx, p);
  return a ? [a.memstats.src] : [];
}

export function lifetimes(ctx: RuleContext): LedgerPoint[][] {
  const out: LedgerPoint[][] = [];
  for (const p of ctx.ledger) (out[p.lifetime] ??= []).push(p);
  return out.filter((l) => l && l.length > 0);
}

/**
 * The live heap's upper bound at each point of one lifetime: the lowest HeapAlloc from that point
 * until two more GCs completed (NumGC + 2): a GC frees everything that was garbage when it started, so
 * after two cycles what remains at least contains what was live. Without NumGC the window is the
 * forced-GC period. `settled` is false when no GC completed after the point (then HeapAlloc cannot
 * tell garbage from live). The window stops at a forced GC (NumForcedGC rises).
 */
export function liveHeapFloor(ctx: RuleContext, life: LedgerPoint[]): { floor: number; settled: boolean }[] {
  const numGc = life.map((p) => snapshotOf(ctx, p)?.memstats.ms.NumGC);
  const forced = life.map((p) => snapshotOf(ctx, p)?.memstats.ms.NumForcedGC);
  return life.map((p, i) => {
    let floor = p.heapAlloc;
    let settled = false;
    const n0 = numGc[i];
    for (let k = i + 1; k < life.length; k++) {
      const q = life[k]!;
      const nk = numGc[k];
      // A forced GC (runtime.GC, debug.FreeOSMemory) is often called right after the program dropped
      // data: what it frees may have been live at p, so the window ends before it.
      const f0 = forced[k - 1];
      const fk = forced[k];
      if (f0 !== undefined && fk !== undefined && fk > f0) break;
      if (n0 !== undefined && nk !== undefined) {
        if (nk > n0) settled = true;
        floor = Math.min(floor, q.heapAlloc);
        if (nk >= n0 + 2) break;
      } else {
        if (q.t - p.t > FORCED_GC_PERIOD_MS) break;
        floor = Math.min(floor, q.heapAlloc);
        settled = true;
      }
    }
    return { floor, settled };
  });
}

/**
 * "Keeps rising": the series' medians over the first, middle and last third of the lifetime rise
 * in turn by more than `step`, and the last third's own slope is at least a quarter of the whole
 * lifetime's slope (a working set that filled up and then held is not a leak).
 */
export function keepsRising(
  ts: number[],
  vs: number[],
  step: number,
): { rising: boolean; thirds: [number, number, number]; slopePerSec: number; lastSlopePerSec: number } {
  const n = ts.length;
  const cut = (a: number, b: number): number[] => vs.slice(Math.floor((a * n) / 3), Math.floor((b * n) / 3));
  const thirds: [number, number, number] = [
    median(cut(0, 1)) ?? 0,
    median(cut(1, 2)) ?? 0,
    median(cut(2, 3)) ?? 0,
  ];
  const slope = linearFit(ts, vs).slope * 1000;
  const k = Math.floor((2 * n) / 3);
  const lastSlope = n - k >= 3 ? linearFit(ts.slice(k), vs.slice(k)).slope * 1000 : slope;
  const rising =
    n >= 6 &&
    thirds[1] - thirds[0] > step &&
    thirds[2] - thirds[1] > step &&
    slope > 0 &&
    lastSlope >= 0.25 * slope;
  return { rising, thirds, slopePerSec: slope, lastSlopePerSec: lastSlope };
}

export function parseGogc(text: string | null): number | "off" | null {
  if (!text) return null;
  if (/off/i.test(text)) return "off";
  const m = /(\d+)/.exec(text);
  return m ? Number(m[1]) : null;
}

/** What the gap rules cannot do without, with the command that captures it. */
export const MISSING_ALIGNED_RSS =
  'no RSS aligned to the MemStats snapshots (log `echo "$(date -u +%FT%TZ) $(grep VmRSS /proc/$PID/status)" >> rss.log` every second)';

/**
 * The view the gap rules (lazy-free, non-go-memory) share: the ledger points where RSS is aligned,
 * whether LazyFree was measured, and whether released pages are expected to stay in RSS, where what
 * RSS did when Go released memory outranks what the version and GODEBUG suggest.
 */
export function gapView(ctx: RuleContext): {
  points: LedgerPoint[];
  measured: boolean;
  madv: Platform["madvFree"];
} {
  const points = ctx.ledger.filter((p) => p.rss !== null && p.gap !== null);
  return {
    points,
    measured: points.some((p) => p.lazyFree !== null),
    madv: effectiveMadvFree(ctx.platform, ctx.releaseResponse),
  };
}
