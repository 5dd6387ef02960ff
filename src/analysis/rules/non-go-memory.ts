/**
 * non-go-memory: RSS above everything the Go runtime holds, not covered by lazily freed pages: C
 * allocations through cgo, mmap'd files or anonymous maps made outside the runtime, C libraries,
 * thread stacks. Go's accounting stays flat while the gap grows or stays large; GOMEMLIMIT cannot
 * help because the runtime does not see this memory.
 *
 * The unexplained gap at each instant is RSS - (Sys - HeapReleased) - LazyFree. Without smaps_rollup,
 * lazily freed pages are at most HeapReleased where MADV_FREE is possible, and none where it is not.
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
  referencePeak,
  srcOf,
  gapView,
  MISSING_ALIGNED_RSS,
} from "../rule-kit.js";
import { linearFit } from "../series-stats.js";

/**
 * A Go process's resident memory outside the runtime's accounting is normally small: the binary's
 * text and data, shared libraries and touched thread stacks come to tens of MiB. Below 64 MiB (or 10%
 * of the peak RSS) an unexplained gap is that baseline, not a finding.
 */
const MIN_UNEXPLAINED_BYTES = 64 * 1024 * 1024;
const MIN_UNEXPLAINED_SHARE = 0.1;
/** Go's accounting is "flat" when it moved by less than a quarter of what the gap grew meanwhile. */
const GO_FLAT_SHARE = 0.25;

const RECOMMENDATION: Recommendation = {
  summary: "Find the allocations made outside the Go runtime: the Go heap profile cannot show them.",
  steps: [
    "List the process's mappings over time (`pmap -x PID` or /proc/PID/smaps) and look for growing anonymous regions or [heap] (glibc malloc).",
    "Audit cgo calls that allocate (C.malloc, C.CString, C libraries' own allocators) for a matching free; for C libraries, use their leak tooling (jemalloc/tcmalloc heap profiles, valgrind, heaptrack, bcc memleak).",
    "Check the thread count (`grep Threads /proc/PID/status`): each OS thread has its own stack outside Go's accounting.",
    "GOMEMLIMIT does not cover this memory: size container limits for it separately until it is fixed.",
  ],
  links: [LINKS.cgo, LINKS.memStats, LINKS.diagnostics],
};

/**
 * The split of RSS into anonymous and file-backed pages (RssAnon from /proc/PID/status, Anonymous
 * from smaps_rollup, anon from cgroup memory.stat) is taken from a sample within this distance of the
 * worst point: the same order as the alignment tolerance of 1-60 s capture loops.
 */
const ANON_SPLIT_TOLERANCE_MS = 60_000;
/**
 * When at least this share of the unexplained gap is file-backed (RSS - anonymous), the memory is
 * mapped files (mmap'd data files, a large binary or libraries), not cgo or C heap: clean file pages
 * are dropped by the kernel under pressure, so they are reported as a warning, not a critical leak.
 */
const FILE_BACKED_SHARE = 0.5;

/** File-backed resident bytes (RSS - anonymous) at `t`, from the nearest sample that splits RSS. */
function fileBackedNear(ctx: RuleContext, t: number): number | null {
  let best: { d: number; v: number } | null = null;
  const rss = ctx.timeline.rss;
  const anon = rss.anonBytes;
  if (!anon || rss.kind === "cgroup") return null;
  for (let i = 0; i < rss.t.length; i++) {
    if (Number.isNaN(anon[i]!)) continue;
    const d = Math.abs(rss.t[i]! - t);
    if (d <= ANON_SPLIT_TOLERANCE_MS && (!best || d < best.d)) best = { d, v: rss.rssBytes[i]! - anon[i]! };
  }
  return best ? Math.max(0, best.v) : null;
}

function rule(): Rule {
  return nonGoMemory;
}

