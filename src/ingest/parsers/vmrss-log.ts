/**
 * Timestamped memory lines written by a capture loop, one reading per stamp (FORMATS.md §6.1, §6.2, §7):
 *  - `grep -E 'VmRSS|VmHWM|RssAnon' /proc/$PID/status | ts ...`: `<stamp> VmRSS:  N kB` (kind vmrss;
 *    VmHWM on the same reading is kept as the peak, RssAnon as the anonymous part);
 *  - `grep -E 'Rss|LazyFree' /proc/$PID/smaps_rollup | ts ...`: `<stamp> Rss:  N kB` (kind smaps,
 *    LazyFree kept beside it);
 *  - `echo "$(date -Is) $(ps -o rss= -p $PID)"`: `<stamp> <kB>` (kind ps), claimed only when the name
 *    says it holds RSS and nearly every line has that shape, since a bare number could mean anything.
 * Lines of one reading are joined when their stamps are within a second of each other (ts stamps each
 * line of a grep separately). A line with a key but no readable stamp is a located problem; a stamp
 * with nothing after it is the process being gone (the loop ran, grep found no file): not a sample.
 */
import type { RssKind, RssSeries } from "../../model/capture.js";
import { emptyRssSeries, pushRssFigures } from "../../common/rss-series.js";
import {
  linesOf,
  type CaptureFile,
  type IngestOptions,
  type ParseOutcome,
  type Parser,
  parsedUpTo,
} from "../parser.js";
import { splitLinePrefix } from "../time/line-prefix.js";

const KEY_LINE = /(?:^|\s)(VmRSS|VmHWM|RssAnon|Rss|LazyFree|Anonymous):\s+(\d+) kB\s*$/;
const BARE_KB = /^(\d+)\s*$/;
const PID_IN_PATH = /(?:^|[^0-9a-z])pid[-_.]?(\d{1,7})(?![0-9])/i;
/** File names that say the numbers are resident-set sizes (for the bare `<stamp> <kB>` form). */
const RSS_NAME = /(rss|resident|mem)/i;
/** The share of non-empty lines that must be `<stamp> <kB>` before a file is claimed as that form. */
const BARE_SHARE = 0.9;
/** Lines of one reading: a grep of one file, stamped line by line, spans well under a second. */
const JOIN_WINDOW_MS = 1000;

type Key = "VmRSS" | "VmHWM" | "RssAnon" | "Rss" | "LazyFree" | "Anonymous";

/** The key line read from where the stamp ends: KEY_LINE's match when the stamp is all before it. */
const KEY_AT = /(VmRSS|VmHWM|RssAnon|Rss|LazyFree|Anonymous):\s+(\d+) kB\s*$/y;

const KEY_BIT: Record<Key, number> = { VmRSS: 1, VmHWM: 2, RssAnon: 4, Rss: 8, LazyFree: 16, Anonymous: 32 };

/**
 * The reading being assembled from the lines of one stamp: reused from reading to reading (`open`
 * says whether one is in progress), so that no object is built per line.
 */
interface Reading {
  open: boolean;
  /** whether a VmRSS or Rss line gave the reading its sample */
  sampled: boolean;
  kind: RssKind;
  zoneAssumed: boolean;
  line: number;
  rssBytes: number;
  /** the sample's time (its VmRSS or Rss line's stamp) */
  sampleT: number;
  /** the reading's time: its first line's stamp, which the join window counts from */
  t: number;
  keys: number;
  vmHWM: number;
  rssAnon: number;
  anonymous: number;
  lazyFree: number;
}

/** `line.trim() === ""` without building the trimmed string (most lines start with a digit). */
function isBlank(line: string): boolean {
  if (line.length === 0) return true;
  const c = line.charCodeAt(0);
  if (c > 0x20 && c < 0x7f) return false;
  return line.trim() === "";
}

function digitAt(line: string, i: number): number {
  const d = line.charCodeAt(i) - 0x30;
  return d >= 0 && d <= 9 ? d : -1;
}

