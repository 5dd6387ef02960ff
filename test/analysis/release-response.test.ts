import assert from "node:assert/strict";
import { test } from "node:test";
import type { LedgerPoint } from "../../src/model/analysis.js";
import { observeReleaseResponse } from "../../src/analysis/release-response.js";

const MiB = 1024 * 1024;

function point(t: number, goResident: number, rss: number | null, lifetime = 0): LedgerPoint {
  return {
    t,
    lifetime,
    rss,
    goResident,
    heapAlloc: 0,
    heapInuse: 0,
    fragmentation: 0,
    retainedIdle: 0,
    heapReleased: 0,
    stacks: null,
    metadata: null,
    lazyFree: null,
    gap: rss === null ? null : rss - goResident,
    sys: goResident,
    nextGC: null,
    heapObjects: null,
    goroutines: null,
  };
}

test("a release that RSS does not follow is 'held'; one it follows is 'dropped'", () => {
  const held = [
    point(0, 100 * MiB, 110 * MiB),
    point(1, 1000 * MiB, 1010 * MiB),
    point(5, 60 * MiB, 1012 * MiB),
  ];
  const r = observeReleaseResponse(held, 1012 * MiB);
  assert.equal(r.observed, "held");
  assert.equal(r.releasedBytes, 940 * MiB);
  assert.equal(r.from?.t, 1);
  assert.equal(r.to?.t, 5);
  const dropped = [point(0, 1000 * MiB, 1010 * MiB), point(5, 60 * MiB, 80 * MiB)];
  assert.equal(observeReleaseResponse(dropped, 1010 * MiB).observed, "dropped");
});

test("no material release, or a fall across a restart, says nothing", () => {
  const small = [point(0, 100 * MiB, 120 * MiB), point(5, 90 * MiB, 120 * MiB)];
  assert.equal(observeReleaseResponse(small, 120 * MiB).observed, "none", "10 MiB is allocation noise");
  const restart = [point(0, 900 * MiB, 950 * MiB, 0), point(5, 20 * MiB, 900 * MiB, 1)];
  assert.equal(observeReleaseResponse(restart, 950 * MiB).observed, "none", "a new process is not a release");
  const noRss = [point(0, 900 * MiB, null), point(5, 20 * MiB, null)];
  assert.equal(observeReleaseResponse(noRss, null).observed, "none");
});
