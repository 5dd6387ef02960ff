/**
 * The ingest stage: read every file under an incident directory into `Captures`.
 *
 * Each file is offered to the parsers in registry order (sniff, then parse); every file ends up in
 * the capture ledger as parsed, ignored (why) or malformed (file:line: what is wrong). A parser that
 * throws is caught and its file recorded as malformed: one bad file never stops the run. Files are
 * read with bounded concurrency so that a directory of a million files does not open them all.
 */
import { closeSync, fstatSync, openSync, read, readSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import type { Captures, FileStatus, FileStatusKind, Provenance } from "../model/capture.js";
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

/** Thrown when a small file's size changed since discovery (a read came back short or long). */
class FileChangedError extends Error {}

/**
 * A small file (at most ONE_READ_BYTES) opened once and read lazily into one buffer that mirrors the
 * file: its prefix at once, then whatever a parser asks for (the head, a tail, all of it), each range
 * read at most once; `close` after its parse. A week of one-minute heap snapshots is ten thousand
 * ~90 KiB files of which only the first bytes and the last few KiB (the MemStats block) are needed:
 * read whole they cost twice the time and the sniffers scan 64 KiB heads each. Synchronous reads: for
 * a small file from the page cache, open/read/close cost a few microseconds each, the promise API's
 * round trips several times more. A class, not a literal of closures: ten thousand files a week, and
 * every closure and accessor of a literal is allocated per file.
 */
class SmallCaptureFile implements CaptureFile {
  readonly path: string;
  readonly absPath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly prefix: Buffer;
  private readonly fd: number;
  private readonly buf: Buffer;
  /** bytes [0, front) and [back, size) are in buf */
  private front = 0;
  private back: number;
  private closed = false;
  private whole: Buffer | null = null;
  private headBytes: Buffer | null = null;
  private decodedHead: string | null = null;

  constructor(f: DiscoveredFile, scratch?: Buffer) {
    this.path = f.path;
    this.absPath = f.absPath;
    this.size = f.size;
    this.mtimeMs = f.mtimeMs;
    this.fd = openSync(f.absPath, "r");
    this.buf =
      scratch && scratch.length > f.size ? scratch.subarray(0, f.size + 1) : Buffer.allocUnsafe(f.size + 1);
    this.back = f.size;
    const prefixEnd = Math.min(f.size, PREFIX_BYTES);
    try {
      this.ensureFront(prefixEnd);
    } catch (err) {
      this.close();
      throw err;
    }
    this.prefix = this.buf.subarray(0, prefixEnd);
  }

  get head(): Buffer {
    if (!this.headBytes) {
      const end = Math.min(this.size, HEAD_BYTES);
      this.ensureFront(end);
      this.headBytes = this.buf.subarray(0, end);
    }
    return this.headBytes;
  }

  get headText(): string {
    this.decodedHead ??= this.head.toString("utf8");
    return this.decodedHead;
  }

  readBytes(): Promise<Buffer> {
    return Promise.resolve(Buffer.from(this.ensureWhole()));
  }

  readText(): Promise<string> {
    return Promise.resolve(this.ensureWhole().toString("utf8"));
  }

  readTail(bytes: number): Promise<string> {
    if (this.size <= bytes) return Promise.resolve(this.ensureWhole().toString("utf8"));
    this.ensureBack(this.size - bytes);
    return Promise.resolve(this.buf.toString("utf8", this.size - bytes, this.size));
  }

  readTailBytes(bytes: number): Promise<Buffer> {
    if (this.size <= bytes) return Promise.resolve(this.ensureWhole());
    this.ensureBack(this.size - bytes);
    return Promise.resolve(this.buf.subarray(this.size - bytes, this.size));
  }

  lines(): AsyncIterable<string> {
    return linesOfBuffer(this.ensureWhole());
  }

  /** Read the rest now: the file is then served from memory, and stays valid after `close`. */
  readAll(): void {
    this.ensureWhole();
  }

  close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }

  private fill(from: number, to: number): void {
    let n = from;
    while (n < to) {
      const got = readSync(this.fd, this.buf, n, to - n, n);
      if (got === 0)
        throw new FileChangedError(`changed while being read (shorter than its ${this.size} bytes)`);
      n += got;
    }
  }

  private ensureFront(to: number): void {
    if (to <= this.front) return;
    if (to >= this.back) {
      this.fill(this.front, this.back);
      this.front = this.back = this.size;
      return;
    }
    this.fill(this.front, to);
    this.front = to;
  }

  private ensureBack(from: number): void {
    if (from >= this.back) return;
    if (from <= this.front) {
      this.fill(this.front, this.back);
      this.front = this.back = this.size;
      return;
    }
    this.fill(from, this.back);
    this.back = from;
  }

  private ensureWhole(): Buffer {
    if (this.whole) return this.whole;
    this.ensureFront(this.size);
    // one byte more than the size known at discovery: a file that grew since is not this file
    if (readSync(this.fd, this.buf, this.size, 1, this.size) !== 0)
      throw new FileChangedError("grew while being read");
    this.whole = this.buf.subarray(0, this.size);
    return this.whole;
  }
}

