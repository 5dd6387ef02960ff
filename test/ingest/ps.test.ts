import assert from "node:assert/strict";
import { test } from "node:test";
import { parseEtime, ps } from "../../src/ingest/parsers/ps.js";
import { fileFromDisk, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";
import { rssSamplesOf } from "../../src/common/rss-series.js";

const KIB = 1024;

test("etime forms: mm:ss, hh:mm:ss, DD-hh:mm:ss, etimes seconds", () => {
  assert.equal(parseEtime("00:34"), 34);
  assert.equal(parseEtime("01:02:03"), 3723);
  assert.equal(parseEtime("2-01:02:03"), 2 * 86400 + 3723);
  assert.equal(parseEtime("4000"), 4000);
  assert.equal(parseEtime("1:2"), null);
});

test("heap-leak ps.log: date +%s blocks, one row each, process start from etime", async () => {
  const file = await fileFromDisk(fixture("ps", "heap-leak-ps.EXCERPT.log"), "ps.log");
  assert.equal(ps.sniff(file), true);
  const o = await ps.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(o.records, 2);
  const s = rssSamplesOf(o.data.rss!)[0]!;
  assert.deepEqual(
    [s.t, s.pid, s.rssBytes, s.kind, s.prov],
    [1795497968000, 17085, 13212 * KIB, "ps", "record"],
  );
  const start = o.data.hints!.find((h) => h.kind === "process-start")!;
  assert.equal(start.pid, 17085);
  // corpus truth: 2026-11-24T05:26:08.003Z; ps bounds it within a second
  assert.ok(Math.abs((start.value as number) - Date.parse("2026-11-24T05:26:08.003Z")) <= 1000);
});

test("restart-leak ps.log: header alone = process absent (not an error), new PID after", async () => {
  const file = await fileFromDisk(fixture("ps", "restart-leak-ps.EXCERPT.log"), "ps.log");
  const o = await ps.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(o.partial, undefined);
  assert.deepEqual(
    rssSamplesOf(o.data.rss!).map((s) => s.pid),
    [22695, 22695, 22695, 22695, 23622, 23622, 23622],
  );
  const absent = o.data.issues!.filter((i) => /no process listed/.test(i.message));
  assert.equal(absent.length, 1);
  assert.match(absent[0]!.message, /2 ps samples from 2026-11-24T05:34:07\.000Z/);
  const starts = o.data.hints!.filter((h) => h.kind === "process-start");
  assert.deepEqual(
    starts.map((h) => h.pid),
    [22695, 23622],
  );
  // 23622 started 2026-11-24T05:34:09.005Z (corpus truth)
  const s2 = starts[1]!.value as number;
  assert.ok(Math.abs(s2 - Date.parse("2026-11-24T05:34:09.005Z")) <= 1000, new Date(s2).toISOString());
});

test("ps aux snapshot: timed by the file name, the largest process taken as the subject", async () => {
  const file = await fileFromDisk(
    fixture("format-examples", "ps-top", "ps-aux-go-ethereum-issue24673.PARTIAL.txt"),
    "ps-aux-20240509T095412Z.txt",
  );
  assert.equal(ps.sniff(file), true);
  const o = await ps.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(o.records, 1);
  const s = rssSamplesOf(o.data.rss!)[0]!;
  assert.equal(s.t, Date.parse("2024-05-09T09:54:12Z"));
  assert.equal(s.prov, "filename");
  assert.equal(s.pid, 1);
  assert.equal(s.rssBytes, 3284 * KIB);
  assert.ok(o.data.issues!.some((i) => /several processes listed/.test(i.message)));
});

test("pidstat output is not claimed by ps", async () => {
  const file = await fileFromDisk(fixture("pidstat", "goroutine-leak-pidstat.EXCERPT.log"));
  assert.equal(ps.sniff(file), false);
});