export const nonGoMemory: Rule = {
  id: "non-go-memory",
  title: "Memory outside the Go runtime (cgo, mmap, C libraries)",
  evaluate(ctx: RuleContext): Finding {
    const { points, measured, madv } = gapView(ctx);
    if (points.length === 0) return insufficient(rule(), [MISSING_ALIGNED_RSS], RECOMMENDATION);
    const lazyBound = (p: LedgerPoint): number =>
      p.lazyFree ?? (measured || madv === "no" ? 0 : p.heapReleased);
    const unexplained = (p: LedgerPoint): number => p.gap! - lazyBound(p);
    const peak = referencePeak(ctx);
    const threshold = Math.max(MIN_UNEXPLAINED_BYTES, MIN_UNEXPLAINED_SHARE * peak);

    let best = points[0]!;
    for (const p of points) if (unexplained(p) > unexplained(best)) best = p;
    // At the RSS peak, how much of it is outside Go.
    const atPeak = points.reduce((a, b) => (b.rss! > a.rss! ? b : a));
    const evidence: Evidence[] = [
      {
        label: "unexplained gap (RSS - Go resident - LazyFree)",
        value: unexplained(best),
        unit: "bytes",
        at: best.t,
        sources: srcOf(ctx, best),
      },
      { label: "RSS", value: best.rss!, unit: "bytes", at: best.t, sources: srcOf(ctx, best) },
      {
        label: "Go resident (Sys - HeapReleased)",
        value: best.goResident,
        unit: "bytes",
        at: best.t,
        sources: srcOf(ctx, best),
      },
    ];
    if (best.lazyFree !== null)
      evidence.push({ label: "LazyFree", value: best.lazyFree, unit: "bytes", at: best.t, sources: [] });
    if (unexplained(best) < threshold) {
      return clear(
        rule(),
        `RSS never exceeded Go's resident estimate plus lazily freed pages by more than ${formatBytes(Math.max(0, unexplained(best)))} (threshold ${formatBytes(threshold)}).`,
        evidence,
        RECOMMENDATION,
      );
    }
    // Growth of the unexplained part against Go's own accounting, in the lifetime of the worst point.
    const life = lifetimes(ctx)
      .find((l) => l[0]!.lifetime === best.lifetime)!
      .filter((p) => p.rss !== null);
    const first = life[0]!;
    const grew = unexplained(best) - unexplained(first);
    const goMoved = Math.abs(best.goResident - first.goResident);
    const fit = linearFit(
      life.map((p) => p.t),
      life.map(unexplained),
    );
    evidence.push({
      label: "unexplained gap growth",
      value: grew,
      unit: "bytes",
      window: { start: first.t, end: best.t },
      sources: [...srcOf(ctx, first), ...srcOf(ctx, best)],
    });
    evidence.push({
      label: "unexplained gap trend",
      value: Math.round(fit.slope * 1000),
      unit: "bytes/s",
      window: { start: first.t, end: best.t },
      sources: [],
    });
    evidence.push({
      label: "Go resident change meanwhile",
      value: best.goResident - first.goResident,
      unit: "bytes",
      window: { start: first.t, end: best.t },
      sources: [],
    });
    const goFlat = goMoved < GO_FLAT_SHARE * Math.abs(grew);
    let confidence = measured || madv === "no" ? 0.85 : 0.5;
    if (goFlat && grew >= threshold) confidence = Math.min(0.95, confidence + 0.1);
    if (!measured && madv === "unknown")
      evidence.push({
        label: "version note",
        value: `Go version and GODEBUG unknown: on Go 1.12-1.15 or with madvdontneed=0, up to HeapReleased (${formatBytes(best.heapReleased)}) of the gap could be lazily freed pages rather than non-Go memory; /proc/PID/smaps_rollup (LazyFree) would tell`,
        unit: "text",
        sources: [],
      });
    const explains = Math.max(0, Math.min(unexplained(atPeak), atPeak.rss!));
    const fileBacked = fileBackedNear(ctx, best.t);
    if (fileBacked !== null)
      evidence.push({
        label: "file-backed resident (RSS - anonymous)",
        value: fileBacked,
        unit: "bytes",
        at: best.t,
        sources: [],
      });
    if (fileBacked !== null && fileBacked >= FILE_BACKED_SHARE * unexplained(best)) {
      return {
        ...base(rule()),
        status: "fired",
        severity: "warning",
        summary: `${formatBytes(unexplained(best))} of RSS (${formatPercent(unexplained(best) / Math.max(1, best.rss!))} at ${formatClock(best.t)}) is outside the Go runtime, and ${formatBytes(fileBacked)} of RSS is file-backed: mapped files (mmap'd data files, the binary, libraries), which the kernel can drop when clean, not cgo or C heap.`,
        confidence: Math.min(0.9, confidence),
        explainsBytes: explains > 0 ? explains : unexplained(best),
        evidence,
        recommendation: {
          summary:
            "Account for the mapped files before hunting a leak: their clean pages are reclaimable page cache.",
          steps: [
            "List the file mappings by resident size (`pmap -x PID | sort -k3 -n | tail`, or the Rss of file-backed entries in /proc/PID/smaps): an mmap'd database or index (bbolt, LMDB, badger vlog) is the usual owner.",
            "Alert on RssAnon (or cgroup `anon`) rather than VmRSS when mapped files are expected to be resident.",
            "If the container limit is hit, remember that memory.current counts these pages; dirty shared pages (MAP_SHARED writes) must be written back before they can be dropped.",
          ],
          links: [LINKS.diagnostics, LINKS.memStats],
        },
      };
    }
    const summary =
      grew >= threshold && goFlat
        ? `RSS grew to ${formatBytes(best.rss!)} while Go's own resident estimate stayed at ${formatBytes(best.goResident)}: ${formatBytes(unexplained(best))} (${formatPercent(unexplained(best) / Math.max(1, best.rss!))} of RSS) is held outside the Go runtime, growing ${formatBytes(Math.round(fit.slope * 1000))}/s for ${formatDuration(best.t - first.t)} (cgo, mmap or C libraries).`
        : `${formatBytes(unexplained(best))} of RSS (${formatPercent(unexplained(best) / Math.max(1, best.rss!))} at ${formatClock(best.t)}) is held outside the Go runtime: RSS ${formatBytes(best.rss!)} against Go's resident estimate ${formatBytes(best.goResident)}${best.lazyFree !== null ? ` and LazyFree ${formatBytes(best.lazyFree)}` : ""} (cgo, mmap or C libraries).`;
    return {
      ...base(rule()),
      status: "fired",
      severity: "critical",
      summary,
      confidence,
      explainsBytes: explains > 0 ? explains : unexplained(best),
      evidence,
      recommendation: RECOMMENDATION,
    };
  },
};
