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
import type { RssKind, RssSample } from "../../model/capture.js";
import { located, type CaptureFile, type IngestOptions, type ParseOutcome, type Parser } from "../parser.js";
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
    const text = await file.readText();
    const lines = text.split("\n");
    const rss: RssSample[] = [];
    const pidMatch = PID_IN_PATH.exec(file.path);
    const pid = pidMatch ? Number(pidMatch[1]) : undefined;
    const ctx = {
      zone: options.zone,
      referenceYear: options.referenceYear,
      referenceDate: options.referenceDate,
    };
    const bareFile = !nonEmpty(file.headText, 12).some((l) => KEY_LINE.test(l));
    let firstProblem: { line: number; message: string } | null = null;
    let problems = 0;
    // The reading being assembled, and which keys it has.
    let current: { sample: RssSample | null; t: number; keys: Set<Key>; pending: Map<Key, number> } | null =
      null;
    const flush = (): void => {
      if (!current) return;
      const s = current.sample;
      if (s) {
        const p = current.pending;
        if (p.has("VmHWM")) s.peakBytes = p.get("VmHWM");
        if (p.has("RssAnon")) s.anonBytes = p.get("RssAnon");
        if (p.has("Anonymous")) s.anonBytes = p.get("Anonymous");
        if (p.has("LazyFree")) s.lazyFreeBytes = p.get("LazyFree");
        rss.push(s);
      }
      current = null;
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/\r$/, "");
      if (line.trim() === "") continue;
      const prefix = splitLinePrefix(line, ctx);
      const m = KEY_LINE.exec(line);
      if (!m) {
        if (bareFile && prefix) {
          const bare = BARE_KB.exec(prefix.rest);
          if (bare) {
            flush();
            rss.push({
              t: prefix.t,
              prov: "record",
              zoneAssumed: prefix.zoneAssumed || undefined,
              src: { path: file.path, line: i + 1 },
              pid,
              kind: "ps",
              rssBytes: Number(bare[1]) * 1024,
            });
          }
        }
        continue;
      }
      if (!prefix) {
        problems++;
        firstProblem ??= {
          line: i + 1,
          message: `no timestamp before ${m[1]}: ${JSON.stringify(line.slice(0, 60))}`,
        };
        continue;
      }
      const key = m[1] as Key;
      const bytes = Number(m[2]) * 1024;
      const joins =
        current !== null && !current.keys.has(key) && Math.abs(prefix.t - current.t) < JOIN_WINDOW_MS;
      if (!joins) {
        flush();
        current = { sample: null, t: prefix.t, keys: new Set(), pending: new Map() };
      }
      const reading = current!;
      reading.keys.add(key);
      if (key === "VmRSS" || key === "Rss") {
        const kind: RssKind = key === "VmRSS" ? "vmrss" : "smaps";
        reading.sample = {
          t: prefix.t,
          prov: "record",
          zoneAssumed: prefix.zoneAssumed || undefined,
          src: { path: file.path, line: i + 1 },
          pid,
          kind,
          rssBytes: bytes,
        };
      } else reading.pending.set(key, bytes);
    }
    flush();
    if (rss.length === 0) {
      return {
        kind: "malformed",
        format: this.id,
        line: firstProblem?.line ?? null,
        message: firstProblem?.message ?? "no timestamped VmRSS, Rss or RSS line",
      };
    }
    const out: ParseOutcome = { kind: "parsed", format: this.id, records: rss.length, data: { rss } };
    if (firstProblem)
      out.partial = {
        line: firstProblem.line,
        message: located(
          file.path,
          firstProblem.line,
          `${firstProblem.message} (${problems} such line${problems === 1 ? "" : "s"} skipped)`,
        ),
      };
    return out;
  },
};
