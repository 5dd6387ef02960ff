/** pprofplus dump files (CONSTRUCTED from FORMATS.md §8.1; the pprofplus README's example line). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { pprofplus } from "../../src/ingest/parsers/pprofplus.js";
import { fileFromDisk, fileFromText, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";
import { rssSamplesOf } from "../../src/common/rss-series.js";

const DUMP = fixture("pprofplus", "catalogd_4242_20200317093034.CONSTRUCTED.dump");

test("JSON lines -> MemStats core + RSS per line, PID and start from the name, cut last line partial", async () => {
  const file = await fileFromDisk(DUMP, "pprofplus/catalogd_4242_20200317093034.dump");
  assert.equal(pprofplus.sniff(file), true);
  const out = await pprofplus.parse(file, { zone: "Asia/Shanghai", referenceYear: null });
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.equal(out.records, 3);
  const [a] = out.data.memstats!;
  assert.equal(a!.t, 1584409234000);
  assert.equal(a!.prov, "record");
  assert.equal(a!.pid, 4242);
  assert.equal(a!.ms.HeapReleased, 59047936);
  assert.equal(a!.ms.Sys, 72286456);
  assert.equal(rssSamplesOf(out.data.rss!).length, 3);
  assert.equal(rssSamplesOf(out.data.rss!)[2]!.rssBytes, 23552000);
  assert.equal(rssSamplesOf(out.data.rss!)[0]!.kind, "pprofplus");
  // 2020-03-17 09:30:34 in Asia/Shanghai (+08:00) = 01:30:34 UTC
  const start = out.data.hints!.find((h) => h.kind === "process-start");
  assert.equal(start?.value, Date.UTC(2020, 2, 17, 1, 30, 34));
  assert.equal(out.data.hints!.find((h) => h.kind === "pid")?.value, 4242);
  assert.equal(out.partial?.line, 4);
});

test("a dump whose first line is not a record is malformed at line 1", async () => {
  const out = await pprofplus.parse(
    fileFromText("svc_1_20200317093034.dump", '{"Timestamp":"soon","sys":1}\n'),
    UTC_OPTIONS,
  );
  assert.equal(out.kind, "malformed");
  if (out.kind === "malformed") assert.equal(out.line, 1);
});
