import assert from "node:assert/strict";
import { test } from "node:test";
import { top } from "../../src/ingest/parsers/top.js";
import type { IngestOptions } from "../../src/ingest/parser.js";
import { fileFromDisk, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";
import { rssSamplesOf } from "../../src/common/rss-series.js";

const KIB = 1024;

test("cgo-leak top.log (MiB Mem, procps-ng 4): dated from neighbouring snap-<epoch> names", async () => {
  const file = await fileFromDisk(fixture("top", "cgo-leak-top.EXCERPT.log"), "top.log");
  assert.equal(top.sniff(file), true);
  // snap-1795498156 is the first neighbouring capture: 2026-11-24T05:29:16Z
  const o = await top.parse(file, { ...UTC_OPTIONS, referenceDate: 1795498156000 });
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.deepEqual(
    rssSamplesOf(o.data.rss!).map((s) => new Date(s.t).toISOString()),
    ["2026-11-24T05:29:16.000Z", "2026-11-24T05:29:17.000Z"],
  );
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.prov, "header-date");
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.zoneAssumed, true);
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.rssBytes, 11840 * KIB);
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.pid, 19549);
});

test("fragmentation top.log: RES with a g suffix (1.9g, 1024-based)", async () => {
  const file = await fileFromDisk(fixture("top", "fragmentation-top.EXCERPT.log"), "top.log");
  const o = await top.parse(file, { ...UTC_OPTIONS, referenceDate: Date.parse("2026-11-24T05:35:34Z") });
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.rssBytes, Math.round(1.9 * 1024 ** 3));
  assert.equal(rssSamplesOf(o.data.rss!)[1]!.t, Date.parse("2026-11-24T05:37:03Z"));
});

test("midnight roll-over, KiB Mem form, a decimal comma (3582,4m)", async () => {
  const file = await fileFromDisk(fixture("top", "midnight-rollover-kib-mem.CONSTRUCTED.txt"));
  const opts: IngestOptions = { ...UTC_OPTIONS, referenceDate: Date.parse("2024-05-09T23:50:00Z") };
  const o = await top.parse(file, opts);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.deepEqual(
    rssSamplesOf(o.data.rss!).map((s) => new Date(s.t).toISOString()),
    ["2024-05-09T23:59:58.000Z", "2024-05-10T00:00:01.000Z"],
  );
  assert.equal(rssSamplesOf(o.data.rss!)[1]!.rssBytes, Math.round(3582.4 * 1024 * 1024));
});

test("the reference instant just after midnight still puts 23:59:58 on the day before", async () => {
  const file = await fileFromDisk(fixture("top", "midnight-rollover-kib-mem.CONSTRUCTED.txt"));
  const o = await top.parse(file, { ...UTC_OPTIONS, referenceDate: Date.parse("2024-05-10T00:00:30Z") });
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(new Date(rssSamplesOf(o.data.rss!)[0]!.t).toISOString(), "2024-05-09T23:59:58.000Z");
});

test("--tz: top's local times read in Europe/Berlin", async () => {
  const file = await fileFromDisk(fixture("top", "midnight-rollover-kib-mem.CONSTRUCTED.txt"));
  const o = await top.parse(file, {
    zone: "Europe/Berlin",
    referenceYear: 2024,
    referenceDate: Date.parse("2024-05-09T21:50:00Z"),
  });
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(new Date(rssSamplesOf(o.data.rss!)[0]!.t).toISOString(), "2024-05-09T21:59:58.000Z");
});

test("procps 3.2 (Mem: ...k total) with several tasks: RES 1.2g of the largest process", async () => {
  const file = await fileFromDisk(fixture("top", "procps-3.2-mem.CONSTRUCTED.txt"));
  const o = await top.parse(file, { ...UTC_OPTIONS, referenceDate: Date.parse("2024-05-09T09:50:00Z") });
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(o.records, 1);
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.pid, 2345);
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.rssBytes, Math.round(1.2 * 1024 ** 3));
});

test("procps-ng 4 constructed example: 3.5g and 356712 KiB rows, largest chosen", async () => {
  const file = await fileFromDisk(
    fixture("format-examples", "ps-top", "top-b-n1-procps-ng-4.CONSTRUCTED.txt"),
  );
  const o = await top.parse(file, { ...UTC_OPTIONS, referenceDate: Date.parse("2024-05-09T09:54:00Z") });
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.pid, 12345);
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.rssBytes, Math.round(3.5 * 1024 ** 3));
});

test("no neighbouring stamp: the last snapshot is put nearest the file's mtime (flagged)", async () => {
  const file = await fileFromDisk(fixture("top", "midnight-rollover-kib-mem.CONSTRUCTED.txt"));
  file.mtimeMs = Date.parse("2024-05-10T00:00:05Z");
  const o = await top.parse(file, { ...UTC_OPTIONS, referenceDate: null });
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(new Date(rssSamplesOf(o.data.rss!)[1]!.t).toISOString(), "2024-05-10T00:00:01.000Z");
  assert.equal(rssSamplesOf(o.data.rss!)[1]!.prov, "mtime");
  assert.ok(o.data.issues!.some((i) => /mtime/.test(i.message)));
});

test("BusyBox top without an RSS column: ignored with the reason", async () => {
  const file = await fileFromDisk(
    fixture("format-examples", "ps-top", "busybox-top-tailscale-issue1716.txt"),
  );
  assert.equal(top.sniff(file), true);
  const o = await top.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "ignored");
  if (o.kind === "ignored") assert.match(o.message, /VSZ only/);
});
