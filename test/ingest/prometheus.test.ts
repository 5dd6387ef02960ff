/**
 * prometheus: text exposition / OpenMetrics. Real excerpts in format-examples/prometheus (v1.12.0
 * runtime/metrics histograms with NaN and -5e-324; v1.20 defaults with go_gc_gogc_percent);
 * constructed full scrapes in fixtures/prometheus.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { prometheus } from "../../src/ingest/parsers/prometheus.js";
import { fileFromDisk, fileFromText, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";
import { rssSamplesOf } from "../../src/common/rss-series.js";

async function parse(abs: string, rel = "metrics.txt") {
  const file = await fileFromDisk(abs, rel);
  assert.equal(prometheus.sniff(file), true, `sniff ${rel}`);
  const out = await prometheus.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed", JSON.stringify(out).slice(0, 300));
  if (out.kind !== "parsed") throw new Error("not parsed");
  return out;
}

test("client_golang v1.20 full scrape (CONSTRUCTED): memstats, namespaced process RSS, hints", async () => {
  const out = await parse(
    fixture("prometheus", "client_golang-v1.20-go1.21-full.CONSTRUCTED.txt"),
    "metrics-20240509T095412Z.txt",
  );
  const s = out.data.memstats![0]!;
  assert.equal(s.ms.HeapAlloc, 25688288);
  assert.equal(s.ms.TotalAlloc, 12861009528);
  assert.equal(s.ms.HeapReleased, 36552704);
  assert.equal(s.ms.Sys, 84030728);
  assert.equal(s.ms.NumGC, 2113);
  assert.equal(s.ms.LastGCMs, 1715248451988);
  assert.equal(s.goroutines, 187);
  assert.equal(s.threads, 14);
  assert.equal(s.prov, "filename");
  const rss = rssSamplesOf(out.data.rss!)[0]!;
  assert.equal(rss.kind, "prometheus");
  assert.equal(rss.rssBytes, 112640000);
  assert.equal(rss.t, s.t);
  const hint = (kind: string) => out.data.hints!.find((h) => h.kind === kind)?.value;
  assert.equal(hint("process-start"), 1715240000000);
  assert.equal(hint("go-version"), "1.21.5");
  assert.equal(hint("gomemlimit"), 536870912);
  assert.equal(hint("gogc"), "200");
  assert.equal(out.data.goroutines![0]!.count, 187);
});

test("client_golang v0.8 names with sample timestamps (CONSTRUCTED): heap_released_bytes_total, record time, NaN skipped", async () => {
  const out = await parse(fixture("prometheus", "client_golang-v0.8-old-names-timestamps.CONSTRUCTED.txt"));
  const s = out.data.memstats![0]!;
  assert.equal(s.ms.HeapReleased, 4194304);
  assert.equal(s.ms.HeapAlloc, 18296832);
  assert.equal(s.ms.GCCPUFraction, undefined, "NaN is not a fraction");
  assert.equal(s.prov, "record");
  assert.equal(s.t, 1715248452000);
  assert.equal(rssSamplesOf(out.data.rss!)[0]!.rssBytes, 29814784);
});

test("OpenMetrics, two scrapes separated by stamp comments, memory classes only (CONSTRUCTED)", async () => {
  const out = await parse(fixture("prometheus", "openmetrics-memory-classes-two-scrapes.CONSTRUCTED.txt"));
  assert.equal(out.data.memstats!.length, 2);
  const [a, b] = out.data.memstats!;
  assert.equal(a!.t, Date.UTC(2026, 10, 24, 5, 0, 0));
  assert.equal(b!.t, Date.UTC(2026, 10, 24, 5, 1, 0));
  assert.equal(a!.prov, "record");
  // client_golang memStatsFromRM: HeapInuse = objects + unused; HeapIdle = released + free; Sys = total.
  assert.equal(a!.ms.HeapAlloc, 20971520);
  assert.equal(a!.ms.HeapInuse, 23068672);
  assert.equal(a!.ms.HeapIdle, 5242880);
  assert.equal(a!.ms.HeapSys, 28311552);
  assert.equal(a!.ms.Sys, 33554432);
  assert.equal(a!.ms.StackSys, 524288);
  assert.equal(a!.goroutines, 12);
  assert.equal(b!.ms.HeapReleased, 1048576);
  // +Inf RSS in the second scrape is not a sample.
  assert.equal(rssSamplesOf(out.data.rss!).length, 1);
  assert.equal(out.data.goroutines!.length, 2);
});

test("real v1.12.0 excerpt: histograms only, parsed with nothing to chart", async () => {
  const out = await parse(
    fixture("format-examples", "prometheus", "client_golang-v1.12.0-runtime-metrics.PARTIAL.txt"),
  );
  assert.equal(out.records, 0);
  assert.equal(out.data.memstats!.length, 0);
  assert.match(out.data.issues!.map((i) => i.message).join("\n"), /nothing memgap charts/);
});

test("real v1.20 defaults excerpt: go_gc_gogc_percent gives the gogc hint", async () => {
  const out = await parse(
    fixture("format-examples", "prometheus", "client_golang-v1.20plus-defaults.PARTIAL.txt"),
  );
  assert.deepEqual(
    out.data.hints!.map((h) => [h.kind, h.value]),
    [["gogc", "100"]],
  );
});

test("a repeated series starts a new scrape; unlimited GOMEMLIMIT is 'off'; prose is not claimed", async () => {
  const text =
    "go_memstats_heap_alloc_bytes 1\ngo_memstats_heap_sys_bytes 2\ngo_memstats_heap_idle_bytes 1\n" +
    "go_memstats_heap_inuse_bytes 1\ngo_memstats_heap_released_bytes 0\ngo_memstats_sys_bytes 3\n" +
    "go_gc_gomemlimit_bytes 9.223372036854776e+18\n" +
    "go_memstats_heap_alloc_bytes 2\ngo_memstats_heap_sys_bytes 2\ngo_memstats_heap_idle_bytes 0\n" +
    "go_memstats_heap_inuse_bytes 2\ngo_memstats_heap_released_bytes 0\ngo_memstats_sys_bytes 3\n";
  const out = await prometheus.parse(fileFromText("m.txt", text), UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.equal(out.data.memstats!.length, 2);
  assert.equal(out.data.memstats![1]!.src.line, 8);
  assert.equal(out.data.hints![0]!.value, "off");
  assert.equal(
    prometheus.sniff(fileFromText("notes.txt", "We saw go_memstats grow.\nThen it fell.\n")),
    false,
  );
});
