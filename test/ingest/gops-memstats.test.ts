/**
 * gops-memstats: every agent generation (FORMATS.md §2). Real fixtures in format-examples/gops-memstats
 * (2016 raw bytes, v0.3.3-v0.3.10, no GC yet); constructed ones in fixtures/gops-memstats for v0.3.28,
 * master after 2024-11, and appended outputs with `date` lines.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { gopsMemstats, parseGoDurationNs } from "../../src/ingest/parsers/gops-memstats.js";
import { fileFromDisk, fileFromText, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";

async function parse(abs: string, rel = "memstats.txt", mtimeMs?: number) {
  const file = await fileFromDisk(abs, rel);
  if (mtimeMs !== undefined) file.mtimeMs = mtimeMs;
  assert.equal(gopsMemstats.sniff(file), true, `sniff ${rel}`);
  const out = await gopsMemstats.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed", JSON.stringify(out).slice(0, 300));
  if (out.kind !== "parsed") throw new Error("not parsed");
  return out;
}

test("pre-v0.2 (2016): 'N bytes' values, 'last-gc: <ns> ns ago' is an absolute time, gc-pause is the total", async () => {
  const out = await parse(fixture("format-examples", "gops-memstats", "gops-agent-2016-raw-bytes.txt"));
  const s = out.data.memstats![0]!;
  assert.equal(s.ms.TotalAlloc, 58395932600);
  assert.equal(s.ms.HeapReleased, 16384);
  assert.equal(s.ms.NextGC, 4194304);
  assert.equal(s.ms.NumGC, 14274);
  assert.equal(s.ms.PauseTotalNs, 856980908);
  assert.equal(s.ms.LastGCMs, 1479100860500);
  assert.equal(s.prov, "data-bound");
  assert.equal(s.t, 1479100860500);
});

test("v0.3.3-v0.3.10: exact '(N bytes)', stack-mspan-*, gc-pause-total Duration, last-gc with -0500 EST", async () => {
  const out = await parse(
    fixture("format-examples", "gops-memstats", "gops-agent-v0.3.3-to-v0.3.10-zt-agent.txt"),
  );
  const s = out.data.memstats![0]!;
  assert.equal(s.ms.HeapAlloc, 24005552);
  assert.equal(s.ms.TotalAlloc, 1602895000);
  assert.equal(s.ms.MSpanInuse, 512448);
  assert.equal(s.ms.MCacheSys, 32768);
  assert.equal(s.ms.GCSys, 5974840);
  assert.equal(s.ms.NextGC, 25776064);
  assert.equal(s.ms.PauseTotalNs, 10939682);
  // 2020-11-30 16:35:46.766977147 -0500 -> 21:35:46.766 UTC
  assert.equal(s.ms.LastGCMs, Date.UTC(2020, 10, 30, 21, 35, 46, 766));
  assert.equal(s.t, s.ms.LastGCMs);
});

test("no GC yet: 'last-gc: -' gives no bound; the mtime is used", async () => {
  const out = await parse(
    fixture("format-examples", "gops-memstats", "gops-agent-v0.3.x-blog-no-gc-yet.txt"),
    "memstats.txt",
    1_700_000_000_000,
  );
  const s = out.data.memstats![0]!;
  assert.equal(s.ms.LastGCMs, null);
  assert.equal(s.ms.PauseTotalNs, 0);
  assert.equal(s.ms.NumGC, 0);
  assert.equal(s.prov, "mtime");
  assert.equal(s.t, 1_700_000_000_000);
});

test("v0.3.28 (CONSTRUCTED): gc-pause-end bounds the time, numeric offset +0800 wins over CST", async () => {
  const out = await parse(fixture("gops-memstats", "gops-agent-v0.3.28.CONSTRUCTED.txt"));
  const s = out.data.memstats![0]!;
  assert.equal(s.ms.TotalAlloc, 13421772800);
  assert.equal(s.ms.NumForcedGC, 2);
  assert.equal(s.ms.GCCPUFraction, 5.9e-6);
  assert.equal(s.ms.PauseTotalNs, 62_500_000_000);
  assert.equal(s.ms.LastGCMs, Date.UTC(2024, 4, 9, 9, 54, 11, 987));
  assert.equal(s.t, 1715248451987);
  assert.equal(s.prov, "data-bound");
});

test("master after 2024-11 (CONSTRUCTED): mspan-in-use, mcache-sys, buck-hash-sys", async () => {
  const out = await parse(fixture("gops-memstats", "gops-agent-master-2024-11.CONSTRUCTED.txt"));
  const s = out.data.memstats![0]!;
  assert.equal(s.ms.MSpanInuse, 28288);
  assert.equal(s.ms.MCacheSys, 16384);
  assert.equal(s.ms.BuckHashSys, 1444598);
  assert.equal(out.data.issues!.length, 0, JSON.stringify(out.data.issues));
});

test("appended outputs with date lines (CONSTRUCTED): one sample each, timed by its line", async () => {
  const out = await parse(fixture("gops-memstats", "gops-agent-v0.2-appended-with-date.CONSTRUCTED.txt"));
  assert.equal(out.records, 2);
  const [a, b] = out.data.memstats!;
  assert.equal(a!.prov, "record");
  assert.equal(a!.t, Date.UTC(2024, 4, 9, 9, 54, 12));
  assert.equal(b!.t, Date.UTC(2024, 4, 9, 9, 55, 12));
  assert.equal(b!.ms.HeapAlloc, 2265448);
  assert.equal(b!.src.line, 23);
});

test("the file name beats the last-gc bound", async () => {
  const out = await parse(
    fixture("format-examples", "gops-memstats", "gops-agent-2016-raw-bytes.txt"),
    "memstats-20240509T095412Z.txt",
  );
  assert.equal(out.data.memstats![0]!.prov, "filename");
  assert.equal(out.data.memstats![0]!.t, Date.UTC(2024, 4, 9, 9, 54, 12));
});

test("gops stats output is not claimed; a broken byte value is malformed at its line", async () => {
  const stats = fileFromText("stats.txt", "goroutines: 12\nOS threads: 9\nGOMAXPROCS: 8\nnum CPU: 8\n");
  assert.equal(gopsMemstats.sniff(stats), false);
  const broken = fileFromText(
    "memstats.txt",
    "alloc: 1265448 bytes\ntotal-alloc: 58395932600 bytes\nsys: lots\nheap-alloc: 1 bytes\n",
  );
  assert.equal(gopsMemstats.sniff(broken), true);
  const out = await gopsMemstats.parse(broken, UTC_OPTIONS);
  assert.equal(out.kind, "malformed");
  if (out.kind === "malformed") assert.equal(out.line, 3);
});

test("Go Duration strings", () => {
  assert.equal(parseGoDurationNs("0s"), 0);
  assert.equal(parseGoDurationNs("946.946µs"), 946946);
  assert.equal(parseGoDurationNs("946.946us"), 946946);
  assert.equal(parseGoDurationNs("1m2.5s"), 62_500_000_000);
  assert.equal(parseGoDurationNs("1h2m3s"), 3_723_000_000_000);
  assert.equal(parseGoDurationNs("fast"), null);
});
