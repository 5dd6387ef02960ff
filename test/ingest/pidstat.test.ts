import assert from "node:assert/strict";
import { test } from "node:test";
import { pidstat, readingsOfDate } from "../../src/ingest/parsers/pidstat.js";
import { fileFromDisk, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";
import { rssSamplesOf } from "../../src/common/rss-series.js";

const KIB = 1024;

test("goroutine-leak pidstat.log (-h, 24-hour, MM/DD/YY banner): dates, RSS, kernel hint", async () => {
  const file = await fileFromDisk(fixture("pidstat", "goroutine-leak-pidstat.EXCERPT.log"), "pidstat.log");
  assert.equal(pidstat.sniff(file), true);
  const o = await pidstat.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(o.records, 5);
  const s = rssSamplesOf(o.data.rss!)[0]!;
  assert.deepEqual(
    [new Date(s.t).toISOString(), s.pid, s.rssBytes, s.prov, s.zoneAssumed],
    ["2026-11-24T05:27:45.000Z", 18352, 12176 * KIB, "header-date", true],
  );
  assert.ok(o.data.hints!.some((h) => h.kind === "kernel" && h.value === "6.18.44-fc-v657"));
});

test("interval form with AM/PM: header repeats, Average rows skipped", async () => {
  const file = await fileFromDisk(
    fixture("format-examples", "pidstat", "pidstat-r-interval.CONSTRUCTED.txt"),
  );
  const o = await pidstat.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.deepEqual(
    rssSamplesOf(o.data.rss!).map((s) => [new Date(s.t).toISOString(), s.rssBytes / KIB]),
    [
      ["2024-05-09T09:54:13.000Z", 356712],
      ["2024-05-09T09:54:14.000Z", 356980],
    ],
  );
});

test("-h form with epoch seconds in the Time column (older sysstat)", async () => {
  const file = await fileFromDisk(fixture("format-examples", "pidstat", "pidstat-h-r-epoch.CONSTRUCTED.txt"));
  const o = await pidstat.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.deepEqual(
    rssSamplesOf(o.data.rss!).map((s) => [s.t, s.prov]),
    [
      [1715248453000, "record"],
      [1715248454000, "record"],
    ],
  );
});

test("12-hour clock across midnight, --human sizes, ambiguous 05/09/24 settled by neighbouring captures", async () => {
  const file = await fileFromDisk(fixture("pidstat", "ambiguous-date-12h.CONSTRUCTED.txt"));
  // neighbours say 5 September 2024: the DD/MM reading wins
  const o = await pidstat.parse(file, { ...UTC_OPTIONS, referenceDate: Date.parse("2024-09-05T23:50:00Z") });
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.deepEqual(
    rssSamplesOf(o.data.rss!).map((s) => [new Date(s.t).toISOString(), s.rssBytes]),
    [
      ["2024-09-05T00:00:00.000Z", 356712 * KIB],
      ["2024-09-05T00:00:01.000Z", Math.round(348.4 * 1024 * 1024)],
    ],
  );
  // without neighbours, the C locale's month/day is assumed and said
  const c = await pidstat.parse(file, { ...UTC_OPTIONS, referenceDate: null });
  assert.equal(c.kind, "parsed");
  if (c.kind !== "parsed") return;
  assert.equal(new Date(rssSamplesOf(c.data.rss!)[0]!.t).toISOString(), "2024-05-09T00:00:00.000Z");
  assert.ok(c.data.issues!.some((i) => /month\/day/.test(i.message)));
});

test("banner date readings", () => {
  assert.deepEqual(readingsOfDate("2024-05-09"), [{ day: { y: 2024, mo: 5, d: 9 }, ambiguous: false }]);
  assert.deepEqual(readingsOfDate("11/24/26"), [{ day: { y: 2026, mo: 11, d: 24 }, ambiguous: false }]);
  assert.deepEqual(readingsOfDate("24/11/2026"), [{ day: { y: 2026, mo: 11, d: 24 }, ambiguous: false }]);
  assert.equal(readingsOfDate("09.05.2024")[0]!.day.mo, 5);
  assert.equal(readingsOfDate("05/09/24").length, 2);
});
