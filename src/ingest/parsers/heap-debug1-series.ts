/**
 * Several heap `debug=1` dumps appended to one file by a capture loop, each after a line that states
 * its time (FORMATS.md §7):
 *
 *     while true; do date -Is; curl -s localhost:6060/debug/pprof/heap?debug=1; sleep 60; done >> heaps.log
 *
 * Method: split the text at each `heap profile:` header; the stamp of a dump is the last non-blank
 * line before its header when that line is a timestamp and nothing else (`date`, `date -Is`,
 * `date -R`, `date +%s`, `ts` forms; decorations such as `=== ... ===` are allowed around it). Each
 * dump is then read by the heap-debug1 parser, as if it were its own file, and its samples are moved
 * to the dump's line in this file. A dump with no stamp line is placed by its MemStats (LastGC or the
 * last PauseEnd, a lower bound), flagged. Allocation sites are read here, while the dump's text is at
 * hand: the deferred reader reads whole files, and this file holds many dumps.
 *
 * A single dump with no stamp line before it is the plain heap-debug1 format: "not mine".
 */
import type { DataIssue, HeapProfileRef, Hint, MemStatsSample } from "../../model/capture.js";
import {
  located,
  startOf,
  type CaptureFile,
  type IngestOptions,
  type ParseOutcome,
  type Parser,
} from "../parser.js";
import { splitLinePrefix, type PrefixContext } from "../time/line-prefix.js";
import { timeFromPath } from "../time/filename-time.js";
import { heapDebug1, readAllocationSites } from "./heap-debug1.js";

const HEADER_PREFIX = "heap profile: ";
const HEADER_PREFIX_BYTES = Buffer.from(HEADER_PREFIX, "latin1");
/**
 * The header's first word: searched for (by its first byte), then checked for a newline before it and
 * the rest of the prefix after. Node's search stops at each occurrence of a needle's first byte, and
 * `h` is many times rarer in a heap profile than the newline that starts every line (`\nh` searched
 * 16 KiB per snapshot in twice the time).
 */
const HEAP_WORD = Buffer.from("heap ", "latin1");

