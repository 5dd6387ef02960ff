/**
 * RSS tracks: the column-stored RSS series of every source merged per kind and sorted by time (then
 * path, then line, the order every other series is sorted in).
 *
 * Method: the selected readings are copied into flat columns in capture order (a single source is
 * taken as it is); when their times are already in order (one log written by one loop, the common
 * case), that is the track; otherwise a permutation is sorted (a stable sort on time, path rank,
 * line) and the columns are gathered through it. No object is built per reading: a week of
 * one-second RSS is 600k readings.
 */
import type { RssKind, RssSeries } from "../model/capture.js";
import type { RssTrack, RssTrackSource } from "../model/timeline.js";

/** Which readings of a series go into a track (all when absent). */
type Keep = (series: RssSeries, i: number) => boolean;

export function buildRssTrack(all: readonly RssSeries[], kind: RssKind | null, keep?: Keep): RssTrack {
  const chosen = all.filter((s) => s.kind === kind);
  const sources: RssTrackSource[] = [];
  const sourceIndex = new Map<string, number>();
  const sourceOf = (s: RssSeries): number => {
    const key = `${s.path}\u0000${s.pid ?? ""}`;
    let k = sourceIndex.get(key);
    if (k === undefined) {
      k = sources.length;
      sources.push({ path: s.path, pid: s.pid ?? null });
      sourceIndex.set(key, k);
    }
    return k;
  };
  // One source taken whole (one log, the common case): its columns are the track's, not copies
  // (a week of one-second readings is 600k of each).
  const only = chosen.length === 1 && !keep ? chosen[0]! : null;
  if (only) {
    const n = only.t.length;
    const k = sourceOf(only);
    const track: RssTrack = {
      kind,
      t: only.t,
      rssBytes: only.rssBytes,
      lazyFreeBytes: only.lazyFreeBytes ?? null,
      anonBytes: only.anonBytes ?? null,
      lifetime: new Array<number>(n).fill(0),
      source: new Array<number>(n).fill(k),
      line: only.line,
      sources,
    };
    return inOrder(track) ? track : sortTrack(track);
  }
  let n = 0;
  for (const s of chosen) {
    if (!keep) n += s.t.length;
    else for (let i = 0; i < s.t.length; i++) if (keep(s, i)) n++;
  }
  const hasLazy = chosen.some((s) => s.lazyFreeBytes);
  const hasAnon = chosen.some((s) => s.anonBytes);
  const t = new Array<number>(n);
  const rssBytes = new Array<number>(n);
  const line = new Array<number>(n);
  const source = new Array<number>(n);
  const lazyFreeBytes = hasLazy ? new Array<number>(n) : null;
  const anonBytes = hasAnon ? new Array<number>(n) : null;
  let j = 0;
  for (const s of chosen) {
    const k = sourceOf(s);
    for (let i = 0; i < s.t.length; i++) {
      if (keep && !keep(s, i)) continue;
      t[j] = s.t[i]!;
      rssBytes[j] = s.rssBytes[i]!;
      line[j] = s.line[i]!;
      source[j] = k;
      if (lazyFreeBytes) lazyFreeBytes[j] = s.lazyFreeBytes?.[i] ?? NaN;
      if (anonBytes) anonBytes[j] = s.anonBytes?.[i] ?? NaN;
      j++;
    }
  }
  const track: RssTrack = {
    kind: n > 0 || kind !== null ? kind : null,
    t,
    rssBytes,
    lazyFreeBytes,
    anonBytes,
    lifetime: new Array<number>(n).fill(0),
    source,
    line,
    sources,
  };
  return inOrder(track) ? track : sortTrack(track);
}

/** Whether the readings already are in (time, path, line) order. */
function inOrder(track: RssTrack): boolean {
  const { t, line, source, sources } = track;
  for (let i = 1; i < t.length; i++) {
    const dt = t[i]! - t[i - 1]!;
    if (dt > 0) continue;
    if (dt < 0) return false;
    const pa = sources[source[i - 1]!]!.path;
    const pb = sources[source[i]!]!.path;
    if (pa > pb || (pa === pb && line[i - 1]! > line[i]!)) return false;
  }
  return true;
}

function sortTrack(track: RssTrack): RssTrack {
  const { t, line, source, sources } = track;
  // path ranks, so that the comparator compares numbers
  const order = sources
    .map((s, k) => ({ path: s.path, k }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const rank = new Array<number>(sources.length);
  order.forEach((o, r) => (rank[o.k] = r));
  const perm = Array.from({ length: t.length }, (_, i) => i);
  perm.sort((a, b) => t[a]! - t[b]! || rank[source[a]!]! - rank[source[b]!]! || line[a]! - line[b]!);
  const gather = (col: number[]): number[] => perm.map((i) => col[i]!);
  return {
    ...track,
    t: gather(t),
    rssBytes: gather(track.rssBytes),
    lazyFreeBytes: track.lazyFreeBytes ? gather(track.lazyFreeBytes) : null,
    anonBytes: track.anonBytes ? gather(track.anonBytes) : null,
    lifetime: gather(track.lifetime),
    source: gather(source),
    line: gather(line),
  };
}

/** The kinds present, in first-seen order. */
export function rssKindsOf(all: readonly RssSeries[]): RssKind[] {
  return [...new Set(all.map((s) => s.kind))];
}
