import assert from "node:assert/strict";
import { test } from "node:test";
import { vmrssLog } from "../../src/ingest/parsers/vmrss-log.js";
import { fileFromDisk, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";
import { rssSamplesOf } from "../../src/common/rss-series.js";

const KIB = 1024;

test("restart-leak rss.log: ISO-stamped VmRSS lines; stamps with nothing after are no samples", async () => {
  const file = await fileFromDisk(fixture("vmrss-log", "restart-leak-rss.EXCERPT.log"), "rss.log");
  assert.equal(vmrssLog.sniff(file), true);
  const o = await vmrssLog.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(o.records, 8);
  assert.equal(o.partial, undefined);
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.t, Date.parse("2026-11-24T05:33:29Z"));
  assert.equal(rssSamplesOf(o.data.rss!)[7]!.rssBytes, 905924 * KIB);
});

test("VmHWM joins the VmRSS of the same reading; an unstamped VmRSS line is a located problem", async () => {
  const file = await fileFromDisk(fixture("vmrss-log", "vmrss-vmhwm-ts.CONSTRUCTED.log"));
  const o = await vmrssLog.parse(file, { ...UTC_OPTIONS, referenceYear: 2024 });
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(o.records, 2);
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.peakBytes, 400000 * KIB);
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.zoneAssumed, true);
  assert.equal(o.partial!.line, 5);
});

test("smaps_rollup keys behind ts '%.S' stamps: Rss and LazyFree joined per reading", async () => {
  const file = await fileFromDisk(fixture("vmrss-log", "smaps-grep-ts.CONSTRUCTED.log"));
  assert.equal(vmrssLog.sniff(file), true);
  const o = await vmrssLog.parse(file, { ...UTC_OPTIONS, referenceYear: 2024 });
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.deepEqual(
    rssSamplesOf(o.data.rss!).map((s) => [s.kind, s.rssBytes / KIB, s.lazyFreeBytes! / KIB]),
    [
      ["smaps", 356712, 120000],
      ["smaps", 356800, 121000],
    ],
  );
});

test("'$(date -Is) $(ps -o rss= -p $PID)' lines in a file named for RSS", async () => {
  const file = await fileFromDisk(fixture("vmrss-log", "rss-date-Is-ps.CONSTRUCTED.log"), "rss2.log");
  assert.equal(vmrssLog.sniff(file), true);
  const o = await vmrssLog.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.deepEqual(
    rssSamplesOf(o.data.rss!).map((s) => [s.kind, s.rssBytes / KIB]),
    [
      ["ps", 356712],
      ["ps", 356980],
      ["ps", 12004],
    ],
  );
});

test("the same bare lines in a file not named for RSS are not claimed", async () => {
  const file = await fileFromDisk(fixture("vmrss-log", "rss-date-Is-ps.CONSTRUCTED.log"), "queue-depth.log");
  assert.equal(vmrssLog.sniff(file), false);
});