/** Byte offset of the first newline that is followed by HEADER_PREFIX_BYTES, or -1. */
function indexOfHeaderLine(buf: Buffer): number {
  const n = HEADER_PREFIX_BYTES.length;
  for (let at = buf.indexOf(HEAP_WORD, 1); at >= 0; at = buf.indexOf(HEAP_WORD, at + 1)) {
    if (buf[at - 1] !== 0x0a || at + n > buf.length) continue;
    let k = HEAP_WORD.length;
    while (k < n && buf[at + k] === HEADER_PREFIX_BYTES[k]) k++;
    if (k === n) return at - 1;
  }
  return -1;
}
/** Decoration that capture scripts put around a stamp line (`=== <date> ===`, `# <date>`, `--- <date>`). */
const DECORATION = /^[\s=#*>-]+|[\s=#*<-]+$/g;
/** `date +%s[.%N]` alone on a line (line-prefix's epoch form needs text after it or end of line). */
const BARE_EPOCH = /^\d{10}(?:\.\d{1,9})?$|^\d{13}$/;
/** Lines looked at before the first header when sniffing: a stamp line and a blank or two. */
const SNIFF_LINES = 4;

interface Dump {
  /** 0-based index of the header line */
  header: number;
  /** 0-based end (exclusive): the next dump's stamp line or header, or the end of the text */
  end: number;
  stamp: { t: number; zoneAssumed: boolean; line: number } | null;
}

function stampOfLine(line: string, ctx: PrefixContext): { t: number; zoneAssumed: boolean } | null {
  const bare = line.replace(DECORATION, "");
  if (bare === "") return null;
  const p = splitLinePrefix(bare, ctx);
  if (p && p.rest.trim() === "") return { t: p.t, zoneAssumed: p.zoneAssumed };
  return null;
}

function prefixContext(file: CaptureFile, options: IngestOptions): PrefixContext {
  const named = timeFromPath(file.path, options.zone);
  return {
    zone: options.zone,
    referenceYear: options.referenceYear ?? new Date(file.mtimeMs).getUTCFullYear(),
    referenceDate: options.referenceDate ?? named?.t ?? file.mtimeMs,
  };
}

/** A CaptureFile over one dump's text, with a name that states no time (the stamp line does). */
function dumpFile(file: CaptureFile, text: string): CaptureFile {
  const buf = Buffer.from(text, "utf8");
  const head = buf.subarray(0, 64 * 1024);
  return {
    path: "dump",
    absPath: file.absPath,
    size: buf.length,
    mtimeMs: file.mtimeMs,
    head,
    headText: head.toString("utf8"),
    readBytes: async () => buf,
    readText: async () => text,
    readTail: async (n: number) => buf.subarray(Math.max(0, buf.length - n)).toString("utf8"),
  };
}

/** `dump:12: message` from the per-dump parse, re-located in this file. */
function relocate(path: string, message: string, firstLine: number): { line: number; message: string } {
  const m = /^dump(?::(\d+))?: (.*)$/s.exec(message);
  const line = m?.[1] ? firstLine + Number(m[1]) - 1 : firstLine;
  return { line, message: located(path, line, m ? m[2]! : message) };
}

export const heapDebug1Series: Parser = {
  id: "heap-debug1-series",
  description: "several heap debug=1 dumps appended to one file, each after a timestamp line",
  sniff(file: CaptureFile): boolean {
    // On the first bytes, not their decoded text: every plain heap dump is offered here first, and
    // decoding (or even scanning) 64 KiB per dump cost more than parsing it. Byte offsets of ASCII
    // needles give the same answers as the text's (a newline never sits inside a UTF-8 sequence).
    const head = startOf(file);
    const first = indexOfHeaderLine(head);
    if (first < 0) return false;
    // One dump at the top: claimed only when a second header follows within the first bytes read
    // (the prefix, 16 KiB): dumps appended with no stamp line between them are told apart from one
    // dump only when the first is that short (a capture loop that writes `date` first is always).
    const n = HEADER_PREFIX_BYTES.length;
    if (head.length >= n && head.compare(HEADER_PREFIX_BYTES, 0, n, 0, n) === 0) return !head.includes(0);
    // A stamp line (and maybe blanks) before the first header.
    const before = head.subarray(0, first).toString("utf8").split("\n");
    return before.length <= SNIFF_LINES && before.some((l) => l.trim() !== "") && !head.includes(0);
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const text = await file.readText();
    const lines = text.split("\n");
    const ctx = prefixContext(file, options);
    const headers: number[] = [];
    for (let i = 0; i < lines.length; i++) if (lines[i]!.startsWith(HEADER_PREFIX)) headers.push(i);
    if (headers.length === 0) return { kind: "not-mine" };

    const dumps: Dump[] = headers.map((h) => ({ header: h, end: lines.length, stamp: null }));
    for (let k = 0; k < dumps.length; k++) {
      const d = dumps[k]!;
      const floor = k === 0 ? 0 : dumps[k - 1]!.header + 1;
      let j = d.header - 1;
      while (j >= floor && lines[j]!.trim() === "") j--;
      if (j >= floor) {
        const line = lines[j]!.replace(/\r$/, "");
        const st = BARE_EPOCH.test(line.trim())
          ? {
              t: Math.round(Number(line.trim()) * (line.trim().length === 13 ? 1 : 1000)),
              zoneAssumed: false,
            }
          : stampOfLine(line, ctx);
        if (st) {
          d.stamp = { ...st, line: j };
          if (k > 0) dumps[k - 1]!.end = j;
        }
      }
      if (k > 0 && dumps[k - 1]!.end > d.header) dumps[k - 1]!.end = d.header;
    }
    if (dumps.length === 1 && dumps[0]!.stamp === null) return { kind: "not-mine" };
    const firstContent = lines.findIndex((l) => l.trim() !== "");
    if (dumps[0]!.stamp === null && firstContent !== headers[0])
      return {
        kind: "malformed",
        format: this.id,
        line: firstContent + 1,
        message: `text before the first heap profile is not a timestamp line: ${JSON.stringify(lines[firstContent]!.slice(0, 60))}`,
      };

    const memstats: MemStatsSample[] = [];
    const heapProfiles: HeapProfileRef[] = [];
    const hints: Hint[] = [];
    const issues: DataIssue[] = [];
    let firstProblem: { line: number; message: string } | null = null;
    const unstamped: number[] = [];
    for (const d of dumps) {
      const chunk = lines.slice(d.header, d.end).join("\n");
      const out = await heapDebug1.parse(dumpFile(file, chunk), options);
      const headerLine = d.header + 1;
      if (out.kind !== "parsed") {
        const msg =
          out.kind === "malformed"
            ? relocate(file.path, `dump:${out.line ?? 1}: ${out.message}`, headerLine)
            : { line: headerLine, message: located(file.path, headerLine, "not a heap profile") };
        firstProblem ??= msg;
        issues.push({ severity: "warning", message: msg.message, src: { path: file.path, line: msg.line } });
        continue;
      }
      if (out.partial) {
        const msg = relocate(file.path, out.partial.message, headerLine);
        firstProblem ??= msg;
        issues.push({ severity: "warning", message: msg.message, src: { path: file.path, line: msg.line } });
      }
      const src = { path: file.path, line: headerLine };
      for (const s of out.data.memstats ?? []) {
        const sample: MemStatsSample = { ...s, src };
        if (d.stamp) {
          sample.t = d.stamp.t;
          sample.prov = "record";
          if (d.stamp.zoneAssumed) sample.zoneAssumed = true;
          else delete sample.zoneAssumed;
        } else unstamped.push(headerLine);
        memstats.push(sample);
        for (const ref of out.data.heapProfiles ?? [])
          heapProfiles.push({
            ...ref,
            t: sample.t,
            prov: sample.prov,
            ...(sample.zoneAssumed ? { zoneAssumed: true } : {}),
            src,
            sites: readAllocationSites(chunk),
          });
      }
      for (const h of out.data.hints ?? [])
        if (!hints.some((x) => x.kind === h.kind && x.value === h.value)) hints.push({ ...h, src });
    }
    if (memstats.length === 0)
      return {
        kind: "malformed",
        format: this.id,
        line: firstProblem?.line ?? headers[0]! + 1,
        message: firstProblem?.message ?? "no dump could be read",
      };
    if (unstamped.length > 0)
      issues.push({
        severity: "warning",
        message: `${file.path}: ${unstamped.length} of ${dumps.length} dumps have no timestamp line before them (first at line ${unstamped[0]}); placed by their MemStats LastGC/PauseEnd (a lower bound) or the file's mtime`,
        src: { path: file.path, line: unstamped[0]! },
      });
    const outcome: ParseOutcome = {
      kind: "parsed",
      format: this.id,
      records: memstats.length,
      data: { memstats, heapProfiles, hints, issues },
    };
    if (firstProblem) outcome.partial = firstProblem;
    return outcome;
  },
};
