/**
 * goroutine-profile: debug=1 headers (real: samples/goroutine-leak, samples/healthy-steady) and
 * debug=2 dumps (constructed from the runtime's traceback format).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { goroutineProfile } from "../../src/ingest/parsers/goroutine-profile.js";
import { heapDebug1 } from "../../src/ingest/parsers/heap-debug1.js";
import { fileFromDisk, fileFromText, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture, sample } from "../helpers/paths.js";

test("goroutine-leak debug=1 (first 12 lines kept): the header total, time from the name", async () => {
  const rel = "goroutine-2026-11-24_05-27-44.txt";
  const file = await fileFromDisk(sample(`goroutine-leak/${rel}`), rel);
  assert.equal(goroutineProfile.sniff(file), true);
  const out = await goroutineProfile.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.equal(out.data.goroutines![0]!.count, 13);
  assert.equal(out.data.goroutines![0]!.prov, "filename");
  assert.equal(out.data.goroutines![0]!.t, Date.UTC(2026, 10, 24, 5, 27, 44));
  const late = await goroutineProfile.parse(
    await fileFromDisk(
      sample("goroutine-leak/goroutine-2026-11-24_05-29-08.txt"),
      "goroutine-2026-11-24_05-29-08.txt",
    ),
    UTC_OPTIONS,
  );
  assert.ok(late.kind === "parsed" && late.data.goroutines![0]!.count > 1000);
});

test("healthy-steady snap-<epoch>/goroutine.txt: the folder name gives the time", async () => {
  const rel = "snap-1795498625/goroutine.txt";
  const out = await goroutineProfile.parse(
    await fileFromDisk(sample(`healthy-steady/${rel}`), rel),
    UTC_OPTIONS,
  );
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.equal(out.data.goroutines![0]!.count, 8);
  assert.equal(out.data.goroutines![0]!.t, 1795498625000);
});

test("debug=2 dump (CONSTRUCTED): goroutine headers counted, 1.21+ gp= headers included", async () => {
  const file = await fileFromDisk(fixture("goroutine-profile", "goroutine-debug2.CONSTRUCTED.txt"));
  assert.equal(goroutineProfile.sniff(file), true);
  const out = await goroutineProfile.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind === "parsed") assert.equal(out.data.goroutines![0]!.count, 3);
});

test("appended profiles with date lines (CONSTRUCTED): one sample each at its stamp", async () => {
  const file = await fileFromDisk(
    fixture("goroutine-profile", "goroutine-appended-with-date.CONSTRUCTED.txt"),
  );
  assert.equal(goroutineProfile.sniff(file), true);
  const out = await goroutineProfile.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.deepEqual(
    out.data.goroutines!.map((g) => [g.count, g.t, g.prov]),
    [
      [11, Date.UTC(2026, 10, 24, 5, 27, 44), "record"],
      [5011, Date.UTC(2026, 10, 24, 5, 28, 44), "record"],
    ],
  );
});

test("heap profiles and other text are not goroutine profiles", async () => {
  const heap = await fileFromDisk(sample("heap-leak/heap.1795497968.txt"));
  assert.equal(goroutineProfile.sniff(heap), false);
  assert.equal(heapDebug1.sniff(heap), true);
  assert.equal(goroutineProfile.sniff(fileFromText("log.txt", "the goroutine count rose\n")), false);
});
