/**
 * Capture time from a file or folder name (DESIGN.md §4, FORMATS.md §7).
 *
 * Each path component is searched, the file name first, then its folders from the nearest out,
 * for the naming conventions of capture scripts:
 *  - ISO 8601 extended, separators made file-name safe: 2024-05-09T09:54:12Z, 2024-05-09T09-54-12,
 *    2024-05-09_09-54-12, memprof.2020-11-10T12_33_44.123.pprof, with an optional zone;
 *  - ISO 8601 basic: 20240509T095412Z, 20240509T095412;
 *  - date_time digits: 20240509_095412, 20240509-095412;
 *  - Unix epoch as a whole token: 10 digits (s), 13 (ms), 16 (us) or 19 (ns).
 * A stamp without a zone is read in the configured zone and flagged `zoneAssumed`.
 */
import { fractionToMs, isPlausibleEpochMs, localToEpoch, numericZoneToMs } from "./zone.js";

export interface NameTime {
  t: number;
  zoneAssumed: boolean;
  /** the text matched, for messages */
  matched: string;
}

const ZONE = "(Z|[+-]\\d{2}(?::?\\d{2})?)?";
const ISO_EXTENDED = new RegExp(
  `(?<![0-9])(\\d{4})-(\\d{2})-(\\d{2})[T_ ](\\d{2})[:_.-](\\d{2})[:_.-](\\d{2})(?:[.,](\\d{1,9}))?${ZONE}(?![0-9])`,
);
const ISO_BASIC = new RegExp(
  `(?<![0-9])(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})(?:[.,](\\d{1,9}))?${ZONE}(?![0-9])`,
);
const DIGITS_DATE_TIME = /(?<![0-9])(\d{4})(\d{2})(\d{2})[_-](\d{2})(\d{2})(\d{2})(?![0-9])/;
const EPOCH = /(?<![0-9]|[0-9]\.)(\d{19}|\d{16}|\d{13}|\d{10})(?![0-9])/;

function validCalendar(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  return y >= 2000 && y < 2100 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 61;
}

function fromParts(m: RegExpExecArray, zone: string): NameTime | null {
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = Number(m[6]);
  if (!validCalendar(y, mo, d, h, mi, s)) return null;
  const ms = fractionToMs(m[7]);
  const zoneText = m[8];
  if (zoneText) {
    const off = numericZoneToMs(zoneText);
    if (Number.isNaN(off)) return null;
    return { t: Date.UTC(y, mo - 1, d, h, mi, s, ms) - off, zoneAssumed: false, matched: m[0] };
  }
  return { t: localToEpoch(y, mo, d, h, mi, s, ms, zone), zoneAssumed: true, matched: m[0] };
}

/** The capture time one name component states, or null. */
export function timeFromName(name: string, zone: string): NameTime | null {
  let m = ISO_EXTENDED.exec(name);
  if (m) {
    const r = fromParts(m, zone);
    if (r) return r;
  }
  m = ISO_BASIC.exec(name);
  if (m) {
    const r = fromParts(m, zone);
    if (r) return r;
  }
  m = DIGITS_DATE_TIME.exec(name);
  if (m) {
    const r = fromParts([...m.slice(0, 7), undefined, undefined] as unknown as RegExpExecArray, zone);
    if (r) return r;
  }
  m = EPOCH.exec(name);
  if (m && m[1]) {
    const digits = m[1];
    let t: number;
    if (digits.length === 10) t = Number(digits) * 1000;
    else if (digits.length === 13) t = Number(digits);
    else t = Number(BigInt(digits) / (digits.length === 16 ? 1000n : 1_000_000n));
    if (isPlausibleEpochMs(t)) return { t, zoneAssumed: false, matched: digits };
  }
  return null;
}

/**
 * Answers of timeFromPath by zone, then path: ingest asks for every file's stamp up to three times (the
 * reference year, the reference dates, the parser's stamp), and a week of one-minute snapshots is ten
 * thousand names through four regular expressions each. Keyed by the path string itself (its hash is
 * kept with it), and the answers frozen and shared: a key built per call and a copy per answer cost
 * as much as the lookup saved. Bounded: cleared when it holds this many.
 */
const PATH_CACHE_LIMIT = 65_536;
const pathCache = new Map<string, Map<string, Readonly<NameTime> | null>>();
let pathCacheSize = 0;

/** The capture time a relative path states: the file name first, then the folders from the nearest out. */
export function timeFromPath(relPath: string, zone: string): Readonly<NameTime> | null {
  let byPath = pathCache.get(zone);
  if (!byPath) {
    byPath = new Map();
    pathCache.set(zone, byPath);
  }
  const cached = byPath.get(relPath);
  if (cached !== undefined) return cached;
  const found = timeFromPathUncached(relPath, zone);
  if (pathCacheSize >= PATH_CACHE_LIMIT) {
    for (const m of pathCache.values()) m.clear();
    pathCacheSize = 0;
  }
  const answer = found && Object.freeze(found);
  byPath.set(relPath, answer);
  pathCacheSize++;
  return answer;
}

function timeFromPathUncached(relPath: string, zone: string): NameTime | null {
  const parts = relPath.split("/");
  for (let i = parts.length - 1; i >= 0; i--) {
    const r = timeFromName(parts[i] ?? "", zone);
    if (r) return r;
  }
  return null;
}
