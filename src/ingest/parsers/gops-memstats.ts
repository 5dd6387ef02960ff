/**
 * `gops memstats <pid>` output (FORMATS.md §2): `key: value` lines written by the gops agent linked
 * into the target process, so the shape follows the agent's version, not the CLI's:
 *  - pre-v0.2 (2016): bytes as `N bytes`, `last-gc: <unix ns> ns ago` (absolute despite "ago"),
 *    `gc-pause: <PauseTotalNs> ns`;
 *  - v0.2.0 … v0.3.1: the same with `last-gc: <unix ns> ns`;
 *  - v0.3.2: `X.XXMB (N bytes)`, `last-gc: <time.Time String()>` or `-`, `gc-pause: <Duration>` (total);
 *  - v0.3.3 … v0.3.10: adds stack-mspan-*, stack-mcache-*, other-sys, gc-sys; `gc-pause-total:
 *    <Duration>` then `gc-pause: <ns of the last pause>`;
 *  - v0.3.11 … v0.3.28: adds `gc-pause-end: <unix ns>`, num-forced-gc, gc-cpu-fraction;
 *  - master after 2024-11: mspan-in-use, mspan-sys, mcache-in-use, mcache-sys, buck-hash-sys.
 * The exact integer in `(N bytes)` is used, never the rounded `X.XXMB`. A file may hold several
 * outputs one after another (a capture loop appending); each starts at its `alloc:` line, and a line
 * holding only a timestamp (`date` output) before it gives its time.
 *
 * Time: such a line, else the file name, else the last GC (`gc-pause-end`, else `last-gc`) as a
 * lower bound, else the mtime.
 */
import type { DataIssue, MemStatsSample, MemStatsValues } from "../../model/capture.js";
import type { CaptureFile, IngestOptions, ParseOutcome, Parser } from "../parser.js";
import { stampFile } from "../time/file-stamp.js";
import { splitLinePrefix } from "../time/line-prefix.js";
import { CORE_FIELDS } from "./memstats-block.js";

/** gops keys with a byte value (formatBytes or `N bytes`), to the MemStats field they print. */
const BYTE_KEYS: Record<string, keyof MemStatsValues> = {
  alloc: "Alloc",
  "total-alloc": "TotalAlloc",
  sys: "Sys",
  "heap-alloc": "HeapAlloc",
  "heap-sys": "HeapSys",
  "heap-idle": "HeapIdle",
  "heap-in-use": "HeapInuse",
  "heap-released": "HeapReleased",
  "stack-in-use": "StackInuse",
  "stack-sys": "StackSys",
  "stack-mspan-inuse": "MSpanInuse",
  "stack-mspan-sys": "MSpanSys",
  "stack-mcache-inuse": "MCacheInuse",
  "stack-mcache-sys": "MCacheSys",
  "mspan-in-use": "MSpanInuse",
  "mspan-sys": "MSpanSys",
  "mcache-in-use": "MCacheInuse",
  "mcache-sys": "MCacheSys",
  "buck-hash-sys": "BuckHashSys",
  "other-sys": "OtherSys",
  "gc-sys": "GCSys",
  "next-gc": "NextGC",
};

/** gops keys with a bare count. */
const COUNT_KEYS: Record<string, keyof MemStatsValues> = {
  mallocs: "Mallocs",
  frees: "Frees",
  "heap-objects": "HeapObjects",
  "num-gc": "NumGC",
  "num-forced-gc": "NumForcedGC",
};

/** Keys gops writes that memgap does not use; known so that they are not reported as unexpected. */
const IGNORED_KEYS = new Set(["lookups", "enable-gc", "debug-gc"]);

/** formatBytes units (gops agent): 1024-based, labelled KB/MB/... */
const UNIT_BYTES: Record<string, number> = {
  bytes: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
  PB: 1024 ** 5,
};

const LINE = /^([a-z][a-z-]*): ?(.*)$/;

/** `54.66MB (57317968 bytes)` -> exact; `1265448 bytes` -> exact; `54.66MB` alone -> rounded (flagged). */
function parseBytes(value: string): { bytes: number; exact: boolean } | null {
  const text = value.replace(/^when heap-alloc >= /, "").trim();
  let m = /\((\d+) bytes\)$/.exec(text);
  if (m) return { bytes: Number(m[1]), exact: true };
  m = /^(\d+) ?bytes$/.exec(text);
  if (m) return { bytes: Number(m[1]), exact: true };
  m = /^(\d+(?:\.\d+)?) ?(KB|MB|GB|TB|PB)$/.exec(text);
  if (m) return { bytes: Math.round(Number(m[1]) * UNIT_BYTES[m[2]!]!), exact: false };
  return null;
}

