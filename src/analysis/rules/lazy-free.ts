/**
 * lazy-free: RSS stays up after Go released memory, because the runtime returned it with
 * madvise(MADV_FREE): the kernel keeps those pages in the process's RSS until it needs memory
 * (smaps_rollup shows them as LazyFree). Go 1.12-1.15 do this by default on Linux >= 4.5, later
 * versions with GODEBUG=madvdontneed=0 (FORMATS.md §5.3). Not a leak.
 *
 * Fires when the gap RSS - (Sys - HeapReleased) is material and mostly covered by LazyFree; without
 * smaps_rollup, when the platform says MADV_FREE (or may) and HeapReleased covers the gap, with lower
 * confidence.
 */
import type { Evidence, Finding, LedgerPoint, Recommendation } from "../../model/analysis.js";
import type { Rule, RuleContext } from "../rule.js";
import { formatBytes, formatClock, formatDuration, formatPercent } from "../../common/format.js";
import {
  LINKS,
  base,
  clear,
  insufficient,
  material,
  referencePeak,
  srcOf,
  gapView,
  MISSING_ALIGNED_RSS,
} from "../rule-kit.js";
import { rssTrackSrc } from "../../common/rss-series.js";

/**
 * LazyFree must cover at least 75% of the gap: the rest of a normal gap is the binary, shared
 * libraries and thread stacks, resident whatever the runtime does.
 */
const LAZY_COVER_SHARE = 0.75;

const RECOMMENDATION: Recommendation = {
  summary:
    "Not a leak: the pages are free and the kernel reclaims them under memory pressure. Make RSS reflect it.",
  steps: [
    "Where RSS drives alerts, autoscaling or container limits, run with GODEBUG=madvdontneed=1 (the default since Go 1.16), or upgrade from Go 1.12-1.15, so released memory leaves RSS at once.",
    "Alert on RSS - LazyFree (from /proc/PID/smaps_rollup) instead of RSS (golang/go#33376).",
    "If the burst itself matters, reduce the peak heap (stream instead of loading whole batches): the peak, not the release, sized the RSS.",
  ],
  links: [LINKS.madvdontneedDefault, LINKS.lazyFreeRss, LINKS.godebug, LINKS.madvise],
};

function rule(): Rule {
  return lazyFree;
}

