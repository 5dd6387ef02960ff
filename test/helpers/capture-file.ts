/** Build a CaptureFile from a fixture on disk or from text, for parser tests. */
import { stat } from "node:fs/promises";
import path from "node:path";
import { makeCaptureFile } from "../../src/ingest/ingest.js";
import type { CaptureFile, IngestOptions } from "../../src/ingest/parser.js";
import { linesOfBuffer } from "../../src/ingest/read-lines.js";

export const UTC_OPTIONS: IngestOptions = { zone: "UTC", referenceYear: 2026 };

/** A CaptureFile for a file on disk; `relPath` is the path the parser sees (defaults to the base name). */
export async function fileFromDisk(absPath: string, relPath?: string): Promise<CaptureFile> {
  const st = await stat(absPath);
  return makeCaptureFile({
    path: relPath ?? path.basename(absPath),
    absPath,
    size: st.size,
    mtimeMs: st.mtimeMs,
  });
}

/** A CaptureFile over in-memory text (no disk), named `relPath`. */
export function fileFromText(relPath: string, text: string | Buffer, mtimeMs = 0): CaptureFile {
  const buf = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  const head = buf.subarray(0, 64 * 1024);
  return {
    path: relPath,
    absPath: `/memory/${relPath}`,
    size: buf.length,
    mtimeMs,
    head,
    headText: head.toString("utf8"),
    readBytes: async () => buf,
    readText: async () => buf.toString("utf8"),
    readTail: async (n: number) => buf.subarray(Math.max(0, buf.length - n)).toString("utf8"),
    lines: () => linesOfBuffer(buf),
  };
}
