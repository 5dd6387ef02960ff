/**
 * Column-stored RSS series (model/capture.ts RssSeries) and their row form (RssSample): building
 * series from rows or reading by reading, and reading rows back. Pure; shared by the parsers, ingest,
 * the timeline and the tests.
 */
import type { Provenance, RssKind, RssSample, RssSeries, SourceRef } from "../model/capture.js";
import type { RssTrack } from "../model/timeline.js";

/** The optional per-reading figures of a series, in the order RssSample declares them. */
const EXTRA_COLUMNS = ["lazyFreeBytes", "anonBytes", "peakBytes"] as const;
type ExtraColumn = (typeof EXTRA_COLUMNS)[number];

/** A series with no samples yet. */
export function emptyRssSeries(
  path: string,
  kind: RssKind,
  prov: Provenance,
  zoneAssumed: boolean,
  pid: number | undefined,
): RssSeries {
  const s: RssSeries = { path, kind, prov, t: [], rssBytes: [], line: [] };
  if (zoneAssumed) s.zoneAssumed = true;
  if (pid !== undefined) s.pid = pid;
  return s;
}

/** Append one reading; an extra figure is NaN where the reading lacks it (no object per reading: logs have 600k). */
export function pushRssFigures(
  s: RssSeries,
  t: number,
  rssBytes: number,
  line: number,
  lazyFreeBytes: number | undefined,
  anonBytes: number | undefined,
  peakBytes: number | undefined,
): void {
  const at = s.t.length;
  s.t.push(t);
  s.rssBytes.push(rssBytes);
  s.line.push(line);
  if (lazyFreeBytes !== undefined || s.lazyFreeBytes)
    (s.lazyFreeBytes ??= nanColumn(at)).push(lazyFreeBytes ?? NaN);
  if (anonBytes !== undefined || s.anonBytes) (s.anonBytes ??= nanColumn(at)).push(anonBytes ?? NaN);
  if (peakBytes !== undefined || s.peakBytes) (s.peakBytes ??= nanColumn(at)).push(peakBytes ?? NaN);
}

function nanColumn(n: number): number[] {
  const col: number[] = [];
  for (let i = 0; i < n; i++) col.push(NaN);
  return col;
}

/**
 * Readings grouped into series by (kind, provenance, zone flag, PID) for one file, each group in the
 * order given, the groups in the order of their first reading. Sources that yield a few readings a
 * file (ps, top, /proc status copies) build rows and call this at the end.
 */
export function rssSeriesOf(samples: readonly RssSample[]): RssSeries[] {
  const groups = new Map<string, RssSeries>();
  for (let i = 0; i < samples.length; i++) {
    const r = samples[i]!;
    const key = `${r.src.path}\u0000${r.kind}\u0000${r.prov}\u0000${r.zoneAssumed ? 1 : 0}\u0000${r.pid ?? ""}`;
    let s = groups.get(key);
    if (!s) {
      s = emptyRssSeries(r.src.path, r.kind, r.prov, Boolean(r.zoneAssumed), r.pid);
      groups.set(key, s);
    }
    pushRssFigures(s, r.t, r.rssBytes, r.src.line ?? 0, r.lazyFreeBytes, r.anonBytes, r.peakBytes);
  }
  return [...groups.values()];
}

/** The source of reading i: the file, and its line when the source has lines. */
function rssSourceOf(path: string, line: number): SourceRef {
  return line > 0 ? { path, line } : { path };
}

/** Reading i of a series as a row (the same object a row-building parser would have made). */
function rssSampleAt(s: RssSeries, i: number): RssSample {
  const out: RssSample = { t: s.t[i]!, prov: s.prov, src: rssSourceOf(s.path, s.line[i]!) } as RssSample;
  if (s.zoneAssumed) out.zoneAssumed = true;
  if (s.pid !== undefined) out.pid = s.pid;
  out.kind = s.kind;
  out.rssBytes = s.rssBytes[i]!;
  for (const key of EXTRA_COLUMNS) {
    const v = s[key]?.[i];
    if (v !== undefined && !Number.isNaN(v)) out[key as ExtraColumn] = v;
  }
  return out;
}

/** Every reading of several series as rows, series by series (for tests and small consumers). */
export function rssSamplesOf(series: readonly RssSeries[]): RssSample[] {
  const out: RssSample[] = [];
  for (const s of series) for (let i = 0; i < s.t.length; i++) out.push(rssSampleAt(s, i));
  return out;
}

/** The source of sample i of a timeline track: its file and line (no line when the source has none). */
export function rssTrackSrc(track: RssTrack, i: number): SourceRef {
  return rssSourceOf(track.sources[track.source[i]!]!.path, track.line[i]!);
}

/** The PID of sample i of a timeline track, when its source names one. */
export function rssTrackPid(track: RssTrack, i: number): number | null {
  return track.sources[track.source[i]!]!.pid;
}
