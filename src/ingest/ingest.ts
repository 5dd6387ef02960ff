/**
 * The ingest stage: read every file under an incident directory into `Captures`.
 *
 * Each file is offered to the parsers in registry order (sniff, then parse); every file ends up in
 * the capture ledger as parsed, ignored (why) or malformed (file:line: what is wrong). A parser that
 * throws is caught and its file recorded as malformed: one bad file never stops the run. Files are
 * read with bounded concurrency so that a directory of a million files does not open them all.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import type { Captures, FileStatus, Provenance } from "../model/capture.js";
import { discoverFiles, type DiscoveredFile } from "./discover.js";
import { knownNonCapture } from "./not-captures.js";
import {
  located,
  type CaptureData,
  type CaptureFile,
  type IngestOptions,
  type ParseOutcome,
} from "./parser.js";
import { PARSERS } from "./registry.js";
import { linesOfBuffer, linesOfFile } from "./read-lines.js";
import { incidentYaml, isIncidentYamlPath } from "./parsers/incident-yaml.js";
import { timeFromPath } from "./time/filename-time.js";

const HEAD_BYTES = 64 * 1024;
const CONCURRENCY = 16;
/**
 * The largest file a parser may read whole (readBytes/readText). V8 cannot hold a string above
 * 2^29 - 24 UTF-16 units (~512 Mi characters), so a larger text fails anyway; at 256 MiB a decoded
 * file and its split lines stay well inside a default Node heap even with a few files in flight
 * (CONCURRENCY). Streaming parsers (CaptureFile.lines) and head/tail reads are not limited.
 */
export const MAX_WHOLE_READ_BYTES = 256 * 1024 * 1024;

/** The whole-read limit in force: MAX_WHOLE_READ_BYTES unless set (tests lower it to stay fast). */
let wholeReadLimitBytes = MAX_WHOLE_READ_BYTES;

/** Set the whole-read limit for files read after this call; null restores MAX_WHOLE_READ_BYTES. */
export function setWholeReadLimit(bytes: number | null): void {
  wholeReadLimitBytes = bytes ?? MAX_WHOLE_READ_BYTES;
}

/** Thrown by readBytes/readText above the whole-read limit; ingest records the file as ignored. */
export class FileTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number = wholeReadLimitBytes,
  ) {
    super(`${size} bytes is above the ${limit}-byte limit for reading a file whole`);
  }
}

