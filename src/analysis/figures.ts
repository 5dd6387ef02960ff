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

/** The largest value of a column and its time (the first on ties; NaN values skipped), or null. */
function columnPeak(times: number[], values: number[] | null): { v: number; t: number } | null {
  if (!values) return null;
  let best: { v: number; t: number } | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    if (!best || v > best.v) best = { v, t: times[i]! };
  }
  return best;
}

/** The last value of a column that is not NaN, or null. */
function columnLast(values: number[] | null): number | null {
  if (!values) return null;
  for (let i = values.length - 1; i >= 0; i--) if (!Number.isNaN(values[i]!)) return values[i]!;
  return null;
}

function lastOf<T>(items: T[], value: (x: T) => number | null): number | null {
  for (let i = items.length - 1; i >= 0; i--) {
    const v = value(items[i]!);
    if (v !== null) return v;
  }
  return null;
}

/** Seconds the RSS series spent above `threshold`, counting each sample until the next one (step hold). */
function secondsAbove(times: number[], rssBytes: number[], threshold: number): number {
  let ms = 0;
  for (let i = 0; i + 1 < times.length; i++) if (rssBytes[i]! > threshold) ms += times[i + 1]! - times[i]!;
  return Math.round(ms / 1000);
}

export function computeFigures(
  timeline: Timeline,
  ledger: LedgerPoint[],
  rssThresholdBytes: number | null,
): Figures {
  const rss = timeline.rss;
  const rssPeak = columnPeak(rss.t, rss.rssBytes);
  const n = rss.t.length;
  const gapPeak = peakOf(ledger, (p) => p.gap);
  const lazyPeak = columnPeak(timeline.lazyFree.t, timeline.lazyFree.lazyFreeBytes);
  const gPeak = peakOf(ledger, (p) => p.goroutines);
  return {
    peakRssBytes: rssPeak?.v ?? null,
    peakRssAt: rssPeak?.t ?? null,
    finalRssBytes: n > 0 ? rss.rssBytes[n - 1]! : null,
    finalRssAt: n > 0 ? rss.t[n - 1]! : null,
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
    finalLazyFreeBytes: columnLast(timeline.lazyFree.lazyFreeBytes),
    peakGoroutines: gPeak?.v ?? null,
    restarts: timeline.restarts.length,
    snapshots: timeline.memstats.length,
    rssSamples: n,
    secondsAboveThreshold:
      rssThresholdBytes === null ? null : secondsAbove(rss.t, rss.rssBytes, rssThresholdBytes),
    rssThresholdBytes,
  };
}
