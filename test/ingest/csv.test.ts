import assert from "node:assert/strict";
import { test } from "node:test";
import { csv } from "../../src/ingest/parsers/csv.js";
import { fileFromDisk, fileFromText, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";
import { rssSamplesOf } from "../../src/common/rss-series.js";

const KIB = 1024;

test("cgo-leak rss.csv: epoch seconds, rss_kb", async () => {
  const file = await fileFromDisk(fixture("csv", "cgo-leak-rss.EXCERPT.csv"), "rss.csv");
  assert.equal(csv.sniff(file), true);
  const o = await csv.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(o.records, 4);
  assert.deepEqual(
    [
      rssSamplesOf(o.data.rss!)[0]!.t,
      rssSamplesOf(o.data.rss!)[0]!.rssBytes,
      rssSamplesOf(o.data.rss!)[0]!.kind,
    ],
    [1795498156000, 11196 * KIB, "csv"],
  );
});

test("cyclic-madvfree rss.csv: ISO with Z", async () => {
  const file = await fileFromDisk(fixture("csv", "cyclic-madvfree-rss.EXCERPT.csv"), "rss.csv");
  const o = await csv.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.t, Date.parse("2026-11-24T05:30:47Z"));
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.zoneAssumed, undefined);
});

test("healthy-steady rss.csv: zone-less 'YYYY-mm-dd HH:MM:SS' read in --tz and flagged", async () => {
  const file = await fileFromDisk(fixture("csv", "healthy-steady-rss.EXCERPT.csv"), "rss.csv");
  const o = await csv.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.t, Date.parse("2026-11-24T05:37:05Z"));
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.zoneAssumed, true);
  assert.ok(o.data.issues!.some((i) => /no zone/.test(i.message)));
  const b = await csv.parse(file, { ...UTC_OPTIONS, zone: "Europe/Berlin" });
  assert.equal(b.kind, "parsed");
  if (b.kind === "parsed") assert.equal(rssSamplesOf(b.data.rss!)[0]!.t, Date.parse("2026-11-24T04:37:05Z"));
});

test("units from the header: TSV with rss_bytes, ms epochs; memory_mb; unit-less rss as KiB (said)", async () => {
  const a = await csv.parse(
    fileFromText("rss.tsv", "ts\tpid\trss_bytes\n1715248452123\t42\t1048576\n"),
    UTC_OPTIONS,
  );
  assert.equal(a.kind, "parsed");
  if (a.kind === "parsed")
    assert.deepEqual(
      [
        rssSamplesOf(a.data.rss!)[0]!.t,
        rssSamplesOf(a.data.rss!)[0]!.pid,
        rssSamplesOf(a.data.rss!)[0]!.rssBytes,
      ],
      [1715248452123, 42, 1048576],
    );
  const b = await csv.parse(fileFromText("m.csv", "time,memory_mb\n2024-05-09T09:54:12Z,1.5\n"), UTC_OPTIONS);
  assert.equal(b.kind, "parsed");
  if (b.kind === "parsed") assert.equal(rssSamplesOf(b.data.rss!)[0]!.rssBytes, 1.5 * 1024 * 1024);
  const c = await csv.parse(fileFromText("r.csv", "date,rss\n2024-05-09T09:54:12Z,100\n"), UTC_OPTIONS);
  assert.equal(c.kind, "parsed");
  if (c.kind === "parsed") {
    assert.equal(rssSamplesOf(c.data.rss!)[0]!.rssBytes, 100 * KIB);
    assert.ok(c.data.issues!.some((i) => /KiB assumed/.test(i.message)));
  }
});

test("a malformed row: partial with file:line, the rest kept", async () => {
  const o = await csv.parse(
    fileFromText("rss.csv", "timestamp,rss_kb\n1795498156,11196\nyesterday,12\n1795498158,13300\n"),
    UTC_OPTIONS,
  );
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(o.records, 2);
  assert.equal(o.partial!.line, 3);
  assert.match(o.partial!.message, /^rss\.csv:3: unreadable time/);
});

test("a CSV without a time and an RSS column is not claimed", () => {
  assert.equal(csv.sniff(fileFromText("x.csv", "name,value\na,1\n")), false);
  assert.equal(csv.sniff(fileFromText("x.csv", "timestamp,cpu_pct\n1,2\n")), false);
});
