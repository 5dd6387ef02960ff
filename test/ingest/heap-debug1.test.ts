/**
 * heap-debug1: Go 1.9-1.25 debug=1 heap text. Real fixtures: the go1.24.4 excerpt (ascending record
 * order, MaxRSS), the go1.23rc1 paste of golang/go#68136 (heap/0, no records, cut after LastGC), the
 * legacy google/pprof gobench.heap (no MemStats), and the bundled samples.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { heapDebug1, readAllocationSites } from "../../src/ingest/parsers/heap-debug1.js";
import { readFile } from "node:fs/promises";
import { fileFromDisk, fileFromText, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture, sample } from "../helpers/paths.js";

const GO124 = fixture("format-examples", "heap-debug1", "go1.24.4-go-zero-heap-debug1.EXCERPT.txt");
const GO123RC1 = fixture(
  "format-examples",
  "heap-debug1",
  "go1.23rc1-issue68136-heap-20240623_101609.PARTIAL.txt",
);
const GOBENCH = fixture("format-examples", "heap-legacy", "google-pprof-gobench.heap.txt");

test("go1.24.4 excerpt: MemStats values, MaxRSS gives the go-version-min 1.15 hint, PauseEnd bounds the time", async () => {
  const file = await fileFromDisk(GO124, "heap.txt");
  assert.equal(heapDebug1.sniff(file), true);
  const out = await heapDebug1.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.equal(out.partial, undefined);
  const ms = out.data.memstats![0]!;
  assert.equal(ms.ms.HeapAlloc, 5878296);
  assert.equal(ms.ms.HeapReleased, 5595136);
  assert.equal(ms.ms.MaxRSS, 41267200);
  assert.equal(ms.ms.GCCPUFraction, 5.937424150565279e-6);
  assert.equal(ms.ms.StackInuse, 688128);
  assert.equal(ms.ms.LastGCMs, 1779901970292);
  // No name stamp: the largest PauseEnd (1779901970292867594 ns) is the data bound.
  assert.equal(ms.prov, "data-bound");
  assert.equal(ms.t, 1779901970292);
  const hint = out.data.hints!.find((h) => h.kind === "go-version-min");
  assert.equal(hint?.value, "1.15");
  assert.equal(out.data.heapProfiles![0]!.totalInuseBytes, 1052784);
});

test("go1.24.4 excerpt: ascending record order, sites read largest first", async () => {
  const sites = readAllocationSites(await readFile(GO124, "utf8"));
  // runtime/trace.Start is in the runtime/ tree but not runtime.: it is the leaf site of the 1 MiB record.
  assert.equal(sites[0]!.func, "runtime/trace.Start");
  assert.ok(sites[0]!.inuseBytes >= 1048576);
  // The record whose frames are all runtime.* keeps its first frame as the site.
  assert.ok(sites.some((s) => s.func === "runtime.allocm"));
  for (let i = 1; i < sites.length; i++) assert.ok(sites[i - 1]!.inuseBytes >= sites[i]!.inuseBytes);
});

test("go1.23rc1 paste: heap/0, empty record list, cut after LastGC -> parsed as partial", async () => {
  const file = await fileFromDisk(GO123RC1);
  const out = await heapDebug1.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.ok(out.partial, "the cut is reported");
  assert.match(out.partial!.message, /ends after LastGC: PauseNs, PauseEnd, NumGC/);
  assert.equal(out.partial!.line, 23);
  const ms = out.data.memstats![0]!;
  assert.equal(ms.ms.HeapAlloc, 336152640);
  assert.equal(ms.ms.NextGC, 531824992);
  // Name stamp heap-20240623_101609 (no zone: the run's zone is assumed).
  assert.equal(ms.prov, "filename");
  assert.equal(ms.t, Date.UTC(2024, 5, 23, 10, 16, 9));
  assert.equal(ms.zoneAssumed, true);
  // Go 1.23 wrote no MaxRSS hint here because the line is cut away.
  assert.equal(out.data.hints!.length, 0);
  assert.deepEqual(readAllocationSites(await readFile(GO123RC1, "utf8")), []);
});

test("legacy gobench heap text without MemStats: parsed, sites only", async () => {
  const file = await fileFromDisk(GOBENCH);
  assert.equal(heapDebug1.sniff(file), true);
  const out = await heapDebug1.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.equal(out.data.memstats, undefined);
  assert.equal(out.data.heapProfiles![0]!.totalInuseBytes, 1595680);
  assert.equal(out.data.heapProfiles![0]!.prov, "mtime");
  const sites = readAllocationSites(await readFile(GOBENCH, "utf8"));
  // The record with an empty address list ("1: 288 [2: 296] @") is its own site.
  assert.ok(sites.some((s) => s.func === "(no stack)" && s.inuseObjects >= 1));
  assert.ok(sites.every((s) => s.func === "(unsymbolized)" || s.func === "(no stack)"));
});

test("a modern heap file cut inside its records is malformed, located at its last line", async () => {
  const file = await fileFromDisk(
    sample("restart-leak/heap-20261124T053418Z.txt"),
    "heap-20261124T053418Z.txt",
  );
  const out = await heapDebug1.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "malformed");
  if (out.kind !== "malformed") return;
  assert.equal(out.line, 65);
  assert.match(out.message, /no '# runtime.MemStats' block/);
});

test("a header that is not a heap profile header is malformed at line 1", async () => {
  const out = await heapDebug1.parse(fileFromText("heap.txt", "heap profile: lots\n"), UTC_OPTIONS);
  assert.equal(out.kind, "malformed");
  if (out.kind === "malformed") assert.equal(out.line, 1);
});

test("heap-leak samples: (*sessionCache).remember tops the growth between an early and a late snapshot (Go 1.19, descending order)", async () => {
  const early = readAllocationSites(await readFile(sample("heap-leak/heap.1795497970.txt"), "utf8"));
  const late = readAllocationSites(await readFile(sample("heap-leak/heap.1795498050.txt"), "utf8"));
  const growth = new Map<string, number>();
  for (const s of late) growth.set(s.func, (growth.get(s.func) ?? 0) + s.inuseBytes);
  for (const s of early) growth.set(s.func, (growth.get(s.func) ?? 0) - s.inuseBytes);
  const top = [...growth.entries()].sort((a, b) => b[1] - a[1])[0]!;
  assert.equal(top[0], "main.(*sessionCache).remember");
  // ~9 MiB/s for 80 s: hundreds of MiB, far above sampling noise.
  assert.ok(top[1] > 300 * 1024 * 1024, `growth ${top[1]}`);
});

test("the same sites whatever the record order: a Go 1.19 file reversed into Go 1.23+ ascending order", async () => {
  const text = await readFile(sample("heap-leak/heap.1795498050.txt"), "utf8");
  const [header, ...rest] = text.split("\n");
  const body = rest.join("\n");
  const memAt = body.indexOf("\n# runtime.MemStats");
  const records = body
    .slice(0, memAt)
    .split("\n\n")
    .filter((r) => r.trim() !== "");
  const reversed = [header, records.reverse().join("\n\n"), "", body.slice(memAt + 1)].join("\n");
  assert.notEqual(reversed, text);
  assert.deepEqual(readAllocationSites(reversed), readAllocationSites(text));
  assert.equal(readAllocationSites(reversed)[0]!.func, "main.(*sessionCache).remember");
});