export const lazyFree: Rule = {
  id: "lazy-free",
  title: "Released memory still counted in RSS (MADV_FREE)",
  evaluate(ctx: RuleContext): Finding {
    const { points, measured, madv } = gapView(ctx);
    if (points.length === 0) return insufficient(rule(), [MISSING_ALIGNED_RSS], RECOMMENDATION);
    // The pages MADV_FREE can hold are at most what Go released; LazyFree measures them.
    const covered = (p: LedgerPoint): number => {
      const gap = Math.max(0, p.gap!);
      if (p.lazyFree !== null) return Math.min(gap, p.lazyFree);
      if (measured || madv === "no") return 0;
      return Math.min(gap, p.heapReleased);
    };
    const covers = (p: LedgerPoint): boolean =>
      p.gap! > 0 &&
      (p.lazyFree ?? (measured || madv === "no" ? 0 : p.heapReleased)) >= LAZY_COVER_SHARE * p.gap!;
    let best = points[0]!;
    for (const p of points) if (covered(p) > covered(best)) best = p;
    const bestCovered = covered(best);
    const held = points.filter((p) => covers(p) && material(covered(p), ctx));
    const evidence: Evidence[] = [
      { label: "RSS", value: best.rss!, unit: "bytes", at: best.t, sources: srcOf(ctx, best) },
      {
        label: "Go resident (Sys - HeapReleased)",
        value: best.goResident,
        unit: "bytes",
        at: best.t,
        sources: srcOf(ctx, best),
      },
      {
        label: "gap (RSS - Go resident)",
        value: best.gap!,
        unit: "bytes",
        at: best.t,
        sources: srcOf(ctx, best),
      },
      {
        label: "HeapReleased",
        value: best.heapReleased,
        unit: "bytes",
        at: best.t,
        sources: srcOf(ctx, best),
      },
    ];
    if (best.lazyFree !== null) {
      const lazy = ctx.timeline.lazyFree;
      const k = lazy.t.findIndex((t) => Math.abs(t - best.t) <= ctx.timeline.alignment.toleranceMs);
      evidence.push({
        label: "LazyFree (smaps_rollup)",
        value: best.lazyFree,
        unit: "bytes",
        at: best.t,
        sources: k >= 0 ? [rssTrackSrc(lazy, k)] : [],
      });
    }
    evidence.push({ label: "platform", value: ctx.platform.madvFreeReason, unit: "text", sources: [] });
    if (!(held.length > 0 && material(bestCovered, ctx) && covers(best))) {
      return clear(
        rule(),
        measured
          ? `LazyFree never covered a material gap (largest ${formatBytes(bestCovered)} at ${formatClock(best.t)}).`
          : ctx.releaseResponse.observed === "dropped"
            ? `Released memory left RSS at once here: when Go's resident estimate fell ${formatBytes(ctx.releaseResponse.releasedBytes)} (${formatClock(ctx.releaseResponse.from!.t)}-${formatClock(ctx.releaseResponse.to!.t)}), RSS fell ${formatBytes(ctx.releaseResponse.rssFellBytes)} (MADV_DONTNEED behaviour).`
            : madv === "no"
              ? `Released memory leaves RSS at once here (${ctx.platform.madvFreeReason}).`
              : `No material gap between RSS and Go's resident estimate that HeapReleased could explain (largest ${formatBytes(bestCovered)}).`,
        evidence,
        RECOMMENDATION,
      );
    }
    const first = held[0]!;
    const last = held[held.length - 1]!;
    evidence.push({
      label: "time RSS held released pages",
      value: Math.round((last.t - first.t) / 1000),
      unit: "seconds",
      window: { start: first.t, end: last.t },
      sources: [...srcOf(ctx, first), ...srcOf(ctx, last)],
    });
    let confidence = measured ? 0.9 : madv === "yes" ? 0.6 : 0.4;
    const notes: string[] = [];
    const rr = ctx.releaseResponse;
    if (!measured && rr.observed === "held" && rr.from && rr.to) {
      // The release episode is the observation the inference rests on: show it.
      evidence.push({
        label: "RSS change while Go released memory",
        value: `Go resident fell ${formatBytes(rr.releasedBytes)} (${formatClock(rr.from.t)}-${formatClock(rr.to.t)}); RSS fell ${formatBytes(Math.max(0, rr.rssFellBytes))}`,
        unit: "text",
        window: { start: rr.from.t, end: rr.to.t },
        sources: [...srcOf(ctx, rr.from), ...srcOf(ctx, rr.to)],
      });
      notes.push(
        `with MADV_DONTNEED RSS would have fallen by about ${formatBytes(rr.releasedBytes)} as the scavenger released; it did not, so released pages stayed resident (MADV_FREE: Go 1.12-1.15 by default, or GODEBUG=madvdontneed=0)${ctx.platform.madvFree === "no" ? `, although the platform suggested otherwise (${ctx.platform.madvFreeReason})` : ""}; capture /proc/PID/smaps_rollup to measure LazyFree and confirm`,
      );
    }
    if (measured && ctx.platform.madvFree === "no") {
      confidence = 0.75;
      notes.push(
        `the platform looked like MADV_DONTNEED (${ctx.platform.madvFreeReason}), yet smaps_rollup shows the pages as LazyFree: GODEBUG=madvdontneed=0 must have been set`,
      );
    }
    if (!measured && madv === "unknown")
      notes.push(
        "the Go version and GODEBUG are unknown: on Go 1.12-1.15 or with madvdontneed=0 this gap is lazily freed pages; on Go >= 1.16 with default settings released pages leave RSS at once, and the same gap would be non-Go memory; capture /proc/PID/smaps_rollup to tell",
      );
    for (const n of notes) evidence.push({ label: "version note", value: n, unit: "text", sources: [] });
    const peak = referencePeak(ctx);
    const summary =
      `RSS held at ${formatBytes(best.rss!)} by ${formatBytes(bestCovered)} of pages Go had already released ` +
      `(${measured ? `LazyFree ${formatBytes(best.lazyFree!)}` : "MADV_FREE, inferred from HeapReleased"}; ${formatPercent(bestCovered / Math.max(1, peak))} of peak RSS) ` +
      `for ${formatDuration(last.t - first.t)} from ${formatClock(first.t)}, while Go's own resident estimate was ${formatBytes(best.goResident)} and the heap in use ${formatBytes(best.heapInuse)}: not a leak.`;
    return {
      ...base(rule()),
      status: "fired",
      severity: "warning",
      summary,
      confidence,
      explainsBytes: bestCovered,
      evidence,
      recommendation: RECOMMENDATION,
    };
  },
};