/**
 * `scratch`, when given, is a buffer the small file is read into instead of a new one; the
 * CaptureFile then serves from it, so it is valid only until the next file is read into the same
 * scratch (the ingest loop parses small files one after the other). Ten thousand fresh 100 KiB
 * buffers are freed by the GC in bursts and leave the process's resident set three times its heap.
 */
export async function makeCaptureFile(
  f: DiscoveredFile,
  scratch?: Buffer,
  prefetched?: Promise<Buffer | null>,
): Promise<CaptureFile> {
  const whole = prefetched ? await prefetched : null;
  if (whole) return inMemoryCaptureFile(f, whole);
  if (f.size <= ONE_READ_BYTES) {
    // read whole and closed at once: nothing closes a CaptureFile handed out from here
    const opened = new SmallCaptureFile(f, scratch);
    try {
      opened.readAll();
      return opened;
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

/** A CaptureFile over a whole file already read (its size as read, which a growing log may change). */
function inMemoryCaptureFile(f: DiscoveredFile, bytes: Buffer): CaptureFile {
  const head = bytes.subarray(0, HEAD_BYTES);
  let headText: string | null = null;
  return {
    path: f.path,
    absPath: f.absPath,
    size: bytes.length,
    mtimeMs: f.mtimeMs,
    head,
    get headText(): string {
      headText ??= head.toString("utf8");
      return headText;
    },
    readBytes: () => Promise.resolve(bytes),
    readText: () => Promise.resolve(bytes.toString("utf8")),
    readTail: (n: number) => Promise.resolve(bytes.toString("utf8", Math.max(0, bytes.length - n))),
    readTailBytes: (n: number) => Promise.resolve(bytes.subarray(Math.max(0, bytes.length - n))),
    lines: () => linesOfBuffer(bytes),
  };
}

/**
 * The most bytes of larger files read ahead at once (prefetchWhole): a week's VmRSS log is ~25 MiB;
 * bounded so that an incident of many big logs does not hold them all in memory before their parse.
 */
const PREFETCH_BYTES = 64 * 1024 * 1024;

/**
 * A larger file read whole in the background, by one read request at a time on libuv's thread pool,
 * while this thread parses the small files synchronously: a week's VmRSS log is then in memory when
 * the ten thousand snapshots are done, instead of being read after them in 512 KiB round trips that
 * each wait for this thread. Its size is taken when it is opened (a log may have grown since
 * discovery), as readWhole does. null when it cannot be read so or is above PREFETCH_BYTES: the file
 * is then read the usual way, which reports what is wrong.
 */
function prefetchWhole(f: DiscoveredFile): Promise<Buffer | null> {
  return new Promise((resolve) => {
    let fd: number;
    let buf: Buffer;
    try {
      fd = openSync(f.absPath, "r");
    } catch {
      resolve(null);
      return;
    }
    const done = (bytes: Buffer | null): void => {
      closeSync(fd);
      resolve(bytes);
    };
    try {
      const { size } = fstatSync(fd);
      if (size > PREFETCH_BYTES || size > wholeReadLimitBytes) return done(null);
      buf = Buffer.allocUnsafe(size);
    } catch {
      return done(null);
    }
    const step = (at: number): void => {
      if (at === buf.length) return done(buf);
      read(fd, buf, at, buf.length - at, at, (err, n) => {
        if (err) done(null);
        // shorter than when opened: read the usual way
        else if (n === 0) done(null);
        else step(at + n);
      });
    };
    step(0);
  });
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

/**
 * The span of a file's times and the provenance most of them have (the first met wins a tie), for
 * its ledger row. Counted in one small list of (provenance, count) pairs: a file has one or two.
 */
class TimeRange {
  start = Infinity;
  end = -Infinity;
  private readonly counts: [Provenance, number][] = [];

  add(t: number | null, prov: Provenance | null, n = 1): void {
    if (t === null) return;
    if (t < this.start) this.start = t;
    if (t > this.end) this.end = t;
    if (prov) this.count(prov, n);
  }

  /** A series' times, walked by index (600k RSS samples a week), with one provenance for all. */
  addSeries(t: readonly number[], prov: Provenance): void {
    let start = this.start;
    let end = this.end;
    for (let i = 0; i < t.length; i++) {
      const x = t[i]!;
      if (x < start) start = x;
      if (x > end) end = x;
    }
    this.start = start;
    this.end = end;
    if (t.length > 0) this.count(prov, t.length);
  }

  addAll(items: readonly { t: number | null; prov: Provenance | null }[] | undefined): void {
    if (items) for (let i = 0; i < items.length; i++) this.add(items[i]!.t, items[i]!.prov);
  }

  range(): { start: number; end: number } | null {
    return Number.isFinite(this.start) ? { start: this.start, end: this.end } : null;
  }

  prov(): Provenance | null {
    let best: Provenance | null = null;
    let most = 0;
    for (const [p, n] of this.counts) if (n > most) [best, most] = [p, n];
    return best;
  }

  private count(prov: Provenance, n: number): void {
    for (const c of this.counts) {
      if (c[0] === prov) {
        c[1] += n;
        return;
      }
    }
    this.counts.push([prov, n]);
  }
}

function timeRangeOf(data: CaptureData): {
  range: { start: number; end: number } | null;
  prov: Provenance | null;
} {
  const r = new TimeRange();
  r.addAll(data.memstats);
  for (const series of data.rss ?? []) r.addSeries(series.t, series.prov);
  r.addAll(data.gc);
  r.addAll(data.scav);
  r.addAll(data.goroutines);
  r.addAll(data.heapProfiles);
  return { range: r.range(), prov: r.prov() };
}

/**
 * The ledger row of a file that gave no data. Every row is built with its fields in this order (the
 * order report.json shows them), so that ten thousand rows share one object shape.
 */
function unparsedRow(
  f: DiscoveredFile,
  format: string | null,
  status: FileStatusKind,
  message: string | null,
): FileStatus {
  return {
    path: f.path,
    format,
    records: 0,
    timeRange: null,
    timeSource: null,
    partial: false,
    bytes: f.size,
    status,
    message,
  };
}

/** One file read, sniffed and parsed into its ledger row and data. */
async function ingestFile(
  f: DiscoveredFile,
  options: IngestOptions,
  scratch?: Buffer,
  prefetched?: Promise<Buffer | null>,
): Promise<FileResult> {
  const known = knownNonCapture(f.path);
  if (known) return { status: unparsedRow(f, null, "ignored", known), data: null };
  if (f.size === 0) {
    return looksLikeCaptureName(f.path)
      ? {
          status: unparsedRow(
            f,
            null,
            "malformed",
            located(f.path, null, "empty file: the capture wrote nothing"),
          ),
          data: null,
        }
      : { status: unparsedRow(f, null, "ignored", "empty file"), data: null };
  }
  let file: CaptureFile;
  let small: SmallCaptureFile | null = null;
  try {
    if (f.size <= ONE_READ_BYTES) file = small = new SmallCaptureFile(f, scratch);
    else file = await makeCaptureFile(f, scratch, prefetched);
  } catch (err) {
    const message = located(
      f.path,
      null,
      `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`,
    );
    return { status: unparsedRow(f, null, "malformed", message), data: null };
  }
  try {
    return await parseWithRegistry(f, file, options);
  } catch (err) {
    // a small file that changed size while its parser read it (the parsers themselves never throw here)
    const message = located(f.path, null, `cannot be read: ${(err as Error).message}`);
    return { status: unparsedRow(f, null, "malformed", message), data: null };
  } finally {
    small?.close();
  }
}

/** The file through the parsers in registry order: the first that claims it and does not decline it. */
async function parseWithRegistry(
  f: DiscoveredFile,
  file: CaptureFile,
  options: IngestOptions,
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
        return { status: unparsedRow(f, parser.id, "ignored", message), data: null };
      }
      const message = located(f.path, null, `the ${parser.id} parser failed: ${(err as Error).message}`);
      return { status: unparsedRow(f, parser.id, "malformed", message), data: null };
    }
    if (outcome.kind === "not-mine") continue;
    if (outcome.kind === "ignored") {
      return { status: unparsedRow(f, outcome.format, "ignored", outcome.message), data: null };
    }
    if (outcome.kind === "malformed") {
      const message = located(f.path, outcome.line, outcome.message);
      return { status: unparsedRow(f, outcome.format, "malformed", message), data: null };
    }
    const { range, prov } = timeRangeOf(outcome.data);
    // the fields in unparsedRow's order: one object shape for every row
    const status: FileStatus = {
      path: f.path,
      format: outcome.format,
      records: outcome.records,
      timeRange: range,
      timeSource: prov,
      partial: Boolean(outcome.partial),
      bytes: f.size,
      status: "parsed",
      message: outcome.partial ? `parsed up to a problem: ${outcome.partial.message}` : null,
    };
    return { status, data: outcome.data };
  }
  const binary = file.head.includes(0);
  const firstLine = file.headText.split("\n", 1)[0]!.slice(0, 60);
  const message = binary
    ? "binary file of no known capture format"
    : `not a recognised capture format (first line: ${JSON.stringify(firstLine)})`;
  return { status: unparsedRow(f, null, "ignored", message), data: null };
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
    const slash = f.path.lastIndexOf("/");
    const dir = slash >= 0 ? f.path.slice(0, slash) : "";
    out.set(dir, Math.min(out.get(dir) ?? Infinity, t.t));
    if (dir !== "") out.set("", Math.min(out.get("") ?? Infinity, t.t));
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
  // larger files read ahead, in the background, while the small ones are parsed here
  const prefetched = new Map<number, Promise<Buffer | null>>();
  let budget = PREFETCH_BYTES;
  for (const i of large) {
    const f = files[i]!;
    if (f.size > budget || knownNonCapture(f.path)) continue;
    budget -= f.size;
    prefetched.set(i, prefetchWhole(f));
  }
  await Promise.all([
    (async () => {
      for (const i of small) {
        const f = files[i]!;
        results[i] = await ingestFile(f, optionsFor(f), scratch);
      }
    })(),
    mapLimit(large, CONCURRENCY, async (i) => {
      const f = files[i]!;
      const ahead = prefetched.get(i);
      prefetched.delete(i);
      results[i] = await ingestFile(f, optionsFor(f), undefined, ahead);
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
