/**
 * Timestamps that loggers and capture loops put in front of a line (FORMATS.md §7), split off so that
 * the parsers can match the message itself. Forms handled, each anchored at the start of the line:
 *  - RFC 3339 / ISO 8601 (date -Is, RFC3339Nano, docker and kubectl --timestamps), optionally in [ ],
 *    and the containerd/CRI log form `<RFC3339Nano> stderr F <message>`;
 *  - "YYYY-mm-dd HH:MM:SS[.frac]" (ts '%Y-%m-%d %H:%M:%.S', Python/Java loggers, comma fractions),
 *    optionally in [ ];
 *  - Go's log package default "2024/05/09 09:54:12[.micro]";
 *  - Unix epoch seconds, optionally with a fraction (ts '%.s', `date +%s.%N`), or epoch milliseconds;
 *  - syslog/ts default "May 09 09:54:12[.frac]" (no year: the year placing it nearest
 *    `ctx.referenceDate`, else `ctx.referenceYear`), optionally in [ ], with an optional journald
 *    "host unit[pid]:" after it;
 *  - date(1) default "Thu May  9 09:54:12 UTC 2024", and the same without a zone (ps -o lstart);
 *  - RFC 2822 as `date -R` writes it, "Thu, 09 May 2024 09:54:12 +0000" (also with UTC/GMT);
 *  - any of the zoned ISO forms behind a logfmt key, `time=` / `ts=` (Go's log/slog TextHandler,
 *    logrus, zap's logfmt encoders), quoted or not, when a log shipper re-wraps raw stderr lines.
 * Stamps with no zone (or a zone abbreviation other than UTC/GMT, which is ambiguous) are read in
 * `ctx.zone` and flagged `zoneAssumed`.
 */
import { fractionToMs, isPlausibleEpochMs, localToEpoch, numericZoneToMs } from "./zone.js";

export interface PrefixContext {
  zone: string;
  /** the year for stamps that carry none (syslog form); null when unknown */
  referenceYear: number | null;
  /** an instant near the capture (file-name stamps); picks the year of syslog stamps across New Year */
  referenceDate?: number | null;
}

export interface LinePrefix {
  t: number;
  zoneAssumed: boolean;
  /** the rest of the line after the prefix and its separator */
  rest: string;
  form: string;
}

export const MONTHS: Record<string, number> = {
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
  /^(\[)?(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}(?::?\d{2})?)?(\])?(?:\s+|$)/;
/** containerd / CRI-O log files: `<stamp> <stream> <P|F> <message>` */
const CRI_STREAM = /^(?:stdout|stderr) [FP] /;
const GO_LOG = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:\s+|$)/;
const EPOCH = /^\[?(\d{13}|\d{10})(?:\.(\d{1,9}))?\]?(?:\s+|$)/;
const SYSLOG =
  /^\[?([A-Z][a-z]{2}) ([ \d]?\d) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?\]?(?:\s+[\w.-]+\s+[\w./@-]+(?:\[\d+\])?:)?(?:\s+|$)/;
const DATE_DEFAULT =
  /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (?:([A-Z]{2,5}|[+-]\d{4}) )?(\d{4})(?:\s+|$)/;

/** `date -R` (RFC 2822): weekday, day, month name, year, time, numeric zone or UTC/GMT. */
const RFC2822 =
  /^\[?[A-Z][a-z]{2}, {1,2}(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? ([+-]\d{4}|UTC|GMT)\]?(?:\s+|$)/;
/** A logfmt time key in front of the stamp: `time=2024-05-09T09:54:12.123Z`, `ts="..."`. */
const LOGFMT_TIME_KEY = /^(?:time|ts|timestamp)=("?)(?=\d{4}-\d{2}-\d{2}[T ])/;

function zoneFor(text: string | undefined): number | null {
  if (!text) return null;
  if (text === "UTC" || text === "GMT") return 0;
  const off = numericZoneToMs(text);
  return Number.isNaN(off) ? null : off;
}

function validClock(mo: number, d: number, h: number, mi: number, s: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 61;
}

interface Parts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
  ms: number;
}

function toEpoch(
  p: Parts,
  zoneText: string | undefined,
  ctx: PrefixContext,
): { t: number; assumed: boolean } {
  const off = zoneFor(zoneText);
  if (off !== null) return { t: Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s, p.ms) - off, assumed: false };
  return { t: localToEpoch(p.y, p.mo, p.d, p.h, p.mi, p.s, p.ms, ctx.zone), assumed: true };
}

