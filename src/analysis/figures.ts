/** Peak and final figures of an incident, from the RSS series and the ledger. */
import type { Figures, LedgerPoint } from "../model/analysis.js";
import type { Timeline } from "../model/timeline.js";

function peakOf<T>(items: T[], value: (x: T) => number | null): { v: number; item: T } | null {
  let best: { v: number; item: T } | null = null;
  // indexed: an unoptimised for-of allocates a result object per element (600k RSS samples a week)
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    const v = value(it);
    if (v === null) continue;
    if (!best || v > best.v) best = { v, item: it };
  }
  return best;
}

function lastOf<T>(items: T[], value: (x: T) => number | null): number | null {
  for (let i = items.length - 1; i >= 0; i--) {
    const v = value(items[i]!);
    if (v !== null) return v;
  }
  return null;
}

/** Seconds the RSS series spent above `threshold`, counting each sample until the next one (step hold). */
function secondsAbove(rss: { t: number; rssBytes: number }[], threshold: number): number {
  let ms = 0;
  for (let i = 0; i + 1 < rss.length; i++) if (rss[i]!.rssBytes > threshold) ms += rss[i + 1]!.t - rss[i]!.t;
  return Math.round(ms / 1000);
}

export function computeFigures(
  timeline: Timeline,
  ledger: LedgerPoint[],
  rssThresholdBytes: number | null,
): Figures {
  const rssPeak = peakOf(timeline.rss, (s) => s.rssBytes);
  const rssLast = timeline.rss[timeline.rss.length - 1];
  const gapPeak = peakOf(ledger, (p) => p.gap);
  const lazyPeak = peakOf(timeline.lazyFree, (s) => s.lazyFreeBytes ?? null);
  const lazyLast = timeline.lazyFree[timeline.lazyFree.length - 1];
  const gPeak = peakOf(ledger, (p) => p.goroutines);
  return {
    peakRssBytes: rssPeak?.v ?? null,
    peakRssAt: rssPeak?.item.t ?? null,
    finalRssBytes: rssLast?.rssBytes ?? null,
    finalRssAt: rssLast?.t ?? null,
    peakGoResidentBytes: peakOf(ledger, (p) => p.goResident)?.v ?? null,
    finalGoResidentBytes: lastOf(ledger, (p) => p.goResident),
    peakGapBytes: gapPeak?.v ?? null,
    peakGapAt: gapPeak?.item.t ?? null,
    finalGapBytes: lastOf(ledger, (p) => p.gap),
    peakHeapAllocBytes: peakOf(ledger, (p) => p.heapAlloc)?.v ?? null,
    finalHeapAllocBytes: lastOf(ledger, (p) => p.heapAlloc),
    peakHeapInuseBytes: peakOf(ledger, (p) => p.heapInuse)?.v ?? null,
    peakHeapReleasedBytes: peakOf(ledger, (p) => p.heapReleased)?.v ?? null,
    peakLazyFreeBytes: lazyPeak?.v ?? null,
    finalLazyFreeBytes: lazyLast?.lazyFreeBytes ?? null,
    peakGoroutines: gPeak?.v ?? null,
    restarts: timeline.restarts.length,
    snapshots: timeline.memstats.length,
    rssSamples: timeline.rss.length,
    secondsAboveThreshold: rssThresholdBytes === null ? null : secondsAbove(timeline.rss, rssThresholdBytes),
    rssThresholdBytes,
  };
}
