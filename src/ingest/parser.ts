/**
 * The contract every capture parser meets (DESIGN.md §4, Style §3).
 *
 * A parser sniffs cheaply from the file name and its first bytes. When it claims a file, `parse`
 * returns one of three outcomes:
 *  - `not-mine`: on a closer look this is not the parser's format; the next parser is asked;
 *  - `parsed`: the samples, with `partial` set when the file broke part way (its good part is kept);
 *  - `malformed`: this is the parser's format, but broken: `line` and `message` say where and how.
 * A parser never throws for bad input; the ingest stage still catches anything that escapes.
 */
import type {
  DataIssue,
  GcEvent,
  GoroutineSample,
  HeapProfileRef,
  Hint,
  IncidentMeta,
  MemStatsSample,
  ProcessAbsence,
  RssSeries,
  ScavEvent,
} from "../model/capture.js";
import { linesOfBuffer } from "./read-lines.js";

export interface CaptureFile {
  /** relative to the incident directory, forward slashes */
  path: string;
  absPath: string;
  size: number;
  mtimeMs: number;
  /** the first bytes of the file (up to 64 KiB) */
  head: Buffer;
  /**
   * The first bytes of the file, up to 16 KiB when the reader has them before any parser runs (ingest
   * reads a small file's head only if a parser asks for it); parsers that claim a file by its start
   * read `startOf(file)`.
   */
  prefix?: Buffer;
  /** `head` decoded as UTF-8 */
  headText: string;
  /** the whole file; above ingest's whole-read limit (MAX_WHOLE_READ_BYTES) it rejects: see `lines` */
  readBytes(): Promise<Buffer>;
  /** the whole file decoded as UTF-8; the same whole-read limit as readBytes */
  readText(): Promise<string>;
  /** the last `bytes` bytes decoded as UTF-8 (the whole file when smaller) */
  readTail(bytes: number): Promise<string>;
  /**
   * The last `bytes` bytes, not decoded (the whole file when smaller), when the reader can serve
   * them; valid until the parse returns. For parsers that read a tail's usual shape from its bytes.
   */
  readTailBytes?(bytes: number): Promise<Buffer>;
  /**
   * The file's lines, streamed from disk (read-lines.ts: "\n" split, "\r\n" handled, invalid UTF-8
   * as U+FFFD, no extra empty line after a final newline); the consumer numbers them from 1. Not
   * subject to the whole-read limit: a log of any size is read in bounded memory. Optional only for
   * CaptureFiles built over text already in memory; parsers call `linesOf(file)`.
   */
  lines?(): AsyncIterable<string>;
}

/** The file's first bytes as far as they are read already: the prefix, else the head. */
export function startOf(file: CaptureFile): Buffer {
  return file.prefix ?? file.head;
}

/** The file's lines: streamed when the CaptureFile can, else from its whole bytes (same rules). */
export function linesOf(file: CaptureFile): AsyncIterable<string> {
  if (file.lines) return file.lines();
  return (async function* () {
    yield* linesOfBuffer(await file.readBytes());
  })();
}

export interface IngestOptions {
  /** IANA zone for stamps without a zone (default UTC) */
  zone: string;
  /** the year for stamps that carry none; from other evidence, else null */
  referenceYear: number | null;
  /**
   * An instant (epoch ms) from the file-name stamps of the file's own directory (else the incident's),
   * used to date rows that carry only a time of day (top, pidstat, syslog-style prefixes): the date
   * placing the first row nearest this instant is taken. Null or absent when no name states a time.
   */
  referenceDate?: number | null;
}

/** What a parser contributes; every list is optional. */
export interface CaptureData {
  memstats?: MemStatsSample[];
  rss?: RssSeries[];
  gc?: GcEvent[];
  scav?: ScavEvent[];
  goroutines?: GoroutineSample[];
  heapProfiles?: HeapProfileRef[];
  hints?: Hint[];
  meta?: IncidentMeta;
  issues?: DataIssue[];
  absences?: ProcessAbsence[];
}

export type ParseOutcome =
  | { kind: "not-mine" }
  | {
      kind: "parsed";
      format: string;
      records: number;
      data: CaptureData;
      /** set when the file broke part way: where, and what is wrong */
      partial?: { line: number; message: string };
    }
  | { kind: "malformed"; format: string; line: number | null; message: string }
  /** the file is of the parser's kind by name or shape but holds nothing usable; `message` says why */
  | { kind: "ignored"; format: string | null; message: string };

export interface Parser {
  /** the format id, also the file name under parsers/ */
  id: string;
  /** one line for the README and the capture table */
  description: string;
  /** cheap claim from the name and the first bytes */
  sniff(file: CaptureFile): boolean;
  parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome>;
}

/** `file:line: message`, the located form every malformed message takes. */
export function located(path: string, line: number | null, message: string): string {
  return line === null ? `${path}: ${message}` : `${path}:${line}: ${message}`;
}

/** The first problem of a file that parsed up to it, and how many lines like it were skipped. */
export interface FirstProblem {
  line: number;
  message: string;
  /** lines skipped for the same reason, and what to call one ("bad row"); absent: not counted */
  skipped?: { count: number; what: string };
}

/**
 * A parsed outcome; when a problem was met, marked partial with the problem located in the file
 * (`file:line: message (N bad rows skipped)`): the good part is used and the cut is reported.
 */
export function parsedUpTo(
  file: CaptureFile,
  format: string,
  records: number,
  data: CaptureData,
  problem: FirstProblem | null,
): ParseOutcome {
  const out: ParseOutcome = { kind: "parsed", format, records, data };
  if (problem) {
    const n = problem.skipped?.count;
    const what = problem.skipped?.what;
    const count = n === undefined ? "" : ` (${n} ${what}${n === 1 ? "" : "s"} skipped)`;
    out.partial = {
      line: problem.line,
      message: located(file.path, problem.line, `${problem.message}${count}`),
    };
  }
  return out;
}
