/**
 * The one place numbers, sizes, times and durations become text. Deterministic: UTC, no locale.
 */

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** 1536 -> "1.5 KiB"; 1.7e9 -> "1.58 GiB". Three significant digits; negative sizes keep their sign. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "n/a";
  const sign = bytes < 0 ? "-" : "";
  let v = Math.abs(bytes);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  if (u === 0) return `${sign}${Math.round(v)} B`;
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${sign}${v.toFixed(digits)} ${UNITS[u]}`;
}

/** A signed change: "+1.50 GiB", "-4.00 MiB", "0 B". */
export function formatBytesDelta(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "n/a";
  if (bytes === 0) return "0 B";
  return (bytes > 0 ? "+" : "") + formatBytes(bytes);
}

/** 05:23:07 (UTC) */
export function formatClock(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "n/a";
  return new Date(ms).toISOString().slice(11, 19);
}

/** 2026-11-24 05:23:07 UTC */
export function formatDateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "n/a";
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ") + " UTC";
}

/** isoTime's last day: its start (epoch ms) and its `YYYY-MM-DDT` text. */
let isoDayStart = NaN;
let isoDayText = "";
const MS_PER_DAY = 86_400_000;

/**
 * ISO 8601 UTC with milliseconds, the form report.json uses: Date.toISOString's text. The day's part
 * is kept from the last call and the time of day written here: a report has a row per capture file
 * and ten thousand snapshots a week fall on a few days. Years outside 1970-9999 (toISOString's
 * six-digit form) go to toISOString.
 */
export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms < 253_402_300_800_000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const day = ms - (ms % MS_PER_DAY);
  if (day !== isoDayStart) {
    isoDayStart = day;
    isoDayText = new Date(day).toISOString().slice(0, 11);
  }
  const inDay = ms - day;
  const h = Math.floor(inDay / 3_600_000);
  const m = Math.floor(inDay / 60_000) % 60;
  const s = Math.floor(inDay / 1000) % 60;
  const milli = inDay % 1000;
  return `${isoDayText}${two(h)}:${two(m)}:${two(s)}.${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/** 74 s, 12 min 5 s, 3 h 2 min, 2 d 4 h */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "n/a";
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ""}`;
  const d = Math.floor(h / 24);
  return `${d} d${h % 24 ? ` ${h % 24} h` : ""}`;
}

export function formatPercent(ratio: number | null | undefined, digits = 0): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "n/a";
  return `${(ratio * 100).toFixed(digits)}%`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "n/a";
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** bytes per second as a rate: "+10.0 MiB/s" */
export function formatRate(bytesPerSec: number | null | undefined): string {
  if (bytesPerSec === null || bytesPerSec === undefined || !Number.isFinite(bytesPerSec)) return "n/a";
  return `${formatBytesDelta(bytesPerSec)}/s`;
}

/** "05:22:45-05:23:05", or one clock when both ends are the same instant. */
export function formatClockRange(start: number | null | undefined, end: number | null | undefined): string {
  if (start === end) return formatClock(start);
  return `${formatClock(start)}-${formatClock(end)}`;
}

/** A time axis label format for a span: seconds for short captures, the day for captures over a day. */
export function timeAxisFormat(spanMs: number): string {
  const HOUR = 3_600_000;
  if (spanMs > 36 * HOUR) return "%m-%d %H:%M";
  if (spanMs > 2 * HOUR) return "%H:%M";
  return "%H:%M:%S";
}

/** "rss.log:12" or "heap.txt" */
export function formatSourceRef(src: { path: string; line?: number }): string {
  return src.line ? `${src.path}:${src.line}` : src.path;
}

/**
 * A list of sources for an evidence cell: up to `keep` named in full; a longer list is shortened to
 * its first and last with the count between ("heap-1.txt ... heap-9.txt (9 files)"), in input order.
 */
export function formatSourceList(srcs: { path: string; line?: number }[], keep = 3): string {
  const names: string[] = [];
  for (const s of srcs) {
    const n = formatSourceRef(s);
    if (names[names.length - 1] !== n) names.push(n);
  }
  if (names.length <= keep) return names.join(", ");
  const files = new Set(srcs.map((s) => s.path)).size;
  const what = files === names.length ? `${files} files` : `${names.length} places in ${files} files`;
  return `${names[0]} ... ${names[names.length - 1]} (${what})`;
}

/** a GC rate: "12.5 /min" */
export function formatPerMinute(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "n/a";
  return `${n >= 10 ? Math.round(n) : n.toFixed(1)}/min`;
}