/** The year for a year-less stamp: the one placing it nearest the reference instant, else the reference year. */
function yearFor(p: Omit<Parts, "y">, ctx: PrefixContext): number | null {
  const ref = ctx.referenceDate ?? null;
  if (ref !== null) {
    const y0 = new Date(ref).getUTCFullYear();
    let best = y0;
    let bestDist = Infinity;
    for (const y of [y0 - 1, y0, y0 + 1]) {
      const dist = Math.abs(localToEpoch(y, p.mo, p.d, p.h, p.mi, p.s, p.ms, ctx.zone) - ref);
      if (dist < bestDist) [best, bestDist] = [y, dist];
    }
    return best;
  }
  return ctx.referenceYear;
}

/** Split a known timestamp prefix off `line`; null when the line has none. */
export function splitLinePrefix(line: string, ctx: PrefixContext): LinePrefix | null {
  const key = LOGFMT_TIME_KEY.exec(line);
  if (key) {
    // The stamp behind the key, then the closing quote; only a zoned stamp is taken (a logfmt
    // time is RFC 3339 in every logger named above), so a bare `time=` value stays the message's.
    let value = line.slice(key[0].length);
    if (key[1] === '"') value = value.replace(/^([^"]+)"/, "$1 ");
    const inner = splitLinePrefix(value, ctx);
    if (inner && !inner.zoneAssumed && (inner.form === "iso" || inner.form === "cri"))
      return { ...inner, rest: inner.rest.replace(/^\s+/, ""), form: "logfmt" };
  }
  let m = ISO.exec(line);
  if (m && Boolean(m[1]) === Boolean(m[10])) {
    const [y, mo, d, h, mi, s] = [2, 3, 4, 5, 6, 7].map((i) => Number(m![i])) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (validClock(mo, d, h, mi, s)) {
      const { t, assumed } = toEpoch({ y, mo, d, h, mi, s, ms: fractionToMs(m[8]) }, m[9], ctx);
      let rest = line.slice(m[0].length);
      let form = assumed ? "iso-local" : "iso";
      const cri = CRI_STREAM.exec(rest);
      if (cri && !assumed) [rest, form] = [rest.slice(cri[0].length), "cri"];
      return { t, zoneAssumed: assumed, rest, form };
    }
  }
  m = GO_LOG.exec(line);
  if (m) {
    const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m![i])) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (validClock(mo, d, h, mi, s)) {
      const { t } = toEpoch({ y, mo, d, h, mi, s, ms: fractionToMs(m[7]) }, undefined, ctx);
      return { t, zoneAssumed: true, rest: line.slice(m[0].length), form: "go-log" };
    }
  }
  m = EPOCH.exec(line);
  if (m) {
    const digits = m[1]!;
    const t = digits.length === 13 ? Number(digits) : Number(digits) * 1000 + fractionToMs(m[2]);
    if (isPlausibleEpochMs(t)) return { t, zoneAssumed: false, rest: line.slice(m[0].length), form: "epoch" };
  }
  m = DATE_DEFAULT.exec(line);
  if (m) {
    const mo = MONTHS[m[1]!];
    const [d, h, mi, s, y] = [2, 3, 4, 5, 8].map((i) => Number(m![i])) as [
      number,
      number,
      number,
      number,
      number,
    ];
    if (mo && validClock(mo, d, h, mi, s)) {
      const { t, assumed } = toEpoch({ y, mo, d, h, mi, s, ms: fractionToMs(m[6]) }, m[7], ctx);
      return {
        t,
        zoneAssumed: assumed,
        rest: line.slice(m[0].length),
        form: assumed ? "date-local" : "date",
      };
    }
  }
  m = RFC2822.exec(line);
  if (m) {
    const mo = MONTHS[m[2]!];
    const [d, y, h, mi, s] = [1, 3, 4, 5, 6].map((i) => Number(m![i])) as [
      number,
      number,
      number,
      number,
      number,
    ];
    if (mo && validClock(mo, d, h, mi, s)) {
      const { t } = toEpoch({ y, mo, d, h, mi, s, ms: fractionToMs(m[7]) }, m[8], ctx);
      return { t, zoneAssumed: false, rest: line.slice(m[0].length), form: "rfc2822" };
    }
  }
  m = SYSLOG.exec(line);
  if (m) {
    const mo = MONTHS[m[1]!];
    const [d, h, mi, s] = [2, 3, 4, 5].map((i) => Number(m![i]!.trim())) as [number, number, number, number];
    if (mo && validClock(mo, d, h, mi, s)) {
      const ms = fractionToMs(m[6]);
      const y = yearFor({ mo, d, h, mi, s, ms }, ctx);
      if (y !== null) {
        const t = localToEpoch(y, mo, d, h, mi, s, ms, ctx.zone);
        return { t, zoneAssumed: true, rest: line.slice(m[0].length), form: "syslog" };
      }
    }
  }
  return null;
}
