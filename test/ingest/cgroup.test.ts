import assert from "node:assert/strict";
import { test } from "node:test";
import { cgroup } from "../../src/ingest/parsers/cgroup.js";
import { fileFromDisk, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";
import { rssSamplesOf } from "../../src/common/rss-series.js";

test("v2 memory.current + memory.stat (head concatenation): working set = current - inactive_file", async () => {
  const file = await fileFromDisk(
    fixture("format-examples", "cgroup", "cgroup-v2-memory.current-and-stat.CONSTRUCTED.txt"),
    "cgroup-20240509T095412Z.txt",
  );
  assert.equal(cgroup.sniff(file), true);
  const o = await cgroup.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  const s = rssSamplesOf(o.data.rss!)[0]!;
  assert.equal(s.kind, "cgroup");
  assert.equal(s.rssBytes, 412905472 - 30117888);
  assert.equal(s.anonBytes, 356712448);
  assert.equal(s.t, Date.parse("2024-05-09T09:54:12Z"));
});

test("v1 memory.stat alone (dotnet issue 51738): working set from rss + cache", async () => {
  const file = await fileFromDisk(
    fixture("format-examples", "cgroup", "cgroup-v1-memory.stat-dotnet-issue51738.PARTIAL.txt"),
    "memory.stat",
  );
  assert.equal(cgroup.sniff(file), true);
  const o = await cgroup.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind === "parsed") assert.equal(rssSamplesOf(o.data.rss!)[0]!.rssBytes, 920088576);
});

test("v1 usage + unlimited limit (9223372036854771712, BigInt) + stat with total_inactive_file", async () => {
  const file = await fileFromDisk(fixture("cgroup", "memory.usage_in_bytes.CONSTRUCTED.txt"));
  const o = await cgroup.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(rssSamplesOf(o.data.rss!)[0]!.rssBytes, 524288000 - 52428800);
  assert.equal(o.data.hints!.length, 0, "no limit hint for the unlimited value");
});

test("v2 memory.max with a number gives a limit hint; memory.events oom_kill is a warning", async () => {
  const max = await cgroup.parse(
    await fileFromDisk(fixture("cgroup", "memory.max.CONSTRUCTED.txt")),
    UTC_OPTIONS,
  );
  assert.equal(max.kind, "parsed");
  if (max.kind === "parsed")
    assert.deepEqual(
      max.data.hints!.map((h) => [h.kind, h.value]),
      [["cgroup-limit", 1073741824]],
    );
  const ev = await cgroup.parse(
    await fileFromDisk(fixture("cgroup", "memory.events.CONSTRUCTED.txt")),
    UTC_OPTIONS,
  );
  assert.equal(ev.kind, "parsed");
  if (ev.kind === "parsed")
    assert.ok(ev.data.issues!.some((i) => i.severity === "warning" && /oom_kill 1/.test(i.message)));
});
