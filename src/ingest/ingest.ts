/**
 * The ingest stage: read every file under an incident directory into `Captures`.
 *
 * Each file is offered to the parsers in registry order (sniff, then parse); every file ends up in
 * the capture ledger as parsed, ignored (why) or malformed (file:line: what is wrong). A parser that
 * throws is caught and its file recorded as malformed: one bad file never stops the run. Files are
 * read with bounded concurrency so that a directory of a million files does not open them all.
 */
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
import { timeFromPath } from "./time/filename-time.js";

const HEAD_BYTES = 64 * 1024;
const CONCURRENCY = 16;

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

export async function makeCaptureFile(f: DiscoveredFile): Promise<CaptureFile> {
  const head = await readHead(f.absPath, f.size);
  return {
    path: f.path,
    absPath: f.absPath,
    size: f.size,
    mtimeMs: f.mtimeMs,
    head,
    headText: head.toString("utf8"),
    readBytes: () => readFile(f.absPath),
    readText: async () => (await readFile(f.absPath)).toString("utf8"),
    readTail: (bytes: number) => readTail(f.absPath, f.size, bytes),
  };
}

function looksLikeCaptureName(relPath: string): boolean {
  return /(heap|allocs|goroutine|rss|smaps|status|vars|memstats|metrics|gctrace|ps|top|pidstat|snap)/i.test(
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
  for (const s of data.rss ?? []) visit(s.t, s.prov);
  for (const s of data.gc ?? []) visit(s.t, s.prov);
  for (const s of data.scav ?? []) visit(s.t, s.prov);
  for (const s of data.goroutines ?? []) visit(s.t, s.prov);
  for (const s of data.heapProfiles ?? []) visit(s.t, s.prov);
  let prov: Provenance | null = null;
  let best = 0;
  for (const [p, n] of provs) if (n > best) [prov, best] = [p, n];
  return { range: Number.isFinite(start) ? { start, end } : null, prov };
}

async function ingestFile(f: DiscoveredFile, options: IngestOptions): Promise<FileResult> {
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
  try {
    file = await makeCaptureFile(f);
  } catch (err) {
    return {
      status: {
        ...base,
        status: "malformed",
        message: located(f.path, null, `cannot be read: ${(err as Error).message}`),
      },
      data: null,
    };
  }
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

/** Push without spreading: a log can yield more samples than a call's argument limit. */
function append<T>(target: T[], items: T[]): void {
  for (const item of items) target.push(item);
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

export interface IngestRequest {
  incidentDir: string;
  incidentId: string;
  zone: string;
}

export async function ingestIncident(req: IngestRequest): Promise<Captures> {
  const discovery = await discoverFiles(req.incidentDir);
  const options: IngestOptions = {
    zone: req.zone,
    referenceYear: referenceYearOf(discovery.files, req.zone),
  };
  const results = await mapLimit(discovery.files, CONCURRENCY, (f) => ingestFile(f, options));
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
    issues: [],
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
    if (d.meta) captures.meta = d.meta;
  }
  captures.files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return captures;
}