async function readWhole(abs: string): Promise<Buffer> {
  const fh = await open(abs, "r");
  try {
    // the size now, not at discovery: a log may have grown since
    const { size } = await fh.stat();
    if (size > wholeReadLimitBytes) throw new FileTooLargeError(size, wholeReadLimitBytes);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

async function readHead(abs: string, size: number): Promise<Buffer> {
  const fh = await open(abs, "r");
  try {
    const buf = Buffer.alloc(Math.min(size, HEAD_BYTES));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

async function readTail(abs: string, size: number, bytes: number): Promise<string> {
  if (size <= bytes) return (await readFile(abs)).toString("utf8");
  const fh = await open(abs, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, size - bytes);
    return buf.subarray(0, bytesRead).toString("utf8");
  } finally {
    await fh.close();
  }
}

/**
 * Files up to this size are read whole in one read and served from memory: a heap snapshot of a
 * few hundred records (~80 KiB) would otherwise be opened twice and read as an overlapping 64 KiB
 * head and 64 KiB tail. Twice the head is where the two reads stop overlapping.
 */
const ONE_READ_BYTES = 2 * HEAD_BYTES;

/**
 * The first bytes of a small file read before any parser runs: a stamp line and a heap profile's
 * header and first records fit many times over, which is all the parsers claiming the bulk of an
 * archive (heap snapshots, by their first bytes) look at; the 64 KiB head and the rest of the file are
 * read only if a parser asks (`head`, `readTail`, `readBytes`).
 */
const PREFIX_BYTES = 16 * 1024;

/** A CaptureFile over an open small file, read piece by piece on demand; `close` after its parse. */
interface OpenCaptureFile {
  file: CaptureFile;
  /** read the rest now: the file is then served from memory, and stays valid after `close` */
  readAll(): void;
  close(): void;
}

/** Thrown when a small file's size changed since discovery (a read came back short or long). */
class FileChangedError extends Error {}

/**
 * A small file (at most ONE_READ_BYTES) opened once and read lazily into one buffer that mirrors the
 * file: its prefix at once, then whatever a parser asks for (the head, a tail, all of it), each range
 * read at most once. A week of one-minute heap snapshots is ten thousand ~90 KiB files of which only
 * the first bytes and the last 16 KiB (the MemStats block) are needed: read whole they cost twice the
 * time and the sniffers scan 64 KiB heads each. Synchronous reads: for a small file from the page cache,
 * open/read/close cost a few microseconds each, the promise API's round trips several times more.
 */
function openSmallCaptureFile(f: DiscoveredFile, scratch?: Buffer): OpenCaptureFile {
  const fd = openSync(f.absPath, "r");
  const size = f.size;
  const buf = scratch && scratch.length > size ? scratch.subarray(0, size + 1) : Buffer.allocUnsafe(size + 1);
  // bytes [0, front) and [back, size) are in buf
  let front = 0;
  let back = size;
  let closed = false;
  const fill = (from: number, to: number): void => {
    let n = from;
    while (n < to) {
      const got = readSync(fd, buf, n, to - n, n);
      if (got === 0) throw new FileChangedError(`changed while being read (shorter than its ${size} bytes)`);
      n += got;
    }
  };
  const ensureFront = (to: number): void => {
    if (to <= front) return;
    if (to >= back) {
      fill(front, back);
      front = back = size;
      return;
    }
    fill(front, to);
    front = to;
  };
  const ensureBack = (from: number): void => {
    if (from >= back) return;
    if (from <= front) {
      fill(front, back);
      front = back = size;
      return;
    }
    fill(from, back);
    back = from;
  };
  let whole: Buffer | null = null;
  const ensureWhole = (): Buffer => {
    if (whole) return whole;
    ensureFront(size);
    // one byte more than the size known at discovery: a file that grew since is not this file
    if (readSync(fd, buf, size, 1, size) !== 0) throw new FileChangedError("grew while being read");
    whole = buf.subarray(0, size);
    return whole;
  };
  ensureFront(Math.min(size, PREFIX_BYTES));
  const prefix = buf.subarray(0, Math.min(size, PREFIX_BYTES));
  let head: Buffer | null = null;
  let headText: string | null = null;
  const file: CaptureFile = {
    path: f.path,
    absPath: f.absPath,
    size,
    mtimeMs: f.mtimeMs,
    prefix,
    get head(): Buffer {
      if (!head) {
        ensureFront(Math.min(size, HEAD_BYTES));
        head = buf.subarray(0, Math.min(size, HEAD_BYTES));
      }
      return head;
    },
    get headText(): string {
      headText ??= this.head.toString("utf8");
      return headText;
    },
    readBytes: () => Promise.resolve(Buffer.from(ensureWhole())),
    readText: () => Promise.resolve(ensureWhole().toString("utf8")),
    readTail: (bytes: number) => {
      if (size <= bytes) return Promise.resolve(ensureWhole().toString("utf8"));
      ensureBack(size - bytes);
      return Promise.resolve(buf.toString("utf8", size - bytes, size));
    },
    readTailBytes: (bytes: number) => {
      if (size <= bytes) return Promise.resolve(ensureWhole());
      ensureBack(size - bytes);
      return Promise.resolve(buf.subarray(size - bytes, size));
    },
    lines: () => linesOfBuffer(ensureWhole()),
  };
  return {
    file,
    readAll: () => void ensureWhole(),
    close: () => {
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}

/**
 * `scratch`, when given, is a buffer the small file is read into instead of a new one; the
 * CaptureFile then serves from it, so it is valid only until the next file is read into the same
 * scratch (the ingest loop parses small files one after the other). Ten thousand fresh 100 KiB
 * buffers are freed by the GC in bursts and leave the process's resident set three times its heap.
 */
export async function makeCaptureFile(f: DiscoveredFile, scratch?: Buffer): Promise<CaptureFile> {
  if (f.size <= ONE_READ_BYTES) {
    // read whole and closed at once: nothing closes a CaptureFile handed out from here
    const opened = openSmallCaptureFile(f, scratch);
    try {
      opened.readAll();
      return opened.file;
    } catch (err) {
      // changed size since discovery: read as a large file is, below
      if (!(err instanceof FileChangedError)) throw err;
    } finally {
      opened.close();
    }
  }
  const head = await readHead(f.absPath, f.size);
  return {
    path: f.path,
    absPath: f.absPath,
    size: f.size,
    mtimeMs: f.mtimeMs,
    head,
    headText: head.toString("utf8"),
    readBytes: () => readWhole(f.absPath),
    readText: async () => (await readWhole(f.absPath)).toString("utf8"),
    readTail: (bytes: number) => readTail(f.absPath, f.size, bytes),
    // streamed: not subject to the whole-read limit
    lines: () => linesOfFile(f.absPath),
  };
}

function looksLikeCaptureName(relPath: string): boolean {
  return /(heap|allocs|memprof|profile|goroutine|rss|smaps|status|vars|memstats|metrics|gctrace|ps|top|pidstat|snap)/i.test(
    relPath,
  );
}

interface FileResult {
  status: FileStatus;
  data: CaptureData | null;
}

function timeRangeOf(data: CaptureData): {
  range: { start: number; end: number } | null;
  prov: Provenance | null;
} {
  let start = Infinity;
  let end = -Infinity;
  const provs = new Map<Provenance, number>();
  const visit = (t: number | null, prov: Provenance | null): void => {
    if (t === null) return;
    if (t < start) start = t;
    if (t > end) end = t;
    if (prov) provs.set(prov, (provs.get(prov) ?? 0) + 1);
  };
  for (const s of data.memstats ?? []) visit(s.t, s.prov);
  for (const series of data.rss ?? []) {
    // one provenance per series: counted once; the times walked by index (600k RSS samples a week)
    const t = series.t;
    for (let i = 0; i < t.length; i++) {
      if (t[i]! < start) start = t[i]!;
      if (t[i]! > end) end = t[i]!;
    }
    if (t.length > 0) provs.set(series.prov, (provs.get(series.prov) ?? 0) + t.length);
  }
  for (const s of data.gc ?? []) visit(s.t, s.prov);
  for (const s of data.scav ?? []) visit(s.t, s.prov);
  for (const s of data.goroutines ?? []) visit(s.t, s.prov);
  for (const s of data.heapProfiles ?? []) visit(s.t, s.prov);
  let prov: Provenance | null = null;
  let best = 0;
  for (const [p, n] of provs) if (n > best) [prov, best] = [p, n];
  return { range: Number.isFinite(start) ? { start, end } : null, prov };
}

/** One file read, sniffed and parsed into its ledger row and data. */
async function ingestFile(f: DiscoveredFile, options: IngestOptions, scratch?: Buffer): Promise<FileResult> {
  const base: Omit<FileStatus, "status" | "message"> = {
    path: f.path,
    format: null,
    records: 0,
    timeRange: null,
    timeSource: null,
    partial: false,
    bytes: f.size,
  };
  const known = knownNonCapture(f.path);
  if (known) return { status: { ...base, status: "ignored", message: known }, data: null };
  if (f.size === 0) {
    return looksLikeCaptureName(f.path)
      ? {
          status: {
            ...base,
            status: "malformed",
            message: located(f.path, null, "empty file: the capture wrote nothing"),
          },
          data: null,
        }
      : { status: { ...base, status: "ignored", message: "empty file" }, data: null };
  }
  let file: CaptureFile;
  let close = (): void => {};
  try {
    if (f.size <= ONE_READ_BYTES) ({ file, close } = openSmallCaptureFile(f, scratch));
    else file = await makeCaptureFile(f, scratch);
  } catch (err) {
    return {
      status: {
        ...base,
        status: "malformed",
        message: located(f.path, null, `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`),
      },
      data: null,
    };
  }
  try {
    return await parseWithRegistry(f, file, options, base);
  } catch (err) {
    // a small file that changed size while its parser read it (the parsers themselves never throw here)
    return {
      status: {
        ...base,
        status: "malformed",
        message: located(f.path, null, `cannot be read: ${(err as Error).message}`),
      },
      data: null,
    };
  } finally {
    close();
  }
}

/** The file through the parsers in registry order: the first that claims it and does not decline it. */
async function parseWithRegistry(
  f: DiscoveredFile,
  file: CaptureFile,
  options: IngestOptions,
  base: Omit<FileStatus, "status" | "message">,
): Promise<FileResult> {
  for (const parser of PARSERS) {
    let claimed = false;
    try {
      claimed = parser.sniff(file);
    } catch {
      claimed = false;
    }
    if (!claimed) continue;
    let outcome: ParseOutcome;
    try {
      outcome = await parser.parse(file, options);
    } catch (err) {
      if (err instanceof FileTooLargeError) {
        const message = `too large for a ${parser.id} capture (${err.size} bytes): files above ${err.limit} bytes are not read whole`;
        return { status: { ...base, format: parser.id, status: "ignored", message }, data: null };
      }
      return {
        status: {
          ...base,
          format: parser.id,
          status: "malformed",
          message: located(f.path, null, `the ${parser.id} parser failed: ${(err as Error).message}`),
        },
        data: null,
      };
    }
    if (outcome.kind === "not-mine") continue;
    if (outcome.kind === "ignored") {
      return {
        status: { ...base, format: outcome.format, status: "ignored", message: outcome.message },
        data: null,
      };
    }
    if (outcome.kind === "malformed") {
      return {
        status: {
          ...base,
          format: outcome.format,
          status: "malformed",
          message: located(f.path, outcome.line, outcome.message),
        },
        data: null,
      };
    }
    const { range, prov } = timeRangeOf(outcome.data);
    return {
      status: {
        ...base,
        format: outcome.format,
        status: "parsed",
        records: outcome.records,
        message: outcome.partial ? `parsed up to a problem: ${outcome.partial.message}` : null,
        timeRange: range,
        timeSource: prov,
        partial: Boolean(outcome.partial),
      },
      data: outcome.data,
    };
  }
  const binary = file.head.includes(0);
  const firstLine = file.headText.split("\n", 1)[0]!.slice(0, 60);
  return {
    status: {
      ...base,
      status: "ignored",
      message: binary
        ? "binary file of no known capture format"
        : `not a recognised capture format (first line: ${JSON.stringify(firstLine)})`,
    },
    data: null,
  };
}

/** The year to give stamps that carry none (syslog-style prefixes, top): from file-name stamps, else mtimes. */
function referenceYearOf(files: DiscoveredFile[], zone: string): number | null {
  const years: number[] = [];
  for (const f of files) {
    const t = timeFromPath(f.path, zone);
    if (t) years.push(new Date(t.t).getUTCFullYear());
  }
  if (years.length === 0) for (const f of files) years.push(new Date(f.mtimeMs).getUTCFullYear());
  if (years.length === 0) return null;
  years.sort((a, b) => a - b);
  return years[Math.floor(years.length / 2)]!;
}

/**
 * The instant that dates time-of-day rows (top, pidstat): the earliest file-name stamp in each
 * directory, and under "" the earliest of the whole incident (for directories with no stamped name).
 */
function referenceDatesOf(files: DiscoveredFile[], zone: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of files) {
    const t = timeFromPath(f.path, zone);
    if (!t) continue;
    const dir = f.path.includes("/") ? f.path.slice(0, f.path.lastIndexOf("/")) : "";
    for (const key of new Set([dir, ""])) out.set(key, Math.min(out.get(key) ?? Infinity, t.t));
  }
  return out;
}

function referenceDateFor(relPath: string, dates: Map<string, number>): number | null {
  const dir = relPath.includes("/") ? relPath.slice(0, relPath.lastIndexOf("/")) : "";
  return dates.get(dir) ?? dates.get("") ?? null;
}

/** Push without spreading: a log can yield more samples than a call's argument limit. */
function append<T>(target: T[], items: T[]): void {
  // indexed: an unoptimised for-of allocates a result object per element (600k RSS samples a week)
  for (let i = 0; i < items.length; i++) target.push(items[i]!);
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

/**
 * Every file in this thread: small files (read whole, synchronously) one after the other through one
 * scratch buffer; larger ones (logs, read through the promise API) with bounded concurrency beside them.
 */
async function ingestInThread(
  files: DiscoveredFile[],
  optionsFor: (f: DiscoveredFile) => IngestOptions,
): Promise<FileResult[]> {
  const results = new Array<FileResult>(files.length);
  const small: number[] = [];
  const large: number[] = [];
  files.forEach((f, i) => (f.size <= ONE_READ_BYTES ? small : large).push(i));
  const scratch = Buffer.allocUnsafe(ONE_READ_BYTES + 1);
  await Promise.all([
    (async () => {
      for (const i of small) {
        const f = files[i]!;
        results[i] = await ingestFile(f, optionsFor(f), scratch);
      }
    })(),
    mapLimit(large, CONCURRENCY, async (i) => {
      const f = files[i]!;
      results[i] = await ingestFile(f, optionsFor(f));
    }),
  ]);
  return results;
}

export interface IngestRequest {
  incidentDir: string;
  incidentId: string;
  /** IANA zone for zone-less stamps; null when not given on the command line (incident.yaml's, else UTC) */
  zone: string | null;
}

/** The `timezone` of the incident root's incident.yaml, when it states a valid one. */
async function incidentYamlZone(files: DiscoveredFile[]): Promise<string | null> {
  const f = files.find((d) => isIncidentYamlPath(d.path));
  if (!f) return null;
  try {
    const outcome = await incidentYaml.parse(await makeCaptureFile(f), { zone: "UTC", referenceYear: null });
    return outcome.kind === "parsed" ? (outcome.data.meta?.timezone ?? null) : null;
  } catch {
    return null;
  }
}

export async function ingestIncident(req: IngestRequest): Promise<Captures> {
  const discovery = await discoverFiles(req.incidentDir);
  const yamlZone = req.zone === null ? await incidentYamlZone(discovery.files) : null;
  const zone = req.zone ?? yamlZone ?? "UTC";
  const options: IngestOptions = {
    zone,
    referenceYear: referenceYearOf(discovery.files, zone),
  };
  const referenceDates = referenceDatesOf(discovery.files, zone);
  // one options object per directory, not per file (a week of snapshots is ten thousand files in one)
  const optionsByDate = new Map<number | null, IngestOptions>();
  const optionsFor = (f: DiscoveredFile): IngestOptions => {
    const referenceDate = referenceDateFor(f.path, referenceDates);
    let o = optionsByDate.get(referenceDate);
    if (!o) {
      o = { ...options, referenceDate };
      optionsByDate.set(referenceDate, o);
    }
    return o;
  };
  const results = await ingestInThread(discovery.files, optionsFor);
  const captures: Captures = {
    incidentId: req.incidentId,
    files: [],
    memstats: [],
    rss: [],
    gc: [],
    scav: [],
    goroutines: [],
    heapProfiles: [],
    hints: [],
    meta: null,
    issues: yamlZone
      ? [
          {
            severity: "info",
            message: `stamps without a zone are read in ${yamlZone} (incident.yaml timezone; no --tz given)`,
          },
        ]
      : [],
  };
  for (const s of discovery.skipped) {
    captures.files.push({
      path: s.path,
      format: null,
      status: "ignored",
      records: 0,
      message: s.reason,
      timeRange: null,
      timeSource: null,
      partial: false,
      bytes: 0,
    });
  }
  for (const r of results) {
    captures.files.push(r.status);
    const d = r.data;
    if (!d) continue;
    if (d.memstats) append(captures.memstats, d.memstats);
    if (d.rss) append(captures.rss, d.rss);
    if (d.gc) append(captures.gc, d.gc);
    if (d.scav) append(captures.scav, d.scav);
    if (d.goroutines) append(captures.goroutines, d.goroutines);
    if (d.heapProfiles) append(captures.heapProfiles, d.heapProfiles);
    if (d.hints) append(captures.hints, d.hints);
    if (d.issues) append(captures.issues, d.issues);
    if (d.absences) append((captures.absences ??= []), d.absences);
    if (d.meta) captures.meta = d.meta;
  }
  captures.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return captures;
}
