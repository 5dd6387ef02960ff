/** Placing gctrace `@secs` lines in time: stated process starts, aligned snapshots, or unplaced. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { GcEvent } from "../../src/model/capture.js";
import { alignedStart, anchorTraces } from "../../src/timeline/anchor-traces.js";
import { capturesFrom, emptyCaptures, MiB, T0 } from "../helpers/synthetic-incident.js";
import { sampleModels, truth } from "../helpers/sample-models.js";

function gcLine(n: number, offsetSec: number, line: number, path = "gctrace.log"): GcEvent {
  return {
    t: null,
    prov: null,
    src: { path, line },
    gcNum: n,
    offsetSec,
    cpuPercent: 0,
    heapStartBytes: 4 * MiB,
    heapEndBytes: 4 * MiB,
    heapLiveBytes: 2 * MiB,
    goalBytes: 4 * MiB,
    procs: 2,
    forced: false,
    pauseMs: 0.1,
  };
}

test("cyclic-madvfree: the raw gctrace is anchored with meta.txt's process start and lands in the process's life", async () => {
  const { timeline } = await sampleModels("cyclic-madvfree");
  const t = truth("cyclic-madvfree");
  assert.equal(timeline.unplacedTraceLines, 0);
  assert.ok(timeline.gc.length > 100);
  const start = Date.parse(t.processes[0]!.start);
  const end = Date.parse(t.processes[0]!.end);
  // ps lstart has one-second resolution.
  for (const e of timeline.gc)
    assert.ok(e.t! >= start - 1000 && e.t! <= end + 1000, `gc ${e.gcNum} at ${e.t}`);
  assert.ok(timeline.traceAnchors?.some((a) => a.start !== null && a.method !== "none"));
});

test("aligned snapshot: start = LastGC - offset of gc #NumGC, voted by several snapshots", () => {
  const processStart = T0 - 30_000;
  const gc = [gcLine(1, 0.5, 1), gcLine(2, 3.25, 2), gcLine(3, 10.0, 3), gcLine(4, 31.5, 4)];
  const c = capturesFrom([
    { s: 5, ms: { HeapAlloc: MiB, NumGC: 3, LastGCMs: processStart + 10_000 } },
    { s: 6, ms: { HeapAlloc: MiB, NumGC: 3, LastGCMs: processStart + 10_000 } },
    { s: 7, ms: { HeapAlloc: MiB, NumGC: 4, LastGCMs: processStart + 31_500 } },
  ]);
  assert.equal(alignedStart(gc, c.memstats), processStart);
  const res = anchorTraces(gc, [], c, c.memstats, { start: T0 + 5000, end: T0 + 7000 });
  assert.equal(res.unplaced, 0);
  assert.equal(gc[3]!.t, processStart + 31_500);
  assert.equal(gc[3]!.prov, "anchored");
  assert.match(res.anchors[0]!.method, /aligned/);
});

test("with nothing to anchor to, the lines stay unplaced and are counted", () => {
  const gc = [gcLine(1, 0.5, 1), gcLine(2, 1.5, 2), gcLine(1, 0.4, 3), gcLine(2, 2.5, 4)];
  const res = anchorTraces(gc, [], emptyCaptures(), [], null);
  assert.equal(res.unplaced, 4);
  assert.equal(res.anchors.length, 2, "two segments: the GC number fell at line 3");
  assert.ok(gc.every((e) => e.t === null));
});

test("a stated process start from incident.yaml wins", () => {
  const gc = [gcLine(1, 0.5, 1), gcLine(2, 1.5, 2)];
  const c = emptyCaptures();
  c.meta = { processStart: T0, events: [], unknownKeys: [] };
  const res = anchorTraces(gc, [], c, [], null);
  assert.equal(res.unplaced, 0);
  assert.equal(gc[1]!.t, T0 + 1500);
  assert.match(res.anchors[0]!.method, /incident\.yaml/);
});
