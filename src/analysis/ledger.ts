/**
 * The RSS ledger of DESIGN.md §6 at every aligned instant: what the OS sees (RSS) set against what
 * the Go runtime accounts for, line by line.
 */
import type { LedgerPoint } from "../model/analysis.js";
import type { AlignedPoint } from "../model/timeline.js";

export function ledgerPoint(p: AlignedPoint): LedgerPoint {
  const ms = p.memstats.ms;
  const goResident = ms.Sys - ms.HeapReleased;
  const meta =
    ms.MSpanSys !== undefined &&
    ms.MCacheSys !== undefined &&
    ms.BuckHashSys !== undefined &&
    ms.GCSys !== undefined &&
    ms.OtherSys !== undefined
      ? ms.MSpanSys + ms.MCacheSys + ms.BuckHashSys + ms.GCSys + ms.OtherSys
      : null;
  return {
    t: p.t,
    lifetime: p.lifetime,
    rss: p.rssBytes,
    goResident,
    heapAlloc: ms.HeapAlloc,
    heapInuse: ms.HeapInuse,
    fragmentation: ms.HeapInuse - ms.HeapAlloc,
    retainedIdle: ms.HeapIdle - ms.HeapReleased,
    heapReleased: ms.HeapReleased,
    stacks: ms.StackSys ?? ms.StackInuse ?? null,
    metadata: meta,
    lazyFree: p.lazyFreeBytes,
    gap: p.rssBytes === null ? null : p.rssBytes - goResident,
    sys: ms.Sys,
    nextGC: ms.NextGC ?? null,
    heapObjects: ms.HeapObjects ?? null,
    goroutines: p.goroutines,
  };
}

export function buildLedger(aligned: AlignedPoint[]): LedgerPoint[] {
  return aligned.map(ledgerPoint);
}
