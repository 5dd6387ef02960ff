import assert from "node:assert/strict";
import { test } from "node:test";
import { procStatus } from "../../src/ingest/parsers/proc-status.js";
import { fileFromDisk, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";
import { rssSamplesOf } from "../../src/common/rss-series.js";

const KIB = 1024;

test("procfs fixture (real tabs): VmRSS, VmHWM, RssAnon, Pid line, timed by the folder name", async () => {
  const file = await fileFromDisk(
    fixture("format-examples", "proc-status", "procfs-fixture-26231-status.txt"),
    "snap-20240509T095412Z/proc/26231/status",
  );
  assert.equal(procStatus.sniff(file), true);
  const o = await procStatus.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  const s = rssSamplesOf(o.data.rss!)[0]!;
  assert.equal(s.rssBytes, 6716 * KIB);
  assert.equal(s.peakBytes, 8028 * KIB);
  assert.equal(s.anonBytes, 2092 * KIB);
  assert.equal(s.pid, 26231);
  assert.equal(s.kind, "vmrss");
  assert.equal(s.t, Date.parse("2024-05-09T09:54:12Z"));
  assert.equal(s.prov, "filename");
  assert.equal(s.src.line, 22);
});

test("man page example (spaces): parsed key by key", async () => {
  const file = await fileFromDisk(
    fixture("format-examples", "proc-status", "man7-proc_pid_status-example.txt"),
    "status-17248-1715248452.txt",
  );
  const o = await procStatus.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.rssBytes, 13484 * KIB);
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.pid, 17248);
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.t, 1715248452000);
});

test("copies appended by a loop, each after a date line", async () => {
  const file = await fileFromDisk(fixture("proc-status", "status-loop.CONSTRUCTED.log"));
  assert.equal(procStatus.sniff(file), true);
  const o = await procStatus.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(o.records, 2);
  assert.deepEqual(
    rssSamplesOf(o.data.rss!).map((s) => [
      s.t - Date.parse("2024-05-09T09:54:12Z"),
      s.rssBytes / KIB,
      s.prov,
    ]),
    [
      [0, 356712, "record"],
      [60000, 366712, "record"],
    ],
  );
});

test("a kernel thread's status (no Vm lines) is ignored with the reason", async () => {
  const file = await fileFromDisk(fixture("proc-status", "kernel-thread-status.CONSTRUCTED.txt"));
  const o = await procStatus.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "ignored");
  if (o.kind === "ignored") assert.match(o.message, /kernel thread/);
});
