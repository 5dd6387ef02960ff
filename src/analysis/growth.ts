/**
 * Allocation-site growth for a leak: which heap snapshots to compare, and what grew between them.
 *
 * The comparison spans the leaking lifetime: the first snapshot of its first phase against the last
 * snapshot of its last phase (the widest window, so slow growth shows and one-off allocations
 * cancel). The leaking lifetime is the one whose Go resident estimate rose most over its phases.
 * Snapshots from the binary pprof format are preferred at equal times (they carry every site; the
 * text form's records are the same data). Pure: the pipeline loads the records of the refs returned.
 */
import { maxOf, minOf } from "../common/collections.js";
import type { AllocationSite, HeapProfileRef } from "../model/capture.js";
import type { Phase, SiteGrowth } from "../model/analysis.js";
import type { Timeline } from "../model/timeline.js";

/** Sites listed in a finding: the top of the growth list is where engineers look first. */
export const TOP_GROWTH_SITES = 10;

function lifetimeOf(timeline: Timeline, t: number): number {
  let l = 0;
  for (const r of timeline.restarts) if (r.kind === "restart" && t >= r.at) l++;
  return l;
}

export function selectGrowthSnapshots(timeline: Timeline, phases: Phase[]): HeapProfileRef[] {
  const profiles = timeline.heapProfiles;
  if (profiles.length < 2) return [];
  // The lifetime whose Go resident estimate (or RSS) rose most, from its phases.
  const rise = new Map<number, number>();
  for (const p of phases) {
    if (p.kind !== "ramp") continue;
    rise.set(
      p.lifetime,
      (rise.get(p.lifetime) ?? 0) + (p.endValue - p.startValue) / (p.series === "goResident" ? 1 : 2),
    );
  }
  let lifetime = 0;
  let best = -Infinity;
  for (const [l, r] of rise) if (r > best) [lifetime, best] = [l, r];
  const lifePhases = phases.filter((p) => p.lifetime === lifetime);
  const inLife = profiles.filter((p) => lifetimeOf(timeline, p.t) === lifetime);
  if (inLife.length < 2) return [];
  const start = lifePhases.length ? minOf(lifePhases.map((p) => p.start)) : inLife[0]!.t;
  const end = lifePhases.length ? maxOf(lifePhases.map((p) => p.end)) : inLife[inLife.length - 1]!.t;
  const within = inLife.filter((p) => p.t >= start && p.t <= end);
  const pool = within.length >= 2 ? within : inLife;
  const pickAt = (t: number): HeapProfileRef => {
    const dist = (p: HeapProfileRef): number => Math.abs(p.t - t);
    const sorted = [...pool].sort(
      (a, b) =>
        dist(a) - dist(b) || (a.format === "pprof-proto" ? -1 : 1) - (b.format === "pprof-proto" ? -1 : 1),
    );
    return sorted[0]!;
  };
  const first = pickAt(pool[0]!.t);
  const last = pickAt(pool[pool.length - 1]!.t);
  return first === last ? [] : [first, last];
}

function key(s: AllocationSite): string {
  return `${s.func}\n${s.location}`;
}

/** A snapshot's sites keyed by function and location, records of the same site summed. */
function sitesByKey(sites: AllocationSite[]): Map<string, AllocationSite> {
  const out = new Map<string, AllocationSite>();
  for (const s of sites) {
    const k = key(s);
    const prev = out.get(k);
    out.set(
      k,
      prev
        ? {
            ...prev,
            inuseBytes: prev.inuseBytes + s.inuseBytes,
            inuseObjects: prev.inuseObjects + s.inuseObjects,
          }
        : s,
    );
  }
  return out;
}

/** Per-site in-use growth between two loaded snapshots, largest growth first. */
export function siteGrowth(
  first: HeapProfileRef,
  last: HeapProfileRef,
  top = TOP_GROWTH_SITES,
): SiteGrowth[] {
  if (!first.sites || !last.sites) return [];
  const before = sitesByKey(first.sites);
  const after = sitesByKey(last.sites);
  const out: SiteGrowth[] = [];
  for (const [k, s] of after) {
    const firstBytes = before.get(k)?.inuseBytes ?? 0;
    const growthBytes = s.inuseBytes - firstBytes;
    if (growthBytes > 0) out.push({ ...s, firstBytes, lastBytes: s.inuseBytes, growthBytes });
  }
  out.sort((a, b) => b.growthBytes - a.growthBytes || (a.func < b.func ? -1 : 1));
  return out.slice(0, top);
}
