import assert from "node:assert/strict";
import { test } from "node:test";
import { kubectl, quantityToBytes } from "../../src/ingest/parsers/kubectl.js";
import { fileFromDisk, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";
import { rssSamplesOf } from "../../src/common/rss-series.js";

test("quantities: Ki/Mi/Gi binary, plain bytes", () => {
  assert.equal(quantityToBytes("345Mi"), 345 * 1024 ** 2);
  assert.equal(quantityToBytes("2Gi"), 2 * 1024 ** 3);
  assert.equal(quantityToBytes("512Ki"), 512 * 1024);
  assert.equal(quantityToBytes("1500000"), 1500000);
  assert.equal(quantityToBytes("12m"), null);
});

test("kubectl top pod: one table timed by the file name; the largest workload is the subject", async () => {
  const file = await fileFromDisk(
    fixture("format-examples", "kubectl", "kubectl-top-pod.CONSTRUCTED.txt"),
    "kubectl-top-20240509T095412Z.txt",
  );
  assert.equal(kubectl.sniff(file), true);
  const o = await kubectl.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.equal(o.records, 1);
  assert.deepEqual(
    [
      rssSamplesOf(o.data.rss!)[0]!.kind,
      rssSamplesOf(o.data.rss!)[0]!.rssBytes,
      rssSamplesOf(o.data.rss!)[0]!.t,
      rssSamplesOf(o.data.rss!)[0]!.prov,
    ],
    ["kubectl", 2 * 1024 ** 3, Date.parse("2024-05-09T09:54:12Z"), "filename"],
  );
});

test("--containers in a loop with date lines: the app container, not the sidecar", async () => {
  const file = await fileFromDisk(fixture("kubectl", "kubectl-top-containers-loop.CONSTRUCTED.txt"));
  const o = await kubectl.parse(file, UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.deepEqual(
    rssSamplesOf(o.data.rss!).map((s) => [
      s.t - Date.parse("2024-05-09T09:54:12Z"),
      s.rssBytes / 1024 ** 2,
      s.prov,
    ]),
    [
      [0, 345, "record"],
      [15000, 400, "record"],
    ],
  );
});
