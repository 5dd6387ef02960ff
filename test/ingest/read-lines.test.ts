/**
 * read-lines.ts: the line splitter behind CaptureFile.lines. Every chunking of a text yields the
 * lines that `text.split("\n")` with a trailing "\r" removed would (less the empty string after a
 * final newline); invalid UTF-8 decodes to U+FFFD without throwing; an overlong line is cut without
 * shifting the numbers of the lines after it; disk and memory CaptureFiles agree.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { linesOf } from "../../src/ingest/parser.js";
import { linesOfChunks, MAX_LINE_BYTES } from "../../src/ingest/read-lines.js";
import { fileFromDisk, fileFromText } from "../helpers/capture-file.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "memgap-lines-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of it) out.push(line);
  return out;
}

/** What a whole-file parser saw: split on "\n", "\r" of "\r\n" dropped, no empty line after a final "\n". */
function expected(text: string): string[] {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  if (text.endsWith("\n")) lines.pop();
  return lines;
}

test("every two-chunk cut of a text with CRLF, multi-byte characters and no final newline splits like split()", async () => {
  const text = "gc 1 @0.1s 0%: é\r\nzweite Zeile — ü\n\r\n\nscav 0 KiB work\r\nlast 日本 line";
  const buf = Buffer.from(text, "utf8");
  const want = expected(text);
  for (let cut = 0; cut <= buf.length; cut++) {
    const got = await collect(linesOfChunks([buf.subarray(0, cut), buf.subarray(cut)]));
    assert.deepEqual(got, want, `cut at byte ${cut}`);
  }
  // one byte per chunk: every line spans chunks
  const bytes = Array.from(buf, (b) => Buffer.from([b]));
  assert.deepEqual(await collect(linesOfChunks(bytes)), want);
});

test("a final newline adds no empty line; an empty input has no lines; a lone CR inside a line is kept", async () => {
  assert.deepEqual(await collect(linesOfChunks([Buffer.from("a\nb\n")])), ["a", "b"]);
  assert.deepEqual(await collect(linesOfChunks([Buffer.from("a\n\n")])), ["a", ""]);
  assert.deepEqual(await collect(linesOfChunks([])), []);
  assert.deepEqual(await collect(linesOfChunks([Buffer.from("x\ry\r\n")])), ["x\ry"]);
});

test("invalid UTF-8 decodes to U+FFFD, also when cut across chunks, and never throws", async () => {
  // a lone continuation byte, a truncated 3-byte sequence before the newline, an overlong NUL
  const buf = Buffer.from([0x61, 0x80, 0x62, 0x0a, 0xe2, 0x82, 0x0a, 0xc0, 0x80, 0x63, 0x0a]);
  const want = buf.toString("utf8").split("\n").slice(0, 3);
  assert.ok(want.every((l) => l.includes("\ufffd")));
  for (let cut = 0; cut <= buf.length; cut++) {
    assert.deepEqual(await collect(linesOfChunks([buf.subarray(0, cut), buf.subarray(cut)])), want);
  }
});

test("a line longer than MAX_LINE_BYTES is cut to it and the next line keeps its number", async () => {
  const long = Buffer.alloc(MAX_LINE_BYTES * 2 + 17, 0x78);
  const text = Buffer.concat([Buffer.from("first\n"), long, Buffer.from("\r\nthird\n")]);
  // one chunk, and 64 KiB chunks (the long line carried across many)
  const chunked: Buffer[] = [];
  for (let i = 0; i < text.length; i += 64 * 1024) chunked.push(text.subarray(i, i + 64 * 1024));
  for (const chunks of [[text], chunked]) {
    const got = await collect(linesOfChunks(chunks));
    assert.equal(got.length, 3);
    assert.equal(got[0], "first");
    assert.equal(got[1]!.length, MAX_LINE_BYTES);
    assert.equal(got[2], "third");
  }
});

test("a CaptureFile's lines are the same from disk (small and streamed) and from memory", async () => {
  const line = "2026-11-24T05:22:36Z gc 7 @12.5s 1%: 0.1+2+0.02 ms clock, 0.4+0/1/2+0.1 ms cpu\r\n";
  for (const [name, repeat] of [
    ["small.log", 3],
    ["large.log", 5000], // above ingest's 128 KiB one-read size: streamed with createReadStream
  ] as const) {
    const text = line.repeat(repeat) + "tail without newline é";
    const abs = path.join(tmp, name);
    writeFileSync(abs, text);
    const disk = await fileFromDisk(abs);
    assert.ok(disk.lines, "ingest's CaptureFile streams its lines");
    const fromDisk = await collect(linesOf(disk));
    assert.deepEqual(fromDisk, expected(text));
    assert.deepEqual(await collect(linesOf(fileFromText(name, text))), fromDisk);
    // a CaptureFile without lines() (built over text elsewhere) falls back to its bytes, same rules
    const { lines: _unused, ...noLines } = fileFromText(name, text);
    assert.deepEqual(await collect(linesOf(noLines)), fromDisk);
  }
});
