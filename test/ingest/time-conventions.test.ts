/**
 * File-name and line-prefix time conventions of FORMATS.md §7 and
 * format-examples/capture-naming/directory-listing.CONSTRUCTED.txt, as they appear on real capture
 * hosts: each name or line states 2026-11-24T05:26:08Z (the heap-leak sample's first snapshot).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { timeFromPath } from "../../src/ingest/time/filename-time.js";
import { splitLinePrefix } from "../../src/ingest/time/line-prefix.js";

const T = Date.UTC(2026, 10, 24, 5, 26, 8);

const NAMES: [string, string, number, boolean][] = [
  // [path, zone for zone-less stamps, expected ms, zone assumed]
  ["heap-2026-11-24T05-26-08Z.txt", "UTC", T, false],
  ["heap-2026-11-24T07:26:08+02:00.txt", "UTC", T, false],
  ["heap_2026-11-23T23_56_08-0530.txt", "UTC", T, false],
  ["heap-20261124_062608.txt", "Europe/Berlin", T, true],
  ["heap-20261124-052608.txt", "UTC", T, true],
  ["heap.1795497968123.txt", "UTC", T + 123, false],
  ["heap-1795497968000456.txt", "UTC", T, false],
  ["heap_1795497968000000789.txt", "UTC", T, false],
  ["memprof.2026-11-24T05_26_08.123.pprof", "UTC", T + 123, true],
  ["memprof.2026-11-24T05_26_08.123.145234890.pprof", "UTC", T + 123, true],
  ["host-a/pid-4242/heap-20261124T052608Z.txt", "UTC", T, false],
  ["heap-31337-20261124T052608Z.txt", "UTC", T, false],
  ["host-a/2026-11-24T05-26-08Z/heap.txt", "UTC", T, false],
  ["snap-1795497968/heap.txt", "UTC", T, false],
];

for (const [name, zone, want, assumed] of NAMES) {
  test(`file name ${name} (${zone}) -> ${new Date(want).toISOString()}`, () => {
    const r = timeFromPath(name, zone);
    assert.ok(r, "a time is found");
    assert.equal(r.t, want);
    assert.equal(r.zoneAssumed, assumed);
  });
}

test("a PID folder or a PID before the stamp is never read as a time", () => {
  assert.equal(timeFromPath("host-a/pid-1234/notes.txt", "UTC"), null);
  assert.equal(timeFromPath("heap-4194303.txt", "UTC"), null);
});

const CTX = { zone: "UTC", referenceYear: 2026 };
const LINES: [string, string, number, string][] = [
  // [form, line, expected ms, rest]
  ["ts default", "Nov 24 05:26:08 VmRSS:\t  356712 kB", T, "VmRSS:\t  356712 kB"],
  ["ts '[%Y-%m-%d %H:%M:%.S]'", "[2026-11-24 05:26:08.123] gc 1 @0.1s", T + 123, "gc 1 @0.1s"],
  ["journald", "Nov 24 05:26:08 host catalogd[11559]: gc 1 @0.1s", T, "gc 1 @0.1s"],
  ["kubectl --timestamps", "2026-11-24T05:26:08.123456789Z gc 1 @0.1s", T + 123, "gc 1 @0.1s"],
  ["date -Is", "2026-11-24T05:26:08+00:00 356712", T, "356712"],
  ["epoch with fraction", "1795497968.250000 VmRSS: 1 kB", T + 250, "VmRSS: 1 kB"],
  ["date -R", "Tue, 24 Nov 2026 07:26:08 +0200 356712", T, "356712"],
  ["logfmt time= (slog TextHandler)", "time=2026-11-24T05:26:08.000Z VmRSS:\t 1 kB", T, "VmRSS:\t 1 kB"],
  ['logfmt ts="..." quoted', 'ts="2026-11-24T07:26:08+02:00" gc 1 @0.1s', T, "gc 1 @0.1s"],
];

for (const [form, line, want, rest] of LINES) {
  test(`line prefix ${form}`, () => {
    const p = splitLinePrefix(line, CTX);
    assert.ok(p, `a prefix in ${JSON.stringify(line)}`);
    assert.equal(p.t, want);
    assert.equal(p.rest, rest);
  });
}

test("a logfmt key without a zoned stamp is no prefix (the message keeps it)", () => {
  assert.equal(splitLinePrefix("time=12 gc 1 @0.1s", CTX), null);
  assert.equal(splitLinePrefix("time=2026-11-24 05:26:08 gc 1", CTX), null);
});