/** Go time.Duration String(): "0s", "946.946µs", "10.939682ms", "1m2.5s", "1h2m3s". */
export function parseGoDurationNs(text: string): number | null {
  const t = text.trim();
  if (t === "0" || t === "0s") return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h)/g;
  const scale: Record<string, number> = {
    ns: 1,
    us: 1e3,
    µs: 1e3,
    μs: 1e3,
    ms: 1e6,
    s: 1e9,
    m: 60e9,
    h: 3600e9,
  };
  let total = 0;
  let consumed = 0;
  for (const m of t.matchAll(re)) {
    if (m.index !== consumed) return null;
    total += Number(m[1]) * scale[m[2]!]!;
    consumed += m[0].length;
  }
  return consumed === t.length && consumed > 0 ? Math.round(total) : null;
}

/** `2020-11-30 16:35:46.766977147 -0500 EST` (Go time.Time String) -> epoch ms; the numeric offset wins. */
function parseGoTimeString(text: string): number | null {
  const m =
    /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? ([+-])(\d{2})(\d{2})(?: \S+)?(?: m=[+-][\d.]+)?$/.exec(
      text.trim(),
    );
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  const ms = Number(((m[7] ?? "") + "000").slice(0, 3));
  const offsetMs = (m[8] === "-" ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) * 60_000;
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms) - offsetMs;
}

/** Unix nanoseconds (possibly above 2^53) to epoch ms; null for 0 (no GC yet). */
function unixNsToMs(digits: string): number | null {
  const ms = Number(BigInt(digits) / 1_000_000n);
  return ms > 0 ? ms : null;
}

interface Block {
  startLine: number;
  stamp: { t: number; zoneAssumed: boolean } | null;
  ms: Partial<MemStatsValues>;
  lastGcMs: number | null;
  pauseEndMs: number | null;
  gcPauseRaw: { value: string; line: number } | null;
  sawPauseTotal: boolean;
  roundedKeys: string[];
}

function newBlock(startLine: number, stamp: Block["stamp"]): Block {
  return {
    startLine,
    stamp,
    ms: {},
    lastGcMs: null,
    pauseEndMs: null,
    gcPauseRaw: null,
    sawPauseTotal: false,
    roundedKeys: [],
  };
}

/** True when `text` starts (after blank lines and one optional timestamp line) with gops' `alloc:` line. */
function startsLikeGops(text: string): boolean {
  const lines = text.split("\n", 6).map((l) => l.trim());
  const first = lines.findIndex((l) => l !== "");
  if (first < 0) return false;
  const candidates = [lines[first]!, lines[first + 1] ?? ""];
  return candidates.some((l) => /^alloc: (\d+ bytes|[\d.]+[KMGTP]?B \(\d+ bytes\))\s*$/.test(l));
}

