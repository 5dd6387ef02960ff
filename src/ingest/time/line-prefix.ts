/**
 * Timestamps that loggers and capture loops put in front of a line (FORMATS.md §7), split off so that
 * the parsers can match the message itself. Forms handled, each anchored at the start of the line:
 *  - RFC 3339 / ISO 8601 (date -Is, RFC3339Nano, docker and kubectl --timestamps), optionally in [ ];
 *  - "YYYY-mm-dd HH:MM:SS[.frac]" (ts '%Y-%m-%d %H:%M:%.S', Python/Java loggers), optionally in [ ];
 *  - Unix epoch seconds with a fraction (ts '%.s');
 *  - syslog/ts default "May 09 09:54:12" (no year: taken from `ctx.referenceYear`), with an optional
 *    journald "host unit[pid]:" after it;
 *  - date(1) default "Thu May  9 09:54:12 UTC 2024".
 * Stamps with no zone are read in `ctx.zone` and flagged.
 */
import { fractionToMs, isPlausibleEpochMs, localToEpoch, numericZoneToMs } from "./zone.js";

export interface PrefixContext {
  zone: string;
  /** the year for stamps that carry none (syslog form); null when unknown */
  referenceYear: number | null;
}

export interface LinePrefix {
  t: number;
  zoneAssumed: boolean;
  /** the rest of the line after the prefix and its separator */
  rest: string;
  form: string;
}

const MONTHS: Record<string, number> = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};

const ISO =
  /^\[?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?\]?(?:\s+|$)/;
const EPOCH_FRAC = /^\[?(\d{10})(?:\.(\d{1,9}))?\]?(?:\s+|$)/;
const SYSLOG =
  /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:\s+[\w.-]+\s+[\w./@-]+(?:\[\d+\])?:)?\s+/;
const DATE_DEFAULT =
  /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? ([A-Z]{2,5}|[+-]\d{4}) (\d{4})\s+/;

function zoneFor(text: string | undefined): number | null {
  if (!text) return null;
  if (text === "UTC" || text === "GMT") return 0;
  const off = numericZoneToMs(text);
  return Number.isNaN(off) ? null : off;
}

/** Split a known timestamp prefix off `line`; null when the line has none. */
export function splitLinePrefix(line: string, ctx: PrefixContext): LinePrefix | null {
  let m = ISO.exec(line);
  if (m) {
    const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m![i]));
    const ms = fractionToMs(m[7]);
    const off = zoneFor(m[8]);
    const rest = line.slice(m[0].length);
    if (off !== null)
      return { t: Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms) - off, zoneAssumed: false, rest, form: "iso" };
    return {
      t: localToEpoch(y!, mo!, d!, h!, mi!, s!, ms, ctx.zone),
      zoneAssumed: true,
      rest,
      form: "iso-local",
    };
  }
  m = EPOCH_FRAC.exec(line);
  if (m) {
    const t = Number(m[1]) * 1000 + fractionToMs(m[2]);
    if (isPlausibleEpochMs(t)) return { t, zoneAssumed: false, rest: line.slice(m[0].length), form: "epoch" };
  }
  m = DATE_DEFAULT.exec(line);
  if (m) {
    const mo = MONTHS[m[1]!];
    const off = zoneFor(m[7]);
    if (mo) {
      const [d, h, mi, s, y] = [2, 3, 4, 5, 8].map((i) => Number(m![i]));
      const ms = fractionToMs(m[6]);
      const rest = line.slice(m[0].length);
      if (off !== null)
        return { t: Date.UTC(y!, mo - 1, d!, h!, mi!, s!, ms) - off, zoneAssumed: false, rest, form: "date" };
      return {
        t: localToEpoch(y!, mo, d!, h!, mi!, s!, ms, ctx.zone),
        zoneAssumed: true,
        rest,
        form: "date-local",
      };
    }
  }
  m = SYSLOG.exec(line);
  if (m && ctx.referenceYear !== null) {
    const mo = MONTHS[m[1]!];
    if (mo) {
      const [d, h, mi, s] = [2, 3, 4, 5].map((i) => Number(m![i]!.trim()));
      const ms = fractionToMs(m[6]);
      const t = localToEpoch(ctx.referenceYear, mo, d!, h!, mi!, s!, ms, ctx.zone);
      return { t, zoneAssumed: true, rest: line.slice(m[0].length), form: "syslog" };
    }
  }
  return null;
}
