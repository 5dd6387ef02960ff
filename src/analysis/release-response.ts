/**
 * How RSS answered when the Go runtime released memory: the one behaviour that tells MADV_FREE from
 * MADV_DONTNEED when neither smaps_rollup (LazyFree) nor the Go version and GODEBUG settle it.
 *
 * Method: in each lifetime, take the largest fall of Go's resident estimate (Sys - HeapReleased) from
 * a running maximum to a later point. Sys never shrinks, so that fall is memory the scavenger
 * released. With MADV_DONTNEED the kernel drops those pages at once and RSS falls by about the same
 * amount; with MADV_FREE (Go 1.12-1.15 by default, or GODEBUG=madvdontneed=0) RSS stays where it was
 * until the kernel is short of memory. So: RSS fell by less than HELD_SHARE of the release -> "held";
 * by more -> "dropped"; no material release -> "none" (the data cannot tell).
 */
import type { LedgerPoint, Platform } from "../model/analysis.js";

/**
 * RSS falling by less than half of what Go released means the pages stayed resident. With DONTNEED
 * the fall is the whole release minus pages re-touched meanwhile, which at GC pace is far below half.
 */
const HELD_SHARE = 0.5;

/**
 * A release smaller than this says nothing: RSS moves by tens of MiB with thread stacks, page cache
 * of the binary and allocation noise. 64 MiB, or 10% of the peak RSS when that is larger.
 */
const MIN_RELEASE_BYTES = 64 * 1024 * 1024;
const MIN_RELEASE_SHARE = 0.1;

export interface ReleaseResponse {
  observed: "held" | "dropped" | "none";
  /** the release episode: Go resident from its high to its later low */
  from: LedgerPoint | null;
  to: LedgerPoint | null;
  releasedBytes: number;
  rssFellBytes: number;
}

export function observeReleaseResponse(ledger: LedgerPoint[], peakRss: number | null): ReleaseResponse {
  const min = Math.max(MIN_RELEASE_BYTES, MIN_RELEASE_SHARE * (peakRss ?? 0));
  let best: ReleaseResponse = { observed: "none", from: null, to: null, releasedBytes: 0, rssFellBytes: 0 };
  let high: LedgerPoint | null = null;
  for (const p of ledger) {
    if (p.rss === null) continue;
    if (!high || p.lifetime !== high.lifetime || p.goResident > high.goResident) {
      high = p;
      continue;
    }
    const released = high.goResident - p.goResident;
    if (released > best.releasedBytes) {
      best = {
        observed: "none",
        from: high,
        to: p,
        releasedBytes: released,
        rssFellBytes: high.rss! - p.rss!,
      };
    }
  }
  if (best.releasedBytes < min) return { ...best, observed: "none" };
  return { ...best, observed: best.rssFellBytes < HELD_SHARE * best.releasedBytes ? "held" : "dropped" };
}

/**
 * Whether released pages are expected to stay in RSS, with the data's own answer winning over what the
 * version and GODEBUG suggest (a stated madvdontneed=1 with RSS holding is itself worth saying).
 */
export function effectiveMadvFree(platform: Platform, response: ReleaseResponse): Platform["madvFree"] {
  if (response.observed === "held") return "yes";
  if (response.observed === "dropped") return "no";
  return platform.madvFree;
}