export const gopsMemstats: Parser = {
  id: "gops-memstats",
  description: "gops memstats output (google/gops agent, all versions)",
  sniff(file: CaptureFile): boolean {
    return startsLikeGops(file.headText) && /\nheap-alloc: /.test(file.headText);
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const text = await file.readText();
    const lines = text.split("\n");
    const blocks: Block[] = [];
    const issues: DataIssue[] = [];
    let pendingStamp: Block["stamp"] = null;
    let current: Block | null = null;
    for (let i = 0; i < lines.length; i++) {
      const lineNo = i + 1;
      const raw = lines[i]!.replace(/\r$/, "").trim();
      if (raw === "") continue;
      const m = LINE.exec(raw);
      if (!m) {
        const prefix = splitLinePrefix(raw, options);
        if (prefix && prefix.rest.trim() === "") {
          pendingStamp = { t: prefix.t, zoneAssumed: prefix.zoneAssumed };
          continue;
        }
        issues.push({
          severity: "warning",
          message: `${file.path}:${lineNo}: not a gops 'key: value' line, skipped: ${JSON.stringify(raw.slice(0, 60))}`,
          src: { path: file.path, line: lineNo },
        });
        continue;
      }
      const key = m[1]!;
      const value = m[2]!;
      if (key === "alloc" || !current) {
        current = newBlock(lineNo, pendingStamp);
        pendingStamp = null;
        blocks.push(current);
      }
      const block: Block = current;
      if (key in BYTE_KEYS) {
        const b = parseBytes(value);
        if (!b) {
          return {
            kind: "malformed",
            format: this.id,
            line: lineNo,
            message: `${key}: expected a byte value such as '54.66MB (57317968 bytes)' or '1024 bytes', got ${JSON.stringify(value.slice(0, 40))}`,
          };
        }
        if (!b.exact) block.roundedKeys.push(key);
        (block.ms as Record<string, number>)[BYTE_KEYS[key]!] = b.bytes;
      } else if (key in COUNT_KEYS) {
        if (!/^\d+$/.test(value))
          return {
            kind: "malformed",
            format: this.id,
            line: lineNo,
            message: `${key}: expected a count, got ${JSON.stringify(value.slice(0, 40))}`,
          };
        (block.ms as Record<string, number>)[COUNT_KEYS[key]!] = Number(value);
      } else if (key === "last-gc") {
        const ns = /^(\d+) ns(?: ago)?$/.exec(value);
        if (ns) block.lastGcMs = unixNsToMs(ns[1]!);
        else if (value === "-") block.lastGcMs = null;
        else {
          const t = parseGoTimeString(value);
          if (t === null)
            issues.push({
              severity: "warning",
              message: `${file.path}:${lineNo}: last-gc: not a time ${JSON.stringify(value.slice(0, 60))}`,
              src: { path: file.path, line: lineNo },
            });
          block.lastGcMs = t;
        }
        block.ms.LastGCMs = block.lastGcMs;
      } else if (key === "gc-pause-end") {
        if (/^\d+$/.test(value)) block.pauseEndMs = unixNsToMs(value);
      } else if (key === "gc-pause-total") {
        const ns = parseGoDurationNs(value);
        if (ns !== null) block.ms.PauseTotalNs = ns;
        block.sawPauseTotal = true;
      } else if (key === "gc-pause") {
        block.gcPauseRaw = { value, line: lineNo };
      } else if (key === "gc-cpu-fraction") {
        const f = Number(value);
        if (Number.isFinite(f)) block.ms.GCCPUFraction = f;
      } else if (!IGNORED_KEYS.has(key)) {
        // A newer agent may add keys: note them, they do not make the file unreadable.
        issues.push({
          severity: "info",
          message: `${file.path}:${lineNo}: unknown gops memstats key '${key}' ignored`,
          src: { path: file.path, line: lineNo },
        });
      }
    }
    if (blocks.length === 0)
      return { kind: "malformed", format: this.id, line: 1, message: "no gops memstats lines found" };

    const samples: MemStatsSample[] = [];
    let partial: { line: number; message: string } | undefined;
    for (const block of blocks) {
      // Before v0.3.3 `gc-pause` is the total (`N ns`, or a Duration in v0.3.2); after, the last pause.
      if (block.gcPauseRaw && !block.sawPauseTotal) {
        const v = block.gcPauseRaw.value;
        const ns = /^(\d+) ns$/.exec(v) ? Number(v.replace(/ ns$/, "")) : parseGoDurationNs(v);
        if (ns !== null) block.ms.PauseTotalNs = ns;
      }
      const missing = CORE_FIELDS.filter((f) => block.ms[f] === undefined);
      if (missing.length > 0) {
        const where = block === blocks[blocks.length - 1] ? "the file ends" : "the next output starts";
        const message = `gops memstats output from line ${block.startLine} lacks ${missing.join(", ")} (${where} before them)`;
        if (samples.length === 0 && block === blocks[blocks.length - 1])
          return { kind: "malformed", format: this.id, line: block.startLine, message };
        partial ??= { line: block.startLine, message: `${file.path}:${block.startLine}: ${message}` };
        continue;
      }
      if (block.roundedKeys.length > 0)
        issues.push({
          severity: "info",
          message: `${file.path}:${block.startLine}: ${block.roundedKeys.join(", ")} given only rounded (no exact '(N bytes)')`,
          src: { path: file.path, line: block.startLine },
        });
      const bound = block.pauseEndMs ?? block.lastGcMs;
      const stamp = block.stamp
        ? { t: block.stamp.t, prov: "record" as const, zoneAssumed: block.stamp.zoneAssumed }
        : stampFile(file, options, bound);
      samples.push({
        t: stamp.t,
        prov: stamp.prov,
        zoneAssumed: stamp.zoneAssumed || undefined,
        src: { path: file.path, line: block.startLine },
        format: this.id,
        ms: block.ms as MemStatsValues,
      });
    }
    if (samples.length > 1 && samples.some((s) => s.prov !== "record")) {
      issues.push({
        severity: "warning",
        message: `${file.path}: ${samples.length} memstats outputs but not every one has its own timestamp line; they share the file's time`,
        src: { path: file.path },
      });
    }
    return {
      kind: "parsed",
      format: this.id,
      records: samples.length,
      data: { memstats: samples, issues },
      ...(partial ? { partial } : {}),
    };
  },
};