function twoDigits(line: string, i: number): number {
  const a = digitAt(line, i);
  const b = digitAt(line, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/**
 * Where the message starts after a `YYYY-MM-DDTHH:MM:SS[.frac]Z` stamp (`date -Is -u`, RFC 3339 in
 * UTC) and its spaces, or -1 when the line does not start with exactly that: a valid clock, at most
 * nine fraction digits, then ASCII spaces or tabs, and no `stdout`/`stderr` stream after it. For
 * those lines splitLinePrefix gives the same instant (its ISO form, zone Z) with no zone assumed.
 */
function isoUtcRestAt(line: string): number {
  if (line.length < 20) return -1;
  if (line.charCodeAt(4) !== 0x2d || line.charCodeAt(7) !== 0x2d) return -1;
  const sep = line.charCodeAt(10);
  if (sep !== 0x54 && sep !== 0x20) return -1;
  if (line.charCodeAt(13) !== 0x3a || line.charCodeAt(16) !== 0x3a) return -1;
  const y1 = twoDigits(line, 0);
  const y2 = twoDigits(line, 2);
  const mo = twoDigits(line, 5);
  const d = twoDigits(line, 8);
  const h = twoDigits(line, 11);
  const mi = twoDigits(line, 14);
  const s = twoDigits(line, 17);
  if (y1 < 0 || y2 < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h >= 24) return -1;
  if (mi < 0 || mi >= 60 || s < 0 || s >= 61) return -1;
  let i = 19;
  const c = line.charCodeAt(i);
  if (c === 0x2e || c === 0x2c) {
    let k = i + 1;
    while (k < line.length && digitAt(line, k) >= 0) k++;
    const frac = k - i - 1;
    if (frac < 1 || frac > 9) return -1;
    i = k;
  }
  const z = line.charCodeAt(i);
  if (z !== 0x5a && z !== 0x7a) return -1;
  i++;
  const first = i;
  while (i < line.length) {
    const w = line.charCodeAt(i);
    if (w === 0x20 || w === 0x09) i++;
    else if (w >= 0x80 || (w >= 0x0a && w <= 0x0d)) return -1;
    else break;
  }
  if (i === first && i < line.length) return -1;
  if (line.startsWith("stdout ", i) || line.startsWith("stderr ", i)) return -1;
  return i;
}

/** The instant of a stamp isoUtcRestAt accepted (fraction truncated to ms, as fractionToMs does). */
function isoUtcTime(line: string): number {
  const y = twoDigits(line, 0) * 100 + twoDigits(line, 2);
  let ms = 0;
  const c = line.charCodeAt(19);
  if (c === 0x2e || c === 0x2c) {
    for (let k = 20, scale = 100; k < 23 && scale >= 1; k++, scale /= 10) {
      const dg = digitAt(line, k);
      if (dg < 0) break;
      ms += dg * scale;
    }
  }
  return Date.UTC(
    y,
    twoDigits(line, 5) - 1,
    twoDigits(line, 8),
    twoDigits(line, 11),
    twoDigits(line, 14),
    twoDigits(line, 17),
    ms,
  );
}

/** KEY_AT's alternatives in its order (RssAnon before Rss: the first that fits wins, as in the regex). */
const KEYS: readonly Key[] = ["VmRSS", "VmHWM", "RssAnon", "Rss", "LazyFree", "Anonymous"];
/** Digits read directly: up to 15 are exact in a double, as Number() of the text would give. */
const MAX_PLAIN_DIGITS = 15;
/** plainKeyAt's answer (module scratch, so that no object is built per line). */
let plainKey: Key = "VmRSS";
let plainKb = 0;

/**
 * True when KEY_AT matches at `at` on a plain line: a key, `:`, spaces or tabs, up to 15 digits,
 * ` kB`, spaces or tabs to the end; the key and the number are left in plainKey and plainKb (the
 * regex's groups). False when the line is anything else, even if the regex might match it (other
 * white space, more digits): the caller then asks the regular expressions.
 */
function plainKeyAt(line: string, at: number): boolean {
  const n = line.length;
  let key: Key | null = null;
  for (const k of KEYS)
    if (line.startsWith(k, at) && line.charCodeAt(at + k.length) === 0x3a) {
      key = k;
      break;
    }
  if (key === null) return false;
  let i = at + key.length + 1;
  const spaces = i;
  while (i < n && (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x09)) i++;
  if (i === spaces) return false;
  const digits = i;
  let v = 0;
  for (let d = digitAt(line, i); d >= 0; d = digitAt(line, ++i)) v = v * 10 + d;
  if (i === digits || i - digits > MAX_PLAIN_DIGITS) return false;
  if (!line.startsWith(" kB", i)) return false;
  i += 3;
  while (i < n && (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x09)) i++;
  if (i !== n) return false;
  plainKey = key;
  plainKb = v;
  return true;
}

/** The day of the last stamp read from bytes, so that a day's 86,400 lines need one Date.UTC. */
interface DayCache {
  /** the stamp's first 10 bytes (YYYY, -MM-, DD) as three numbers; -1 when none yet */
  key0: number;
  key1: number;
  key2: number;
  /** Date.UTC of that day at 00:00 */
  ms: number;
}

const KEY_BYTES: readonly [Key, Buffer][] = KEYS.map((k) => [k, Buffer.from(k, "latin1")]);
/** fastKeyLine's answer (module scratch, so that no object is built per line). */
let fastKey: Key = "VmRSS";
/**
 * fastKeyLine's kB and time, in a typed array: a module variable holding a double (a time is above
 * 2^31) gets a fresh boxed number at every store, 600k a week.
 */
const fast = new Float64Array(2);
const FAST_KB = 0;
const FAST_T = 1;

/** The value of each ASCII digit byte, -1 for any other byte (one lookup, no branch per digit). */
const DIGIT = new Int8Array(256).fill(-1);
for (let c = 0; c <= 9; c++) DIGIT[0x30 + c] = c;

/**
 * The line starting at `a` in `b` read without decoding it, when it is exactly what isoUtcRestAt and
 * plainKeyAt accept (an RFC 3339 UTC stamp, spaces or tabs, a plain `Key: N kB` line, then the line's
 * end: "\n", "\r\n" or the end of the bytes): the time, key and kB are left in fast[FAST_T], fastKey
 * and fast[FAST_KB], and the index of the line's "\n" (or the length) is returned. The line's end is found
 * here, on the way, rather than searched for first. Only ASCII bytes are accepted, so that each
 * byte is the character the string path would see; anything else answers -1 and the line goes
 * through the string path, which gives the same reading for the lines read here. Every byte of
 * the stamp is checked against a digit or a separator, so a line ending early never passes.
 */
function fastKeyLine(b: Buffer, a: number, day: DayCache): number {
  const end = b.length;
  if (end - a < 20) return -1;
  if (b[a + 4] !== 0x2d || b[a + 7] !== 0x2d || b[a + 13] !== 0x3a || b[a + 16] !== 0x3a) return -1;
  const sep = b[a + 10];
  if (sep !== 0x54 && sep !== 0x20) return -1;
  // the fourteen digits of YYYY-MM-DD?HH:MM:SS looked up at once: any non-digit makes the OR negative
  const c0 = DIGIT[b[a]!]!;
  const c1 = DIGIT[b[a + 1]!]!;
  const c2 = DIGIT[b[a + 2]!]!;
  const c3 = DIGIT[b[a + 3]!]!;
  const c5 = DIGIT[b[a + 5]!]!;
  const c6 = DIGIT[b[a + 6]!]!;
  const c8 = DIGIT[b[a + 8]!]!;
  const c9 = DIGIT[b[a + 9]!]!;
  const c11 = DIGIT[b[a + 11]!]!;
  const c12 = DIGIT[b[a + 12]!]!;
  const c14 = DIGIT[b[a + 14]!]!;
  const c15 = DIGIT[b[a + 15]!]!;
  const c17 = DIGIT[b[a + 17]!]!;
  const c18 = DIGIT[b[a + 18]!]!;
  if ((c0 | c1 | c2 | c3 | c5 | c6 | c8 | c9 | c11 | c12 | c14 | c15 | c17 | c18) < 0) return -1;
  const y1 = c0 * 10 + c1;
  const y2 = c2 * 10 + c3;
  const mo = c5 * 10 + c6;
  const d = c8 * 10 + c9;
  const h = c11 * 10 + c12;
  const mi = c14 * 10 + c15;
  const sec = c17 * 10 + c18;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h >= 24 || mi >= 60 || sec >= 61) return -1;
  let i = a + 19;
  let ms = 0;
  if (b[i] === 0x2e || b[i] === 0x2c) {
    let k = i + 1;
    while (k < end && DIGIT[b[k]!]! >= 0) k++;
    const frac = k - i - 1;
    if (frac < 1 || frac > 9) return -1;
    // truncated to ms, as isoUtcTime does
    for (let q = i + 1, scale = 100; q < i + 4 && q < k; q++, scale /= 10) ms += DIGIT[b[q]!]! * scale;
    i = k;
  }
  if (b[i] !== 0x5a && b[i] !== 0x7a) return -1;
  i++;
  const first = i;
  while (i < end && (b[i] === 0x20 || b[i] === 0x09)) i++;
  if (i === first || i >= end) return -1;
  // a stream name after the stamp (`stdout F`, kubectl/CRI logs) is the general reader's
  if (b[i] === 0x73) return -1;
  let key: Key | null = null;
  for (const [k, kb] of KEY_BYTES) {
    const n = kb.length;
    if (end - i <= n || b[i + n] !== 0x3a) continue;
    let q = 0;
    while (q < n && b[i + q] === kb[q]) q++;
    if (q === n) {
      key = k;
      i += n + 1;
      break;
    }
  }
  if (key === null) return -1;
  const spaces = i;
  while (i < end && (b[i] === 0x20 || b[i] === 0x09)) i++;
  if (i === spaces) return -1;
  const digits = i;
  let v = 0;
  while (i < end) {
    const dg = DIGIT[b[i]!]!;
    if (dg < 0) break;
    v = v * 10 + dg;
    i++;
  }
  if (i === digits || i - digits > MAX_PLAIN_DIGITS) return -1;
  if (end - i < 3 || b[i] !== 0x20 || b[i + 1] !== 0x6b || b[i + 2] !== 0x42) return -1;
  i += 3;
  while (i < end && (b[i] === 0x20 || b[i] === 0x09)) i++;
  // the line's end: "\n", the end of the bytes, or one "\r" before either (as the string path strips)
  let nl: number;
  if (i === end || b[i] === 0x0a) nl = i;
  else if (b[i] === 0x0d && (i + 1 === end || b[i + 1] === 0x0a)) nl = i + 1;
  else return -1;
  const key0 = b.readUInt32LE(a);
  const key1 = b.readUInt32LE(a + 4);
  const key2 = b.readUInt16LE(a + 8);
  if (key0 !== day.key0 || key1 !== day.key1 || key2 !== day.key2) {
    day.key0 = key0;
    day.key1 = key1;
    day.key2 = key2;
    // Date.UTC(y, m, d, h, mi, s, ms) is this plus the clock: UTC has no offsets to apply
    day.ms = Date.UTC(y1 * 100 + y2, mo - 1, d);
  }
  fastKey = key;
  fast[FAST_KB] = v;
  fast[FAST_T] = day.ms + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms;
  return nl;
}

function nonEmpty(text: string, n: number): string[] {
  return text
    .split("\n", n)
    .map((l) => l.replace(/\r$/, ""))
    .filter((l) => l.trim() !== "");
}

function bareShape(lines: string[]): boolean {
  let bare = 0;
  let other = 0;
  for (const l of lines) {
    const p = splitLinePrefix(l, { zone: "UTC", referenceYear: 2000 });
    if (p && BARE_KB.test(p.rest)) bare++;
    else if (!p || p.rest.trim() !== "") other++;
  }
  return bare >= 3 && bare >= BARE_SHARE * (bare + other);
}

/**
 * Logs up to this size are read whole and cut in place (fastest: a week of one-second readings is
 * ~25 MiB); bigger ones are streamed so that a multi-GiB log never has to fit in one string.
 */
const STREAM_ABOVE_BYTES = 64 * 1024 * 1024;

export const vmrssLog: Parser = {
  id: "vmrss-log",
  description: "timestamped VmRSS / smaps_rollup / ps rss= lines from a capture loop (date/ts prefix)",
  sniff(file: CaptureFile): boolean {
    if (file.head.includes(0)) return false;
    const first = nonEmpty(file.headText, 12);
    if (first.some((l) => KEY_LINE.test(l) && !/^\w+:/.test(l))) return true;
    return RSS_NAME.test(file.path.split("/").pop() ?? "") && bareShape(first.slice(0, 10));
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    // One series per kind and zone flag (the PID is the file's): readings stored by column.
    const series = new Map<string, RssSeries>();
    let readings = 0;
    const pidMatch = PID_IN_PATH.exec(file.path);
    const pid = pidMatch ? Number(pidMatch[1]) : undefined;
    // the series of the last reading: consecutive readings nearly always go to the same one
    let last: RssSeries | null = null;
    const seriesFor = (kind: RssKind, zoneAssumed: boolean): RssSeries => {
      if (last && last.kind === kind && Boolean(last.zoneAssumed) === zoneAssumed) return last;
      const key = zoneAssumed ? `${kind}+zone` : kind;
      let s = series.get(key);
      if (!s) {
        s = emptyRssSeries(file.path, kind, "record", zoneAssumed, pid);
        series.set(key, s);
      }
      last = s;
      return s;
    };
    // IngestOptions carries exactly what the prefix and time-of-day readers need.
    const ctx = options;
    const bareFile = !nonEmpty(file.headText, 12).some((l) => KEY_LINE.test(l));
    // Typed by a cast so that assignments inside `handle` are not narrowed away after it.
    let firstProblem = null as { line: number; message: string } | null;
    let problems = 0;
    // The reading being assembled: its sample, its stamp, the keys it has (KEY_BIT) and their values.
    const current: Reading = {
      open: false,
      sampled: false,
      kind: "vmrss",
      zoneAssumed: false,
      line: 0,
      rssBytes: 0,
      sampleT: 0,
      t: 0,
      keys: 0,
      vmHWM: 0,
      rssAnon: 0,
      anonymous: 0,
      lazyFree: 0,
    };
    const flush = (): void => {
      const r = current;
      if (!r.open) return;
      r.open = false;
      if (!r.sampled) return;
      readings++;
      const s = seriesFor(r.kind, r.zoneAssumed);
      // a lone VmRSS or Rss line (the usual reading) into a series with no extra column: three pushes
      if (
        (r.keys & ~(KEY_BIT.VmRSS | KEY_BIT.Rss)) === 0 &&
        !s.lazyFreeBytes &&
        !s.anonBytes &&
        !s.peakBytes
      ) {
        s.t.push(r.sampleT);
        s.rssBytes.push(r.rssBytes);
        s.line.push(r.line);
        return;
      }
      pushRssFigures(
        s,
        r.sampleT,
        r.rssBytes,
        r.line,
        r.keys & KEY_BIT.LazyFree ? r.lazyFree : undefined,
        // Anonymous (smaps_rollup) after RssAnon (status), as the two were read before
        r.keys & KEY_BIT.Anonymous ? r.anonymous : r.keys & KEY_BIT.RssAnon ? r.rssAnon : undefined,
        r.keys & KEY_BIT.VmHWM ? r.vmHWM : undefined,
      );
    };
    // A key line read (its stamp, key and kB): joined into the reading in progress or a new one.
    const accept = (key: Key, kb: number, t: number, zoneAssumed: boolean, i: number): void => {
      const bit = KEY_BIT[key];
      const bytes = kb * 1024;
      const joins = current.open && (current.keys & bit) === 0 && Math.abs(t - current.t) < JOIN_WINDOW_MS;
      const reading = current;
      if (!joins) {
        flush();
        reading.open = true;
        reading.sampled = false;
        reading.t = t;
        reading.keys = 0;
      }
      reading.keys |= bit;
      if (key === "VmRSS" || key === "Rss") {
        reading.sampled = true;
        reading.kind = key === "VmRSS" ? "vmrss" : "smaps";
        reading.sampleT = t;
        reading.zoneAssumed = zoneAssumed;
        reading.line = i + 1;
        reading.rssBytes = bytes;
      } else if (key === "VmHWM") reading.vmHWM = bytes;
      else if (key === "RssAnon") reading.rssAnon = bytes;
      else if (key === "Anonymous") reading.anonymous = bytes;
      else reading.lazyFree = bytes;
    };
    // One line of the log: its 0-based index is i. No object is built per line on the fast path.
    const handle = (line: string, i: number): void => {
      if (isBlank(line)) return;
      // The dominant form (`date -Is -u`, RFC 3339 in UTC) is read directly, and so is a plain key
      // line after it; any other prefix, and any line the direct reading is unsure of, goes through
      // the general splitLinePrefix and the regular expressions. No object is built per line.
      let stamped: boolean;
      let t = 0;
      let zoneAssumed = false;
      let general: { t: number; zoneAssumed: boolean; rest: string } | null = null;
      let key: Key | null = null;
      let kb = 0;
      const restAt = isoUtcRestAt(line);
      if (restAt >= 0) {
        stamped = true;
        t = isoUtcTime(line);
        if (plainKeyAt(line, restAt)) {
          key = plainKey;
          kb = plainKb;
        } else {
          KEY_AT.lastIndex = restAt;
          const m = KEY_AT.exec(line) ?? KEY_LINE.exec(line);
          if (m) [key, kb] = [m[1] as Key, Number(m[2])];
        }
      } else {
        general = splitLinePrefix(line, ctx);
        stamped = general !== null;
        if (general) [t, zoneAssumed] = [general.t, general.zoneAssumed];
        const m = KEY_LINE.exec(line);
        if (m) [key, kb] = [m[1] as Key, Number(m[2])];
      }
      if (key === null) {
        if (bareFile && stamped) {
          const bare = BARE_KB.exec(general ? general.rest : line.slice(restAt));
          if (bare) {
            flush();
            readings++;
            const s = seriesFor("ps", zoneAssumed);
            pushRssFigures(s, t, Number(bare[1]) * 1024, i + 1, undefined, undefined, undefined);
          }
        }
        return;
      }
      if (!stamped) {
        problems++;
        firstProblem ??= {
          line: i + 1,
          message: `no timestamp before ${key}: ${JSON.stringify(line.slice(0, 60))}`,
        };
        return;
      }
      accept(key, kb, t, zoneAssumed, i);
    };
    if (file.size <= STREAM_ABOVE_BYTES) {
      // Lines are cut from the bytes one at a time (the same lines as text.split("\n"): a newline
      // byte never sits inside a UTF-8 sequence). A line of the dominant form (an ASCII RFC 3339 UTC
      // stamp and a plain key line) is read from its bytes with no string built; any other line is
      // decoded and read by `handle`. A week of one-second readings is 600k lines and ~25 MiB.
      const bytes = await file.readBytes();
      const day: DayCache = { key0: -1, key1: -1, key2: -1, ms: 0 };
      let i = 0;
      for (let from = 0; from <= bytes.length; i++) {
        const nl = fastKeyLine(bytes, from, day);
        if (nl >= 0) {
          accept(fastKey, fast[FAST_KB]!, fast[FAST_T]!, false, i);
          from = nl + 1;
          continue;
        }
        let to = bytes.indexOf(0x0a, from);
        if (to < 0) to = bytes.length;
        const end = to > from && bytes[to - 1] === 0x0d ? to - 1 : to;
        handle(bytes.toString("utf8", from, end), i);
        from = to + 1;
      }
    } else {
      // A log too big to hold as one string is streamed line by line (memory bounded by the samples).
      let i = 0;
      for await (const line of linesOf(file)) handle(line, i++);
    }
    flush();
    if (readings === 0) {
      return {
        kind: "malformed",
        format: this.id,
        line: firstProblem?.line ?? null,
        message: firstProblem?.message ?? "no timestamped VmRSS, Rss or RSS line",
      };
    }
    return parsedUpTo(
      file,
      this.id,
      readings,
      { rss: [...series.values()] },
      firstProblem && { ...firstProblem, skipped: { count: problems, what: "such line" } },
    );
  },
};
