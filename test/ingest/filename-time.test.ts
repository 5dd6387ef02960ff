import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { timeFromName, timeFromPath } from "../../src/ingest/time/filename-time.js";
import { fixture } from "../helpers/paths.js";

function iso(name: string, zone = "UTC"): { t: string; assumed: boolean } | null {
  const r = timeFromName(name, zone);
  return r ? { t: new Date(r.t).toISOString(), assumed: r.zoneAssumed } : null;
}

// The names of format-examples/capture-naming/directory-listing.CONSTRUCTED.txt, each a convention.
const LISTING = readFileSync(
  fixture("format-examples", "capture-naming", "directory-listing.CONSTRUCTED.txt"),
  "utf8",
);

test("the directory listing fixture holds the names tested below", () => {
  for (const name of [
    "heap-20240509T095412Z.txt",
    "heap.1715248512.txt",
    "allocs-2024-05-09T09-56-12.txt",
    "heap-20240623_101609.out",
    "gops-memstats-2024-05-09_09:57:12.txt",
    "vars-1715248632123.json",
    "metrics-20240509-095412.prom",
  ])
    assert.ok(LISTING.includes(name), name);
});

test("ISO basic with Z: date -u +%Y%m%dT%H%M%SZ", () => {
  assert.deepEqual(iso("heap-20240509T095412Z.txt"), { t: "2024-05-09T09:54:12.000Z", assumed: false });
});

test("ISO basic without zone: zone assumed", () => {
  assert.deepEqual(iso("heap-20240509T095412.txt"), { t: "2024-05-09T09:54:12.000Z", assumed: true });
});

test("epoch seconds: heap.1715248512.txt and heap.1715248512.pb.gz", () => {
  assert.deepEqual(iso("heap.1715248512.txt"), { t: "2024-05-09T09:55:12.000Z", assumed: false });
  assert.deepEqual(iso("heap.1715248512.pb.gz"), { t: "2024-05-09T09:55:12.000Z", assumed: false });
});

test("epoch milliseconds: vars-1715248632123.json", () => {
  assert.deepEqual(iso("vars-1715248632123.json"), { t: "2024-05-09T09:57:12.123Z", assumed: false });
});

test("epoch nanoseconds (19 digits)", () => {
  assert.equal(iso("heap.1715248512123456789.pb.gz")!.t, "2024-05-09T09:55:12.123Z");
});

test("ISO extended with '-' for ':' (allocs-2024-05-09T09-56-12.txt)", () => {
  assert.deepEqual(iso("allocs-2024-05-09T09-56-12.txt"), { t: "2024-05-09T09:56:12.000Z", assumed: true });
});

test("ISO extended with colons and a zone", () => {
  assert.deepEqual(iso("heap-2024-05-09T09:54:12+02:00.txt"), {
    t: "2024-05-09T07:54:12.000Z",
    assumed: false,
  });
});

test("YYYYMMDD_HHMMSS (golang/go#68136 naming), local time flagged", () => {
  assert.deepEqual(iso("heap-20240623_101609.out"), { t: "2024-06-23T10:16:09.000Z", assumed: true });
});

test("YYYYMMDD-HHMMSS", () => {
  assert.deepEqual(iso("metrics-20240509-095412.prom"), { t: "2024-05-09T09:54:12.000Z", assumed: true });
});

test("date_time with an underscore and colons (gops-memstats-2024-05-09_09:57:12.txt)", () => {
  assert.deepEqual(iso("gops-memstats-2024-05-09_09:57:12.txt"), {
    t: "2024-05-09T09:57:12.000Z",
    assumed: true,
  });
});

test("the samples' heap_2026-11-24_05-40-12.txt form", () => {
  assert.deepEqual(iso("heap_2026-11-24_05-40-12.txt"), { t: "2026-11-24T05:40:12.000Z", assumed: true });
});

test("Go time layouts: CockroachDB memprof.2020-11-10T12_33_44.123.145234890.pprof", () => {
  assert.deepEqual(iso("memprof.2020-11-10T12_33_44.123.145234890.pprof"), {
    t: "2020-11-10T12:33:44.123Z",
    assumed: true,
  });
  assert.equal(iso("heap_profiler.2024-05-09T09_54_12.000.pprof")!.t, "2024-05-09T09:54:12.000Z");
});

test("--tz honoured for zone-less names across a DST change (Europe/Berlin, 2024-10-27)", () => {
  // 01:30 is CEST (+02:00), 04:30 is CET (+01:00)
  assert.equal(iso("heap-20241027_013000.txt", "Europe/Berlin")!.t, "2024-10-26T23:30:00.000Z");
  assert.equal(iso("heap-20241027_043000.txt", "Europe/Berlin")!.t, "2024-10-27T03:30:00.000Z");
  // a Z stamp ignores --tz
  assert.equal(iso("heap-20241027T013000Z.txt", "Europe/Berlin")!.t, "2024-10-27T01:30:00.000Z");
});

test("the folder name times a file whose own name has no stamp; the file name wins", () => {
  assert.equal(
    new Date(timeFromPath("snap-1795498156/heap.txt", "UTC")!.t).toISOString(),
    "2026-11-24T05:29:16.000Z",
  );
  assert.equal(
    new Date(timeFromPath("2024-05-09/heap-20240509T101010Z.txt", "UTC")!.t).toISOString(),
    "2024-05-09T10:10:10.000Z",
  );
});

test("names without a stamp, or with a PID or a port, state no time", () => {
  assert.equal(timeFromName("rss.log", "UTC"), null);
  assert.equal(timeFromName("status-1234.txt", "UTC"), null);
  assert.equal(timeFromName("heap-6060.txt", "UTC"), null);
  assert.equal(timeFromName("heap-99991231T250000Z.txt", "UTC"), null);
});
