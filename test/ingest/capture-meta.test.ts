import assert from "node:assert/strict";
import { test } from "node:test";
import { captureMeta } from "../../src/ingest/parsers/capture-meta.js";
import { fileFromDisk, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";

test("cyclic-madvfree meta.txt: pid, ps lstart process start (zone assumed), GODEBUG", async () => {
  const file = await fileFromDisk(fixture("capture-meta", "cyclic-madvfree-meta.txt"), "meta.txt");
  assert.equal(captureMeta.sniff(file), true);
  const o = await captureMeta.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  const byKind = Object.fromEntries(o.data.hints!.map((h) => [h.kind, h]));
  assert.equal(byKind["pid"]!.value, 20855);
  assert.equal(byKind["process-start"]!.value, Date.parse("2026-11-24T05:30:46Z"));
  assert.equal(byKind["process-start"]!.pid, 20855);
  assert.match(byKind["process-start"]!.how, /UTC assumed/);
  assert.equal(byKind["godebug"]!.value, "gctrace=1,scavtrace=1,madvdontneed=0");
});

test("ISO start with a zone, GOMEMLIMIT in MiB, GOGC", async () => {
  const file = await fileFromDisk(fixture("capture-meta", "iso-start-gomemlimit.CONSTRUCTED.txt"));
  assert.equal(captureMeta.sniff(file), true);
  const o = await captureMeta.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  const byKind = Object.fromEntries(o.data.hints!.map((h) => [h.kind, h]));
  assert.equal(byKind["pid"]!.value, 4242);
  assert.equal(byKind["process-start"]!.value, Date.parse("2024-05-09T07:40:00Z"));
  assert.equal(byKind["gomemlimit"]!.value, 512 * 1024 * 1024);
  assert.equal(byKind["gogc"]!.value, "200");
});

test("an ordinary note is not claimed", async () => {
  const file = await fileFromDisk(fixture("capture-meta", "ordinary-note.CONSTRUCTED.txt"));
  assert.equal(captureMeta.sniff(file), false);
  const o = await captureMeta.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "not-mine");
});

test("a large file is never a note, whatever it mentions", async () => {
  const file = await fileFromDisk(fixture("gctrace", "dontneed-burst-gctrace.EXCERPT.log"));
  assert.equal(captureMeta.sniff(file), false);
});
