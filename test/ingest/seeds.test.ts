/**
 * Capture text pasted in the seed blog posts (test/fixtures/seeds/, each with a .source.txt naming its
 * seed): every fragment goes through the parser registry as ingest would, and is either read with the
 * right values or reported honestly (ignored / malformed with a reason), never silently misread.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { existsSync } from "node:fs";
import { PARSERS } from "../../src/ingest/registry.js";
import type { ParseOutcome } from "../../src/ingest/parser.js";
import { fileFromDisk, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";
import { rssSamplesOf } from "../../src/common/rss-series.js";

async function ingestOne(name: string): Promise<{ parser: string | null; out: ParseOutcome }> {
  const abs = fixture("seeds", name);
  assert.ok(existsSync(`${abs}.source.txt`), `${name} has a .source.txt sidecar`);
  const file = await fileFromDisk(abs, name);
  file.mtimeMs = Date.UTC(2026, 0, 1);
  for (const p of PARSERS) {
    if (!p.sniff(file)) continue;
    const out = await p.parse(file, UTC_OPTIONS);
    if (out.kind !== "not-mine") return { parser: p.id, out };
  }
  return { parser: null, out: { kind: "not-mine" } };
}

test("seed 002: gops memstats (agent v0.3.3-v0.3.10) behind a pasted prompt line: every exact byte value", async () => {
  const { parser, out } = await ingestOne("seed002-gops-memstats.txt");
  assert.equal(parser, "gops-memstats");
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  const s = out.data.memstats![0]!;
  assert.equal(s.ms.HeapReleased, 6794371072);
  assert.equal(s.ms.HeapIdle, 6846406656);
  assert.equal(s.ms.Sys, 7215977904);
  assert.equal(s.ms.TotalAlloc, 199938346560);
  assert.equal(s.ms.NumGC, 3484);
  // last-gc: 2020-08-14 20:54:01.063567774 +0800 CST: the numeric offset is trusted, a lower bound
  assert.equal(s.t, Date.UTC(2020, 7, 14, 12, 54, 1, 63));
  assert.equal(s.prov, "data-bound");
  assert.ok(
    out.data.issues!.some((i) => /:1: /.test(i.message)),
    "the prompt line is reported at line 1",
  );
});

test("seed 003: a MemStats block pasted alone, values annotated ' -- 134M': read, notes dropped, cut flagged", async () => {
  const { parser, out } = await ingestOne("seed003-heap-memstats-annotated.txt");
  assert.equal(parser, "memstats-excerpt");
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  const s = out.data.memstats![0]!;
  assert.equal(s.ms.Sys, 141271320);
  assert.equal(s.ms.HeapReleased, 100155392);
  assert.equal(s.ms.HeapAlloc, 11551184);
  assert.equal(s.ms.StackSys, 2129920);
  assert.equal(s.ms.MSpanSys, 2040000);
  assert.equal(s.ms.NextGC, 22293192);
  assert.equal(s.src.line, 2, "the block starts after the `$ curl` line");
  assert.equal(s.prov, "data-bound", "LastGC 1715128450468461934 ns is the only time");
  assert.equal(s.t, 1715128450468);
  assert.ok(out.data.issues!.some((i) => /12 values carried a note/.test(i.message)));
  assert.match(out.partial?.message ?? "", /:19: MemStats block ends before PauseNs/);
});

test("seed 003: viewcore breakdown with the author's '# ...' notes after rows is read", async () => {
  const { parser, out } = await ingestOne("seed003-viewcore-breakdown.txt");
  assert.equal(parser, "viewcore-breakdown");
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.match(out.data.issues![0]!.message, /heap 112\.0 MiB, live 7\.3 MiB/);
  assert.match(out.data.issues![0]!.message, /free released 79\.6 MiB/);
  assert.ok(out.data.issues!.some((i) => /carries no time; the file's mtime/.test(i.message)));
});

test("seed 003: top -b (procps-ng, MiB Mem, indented PID) has no date: read, dated from the mtime, flagged", async () => {
  const { parser, out } = await ingestOne("seed003-top-b.txt");
  assert.equal(parser, "top");
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  const r = rssSamplesOf(out.data.rss!)[0]!;
  assert.equal(r.pid, 17867);
  assert.equal(r.rssBytes, 77632 * 1024);
  assert.equal(r.prov, "mtime");
  assert.ok(out.data.issues!.some((i) => /no date/.test(i.message)));
});

test("seed 000: a top task row without the 'top -' line is claimed and ignored for want of a time", async () => {
  const { parser, out } = await ingestOne("seed000-top-task-row.txt");
  assert.equal(parser, "top");
  assert.equal(out.kind, "ignored");
  if (out.kind === "ignored") assert.match(out.message, /no time/);
});

test("seed 000: an illustrative heap header that no Go version prints is malformed at line 1", async () => {
  const { parser, out } = await ingestOne("seed000-heap-debug1-illustrative.txt");
  assert.equal(parser, "heap-debug1");
  assert.equal(out.kind, "malformed");
  if (out.kind === "malformed") assert.equal(out.line, 1);
});

test("seed 000: a printf of four MemStats fields in MiB is no capture format: left to ingest's 'ignored'", async () => {
  const { parser } = await ingestOne("seed000-memstats-printf.txt");
  assert.equal(parser, null);
});
