/**
 * expvar: /debug/vars JSON. Real fixtures: samples/madvfree-burst/vars-*.json (app-published
 * goroutines), samples/goroutine-leak, and the issue #18896 MemStats paste cut inside PauseNs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { expvar } from "../../src/ingest/parsers/expvar.js";
import { fileFromDisk, fileFromText, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture, sample } from "../helpers/paths.js";

test("madvfree-burst vars: memstats values, app goroutines, time from the file name", async () => {
  const file = await fileFromDisk(
    sample("madvfree-burst/vars-20261124T052236Z.json"),
    "vars-20261124T052236Z.json",
  );
  assert.equal(expvar.sniff(file), true);
  const out = await expvar.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  const s = out.data.memstats![0]!;
  assert.equal(s.ms.HeapAlloc, 2461696);
  assert.equal(s.ms.Sys, 14398728);
  assert.equal(s.ms.HeapReleased, 638976);
  assert.equal(s.ms.PauseTotalNs, 0);
  assert.equal(s.ms.LastGCMs, null, "LastGC 0 means no GC yet");
  assert.equal(s.goroutines, 5);
  assert.equal(s.prov, "filename");
  assert.equal(s.t, Date.UTC(2026, 10, 24, 5, 22, 36));
  assert.ok(!JSON.stringify(out.data).includes("catalogd"), "cmdline stays out of the data");
});

test("goroutine-leak vars late in the leak: thousands of goroutines, LastGC read exactly", async () => {
  const rel = "vars-2026-11-24_05-29-08.json";
  const file = await fileFromDisk(sample(`goroutine-leak/${rel}`), rel);
  const out = await expvar.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  const s = out.data.memstats![0]!;
  assert.ok(s.goroutines! > 1000, `goroutines ${s.goroutines}`);
  assert.ok(s.ms.StackInuse! > 100 * 1024 * 1024);
  const text = await file.readText();
  const lastGcNs = /"LastGC":(\d+)/.exec(text)![1]!;
  assert.equal(s.ms.LastGCMs, Number(BigInt(lastGcNs) / 1_000_000n));
});

test("issue #18896 MemStats paste cut inside PauseNs: parsed as partial, values exact", async () => {
  const file = await fileFromDisk(
    fixture("format-examples", "expvar", "issue18896-memstats-json.PARTIAL.txt"),
  );
  assert.equal(expvar.sniff(file), true);
  const out = await expvar.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.ok(out.partial);
  assert.match(out.partial!.message, /inside PauseNs/);
  assert.equal(out.partial!.line, 1);
  const s = out.data.memstats![0]!;
  assert.equal(s.ms.HeapAlloc, 23423919704);
  assert.equal(s.ms.TotalAlloc, 1021522114616);
  assert.equal(s.ms.HeapInuse, 35516039168);
  assert.equal(s.ms.PauseTotalNs, 209438599029);
  // LastGC 1486019415218754799 ns: above 2^53, read with BigInt
  assert.equal(s.ms.LastGCMs, 1486019415218);
  assert.equal(s.prov, "data-bound");
  assert.equal(s.t, 1486019415218);
});

test("app keys, nested Mallocs and a TotalAlloc of 2^63-1 (CONSTRUCTED): only memstats' own members count", async () => {
  const file = await fileFromDisk(fixture("expvar", "vars-app-keys-bigint.CONSTRUCTED.json"), "vars.json");
  const out = await expvar.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.equal(out.partial, undefined);
  const s = out.data.memstats![0]!;
  assert.equal(s.ms.Mallocs, 12287636284);
  // 2^63-1 is not a double: it is rounded deliberately, to the nearest one (2^63).
  assert.equal(s.ms.TotalAlloc, Number(9223372036854775807n));
  assert.equal(s.ms.TotalAlloc, 2 ** 63);
  assert.equal(s.ms.GCCPUFraction, 1e-5);
  assert.equal(s.goroutines, 731);
  // The largest PauseEnd, not the first.
  assert.equal(s.t, 1486019415218);
});

test("JSON with a cmdline but no memstats is not mine; a memstats with a text value is malformed at its line", async () => {
  const other = fileFromText("x.json", '{\n"cmdline": ["a"],\n"requests": 3\n}\n');
  assert.equal(expvar.sniff(other), true);
  assert.equal((await expvar.parse(other, UTC_OPTIONS)).kind, "not-mine");
  const bad = fileFromText(
    "vars.json",
    '{\n"cmdline": ["a"],\n"memstats": {"Alloc":1,"Sys":"big","HeapAlloc":1,"HeapSys":1,"HeapIdle":1,"HeapInuse":1,"HeapReleased":1}\n}\n',
  );
  const out = await expvar.parse(bad, UTC_OPTIONS);
  assert.equal(out.kind, "malformed");
  if (out.kind === "malformed") {
    assert.equal(out.line, 3);
    assert.match(out.message, /memstats\.Sys/);
  }
});
