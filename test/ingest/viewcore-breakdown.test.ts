/** viewcore breakdown (CONSTRUCTED from FORMATS.md §8.2, with the interactive prompt). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { viewcoreBreakdown } from "../../src/ingest/parsers/viewcore-breakdown.js";
import { fileFromDisk, fileFromText, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";

test("parsed, no MemStats sample, heap figures reported", async () => {
  const file = await fileFromDisk(fixture("viewcore-breakdown", "core-20240509T095412Z.CONSTRUCTED.txt"));
  assert.equal(viewcoreBreakdown.sniff(file), true);
  const out = await viewcoreBreakdown.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.equal(out.format, "viewcore-breakdown");
  assert.equal(out.data.memstats, undefined);
  const info = out.data.issues![0]!.message;
  assert.match(info, /heap 112\.0 MiB/);
  assert.match(info, /live 7\.3 MiB/);
  assert.match(info, /free released 79\.6 MiB \(~ HeapReleased\)/);
  assert.equal(out.data.issues!.length, 1, "the name gives the time: no mtime warning");
});

test("a broken row inside the tree is malformed at its line", async () => {
  const text = " all  100 100.00%\n   heap  50  50.00%\n   what is this\n";
  const file = fileFromText("bd.txt", text);
  assert.equal(viewcoreBreakdown.sniff(file), true);
  const out = await viewcoreBreakdown.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "malformed");
  if (out.kind === "malformed") assert.equal(out.line, 3);
});
