/**
 * Line splitting for streaming parsers (CaptureFile.lines): bytes in, one string per line out.
 *
 * Method: scan each chunk for "\n" bytes and decode each line on its own. 0x0A never occurs inside a
 * multi-byte UTF-8 sequence, so cutting bytes at it cannot split a character; a line that spans
 * chunks is carried as byte pieces and joined when its newline arrives. Decoding replaces invalid
 * UTF-8 with U+FFFD (never throws), the "\r" of a "\r\n" is dropped, and a last line without a
 * newline is still yielded; a newline at the very end yields no extra empty line. Lines are not
 * numbered here: the consumer counts them (the first line yielded is line 1).
 *
 * Memory is one chunk plus at most MAX_LINE_BYTES of a carried line, whatever the file size: a line
 * longer than that (a file of NUL bytes, a binary blob) is cut to its first MAX_LINE_BYTES and the
 * rest skipped up to its newline, so the lines after it keep their numbers.
 */
import { createReadStream } from "node:fs";

/**
 * The longest line kept whole. The longest lines of any capture format are a Prometheus sample
 * with many labels or a JSON expvar document written on one line, a few KiB to a few hundred KiB;
 * no gctrace, RSS or CSV record comes near 1 MiB, so a longer "line" is binary or garbage.
 */
export const MAX_LINE_BYTES = 1024 * 1024;

/**
 * Bytes per read. 1 MiB reads cut the syscalls of a 2 GiB log to ~2,000 (the fs default of
 * 64 KiB makes 32,000) while one chunk in flight stays small beside the samples a parser keeps.
 */
export const LINE_CHUNK_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;
const CR = 0x0d;

function decodeLine(buf: Buffer, start: number, end: number, cut: boolean): string {
  // a cut line keeps its bytes as they are: its "\r" (if any) was not before a newline
  if (!cut && end > start && buf[end - 1] === CR) end--;
  return buf.toString("utf8", start, end);
}

/** The lines of a stream of byte chunks (see the header for the rules). */
export async function* linesOfChunks(
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
): AsyncGenerator<string> {
  /** pieces of a line begun in an earlier chunk, and their total length (at most MAX_LINE_BYTES) */
  let carry: Buffer[] = [];
  let carried = 0;
  /** the carried line reached MAX_LINE_BYTES: skip bytes up to its newline */
  let cut = false;
  let pending = false;
  for await (const chunk of chunks) {
    let start = 0;
    if (pending) {
      const nl = chunk.indexOf(NEWLINE);
      const end = nl === -1 ? chunk.length : nl;
      if (!cut) {
        const take = Math.min(end, MAX_LINE_BYTES - carried);
        if (take > 0) {
          carry.push(Buffer.from(chunk.subarray(0, take)));
          carried += take;
        }
        if (take < end) cut = true;
      }
      if (nl === -1) continue;
      const joined = carry.length === 1 ? carry[0]! : Buffer.concat(carry, carried);
      yield decodeLine(joined, 0, joined.length, cut);
      carry = [];
      carried = 0;
      cut = false;
      pending = false;
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) break;
      const long = nl - start > MAX_LINE_BYTES;
      yield decodeLine(chunk, start, long ? start + MAX_LINE_BYTES : nl, long);
      start = nl + 1;
    }
    if (start < chunk.length) {
      // copied: the stream may reuse or the caller may hold the chunk's memory
      const take = Math.min(chunk.length - start, MAX_LINE_BYTES);
      carry.push(Buffer.from(chunk.subarray(start, start + take)));
      carried = take;
      cut = take < chunk.length - start;
      pending = true;
    }
  }
  if (pending) {
    const joined = carry.length === 1 ? carry[0]! : Buffer.concat(carry, carried);
    yield decodeLine(joined, 0, joined.length, cut);
  }
}

/** The lines of a file on disk, read in LINE_CHUNK_BYTES chunks; read errors reject the iteration. */
export function linesOfFile(absPath: string): AsyncIterable<string> {
  return linesOfChunks(createReadStream(absPath, { highWaterMark: LINE_CHUNK_BYTES }));
}

/** The lines of bytes already in memory (same rules as a file). */
export function linesOfBuffer(buf: Buffer): AsyncIterable<string> {
  return linesOfChunks([buf]);
}
