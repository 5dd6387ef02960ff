/**
 * pprof-proto: gzipped heap profile.proto. Real fixtures: samples/heap-leak/*.pb.gz and
 * samples/restart-leak/*.pb.gz (Go 1.19). Plus the deferred site loading of allocation-sites.ts.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { gunzipSync, gzipSync } from "node:zlib";
import { test } from "node:test";
import { loadAllocationSites } from "../../src/ingest/allocation-sites.js";
import { pprofProto, readProtoAllocationSites } from "../../src/ingest/parsers/pprof-proto.js";
import type { HeapProfileRef } from "../../src/model/capture.js";
import { fileFromDisk, fileFromText, UTC_OPTIONS } from "../helpers/capture-file.js";
import { sample } from "../helpers/paths.js";

test("heap-leak .pb.gz: time_nanos is the capture time (record), in-use total summed from inuse_space", async () => {
  const file = await fileFromDisk(sample("heap-leak/heap.1795497988.pb.gz"), "heap.1795497988.pb.gz");
  assert.equal(pprofProto.sniff(file), true);
  const out = await pprofProto.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  const ref = out.data.heapProfiles![0]!;
  assert.equal(ref.prov, "record");
  // time_nanos 1795497989008497399 (above 2^53, read as BigInt) -> ms
  assert.equal(ref.t, 1795497989008);
  assert.equal(ref.format, "pprof-proto");
  // The walker's total equals the sum over the sites the full decoder finds.
  const sites = readProtoAllocationSites(await readFile(sample("heap-leak/heap.1795497988.pb.gz")));
  assert.equal(
    ref.totalInuseBytes,
    sites.reduce((a, s) => a + s.inuseBytes, 0),
  );
  assert.ok(ref.totalInuseBytes! > 50 * 1024 * 1024, `in use ${ref.totalInuseBytes}`);
  assert.equal(ref.sites, null);
});

test("the sniff ignores the name: a gzip profile called 'capture.bin' is still read", async () => {
  const bytes = await readFile(sample("restart-leak/heap-20261124T053339Z.pb.gz"));
  const out = await pprofProto.parse(fileFromText("capture.bin", bytes), UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind === "parsed") assert.equal(out.data.heapProfiles![0]!.prov, "record");
});

test("an uncompressed profile.proto named .pb is accepted", async () => {
  const raw = gunzipSync(await readFile(sample("heap-leak/heap.1795497968.pb.gz")));
  const file = fileFromText("heap.pb", raw);
  assert.equal(pprofProto.sniff(file), true);
  const out = await pprofProto.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
});

test("a gzip file that is not a profile: not mine under another name, malformed with a message under a profile name", async () => {
  const gz = gzipSync(Buffer.from("just some log text\nline two\n"));
  const other = await pprofProto.parse(fileFromText("logs/app.log.gz", gz), UTC_OPTIONS);
  assert.equal(other.kind, "not-mine");
  const named = await pprofProto.parse(fileFromText("heap.pb.gz", gz), UTC_OPTIONS);
  assert.equal(named.kind, "malformed");
  if (named.kind === "malformed") assert.match(named.message, /not a pprof profile/);
  const cut = (await readFile(sample("heap-leak/heap.1795497968.pb.gz"))).subarray(0, 200);
  const truncated = await pprofProto.parse(fileFromText("heap.1.pb.gz", cut), UTC_OPTIONS);
  assert.equal(truncated.kind, "malformed");
  if (truncated.kind === "malformed") assert.match(truncated.message, /corrupt or truncated/);
});

test("readProtoAllocationSites: heap-leak's growth site holds most of the in-use bytes at the end", async () => {
  const sites = readProtoAllocationSites(await readFile(sample("heap-leak/heap.1795498060.pb.gz")));
  assert.equal(sites[0]!.func, "main.(*sessionCache).remember");
  assert.match(sites[0]!.location, /main\.go:\d+$/);
  assert.match(sites[0]!.path, /^main\.\(\*sessionCache\)\.remember < /);
  const total = sites.reduce((a, s) => a + s.inuseBytes, 0);
  assert.ok(sites[0]!.inuseBytes > total / 2);
  assert.ok(sites[0]!.inuseObjects > 0);
});

test("loadAllocationSites fills sites for both formats and keeps the refs' order", async () => {
  const refs: HeapProfileRef[] = [
    {
      t: 1795498060000,
      prov: "record",
      src: { path: "heap.1795498060.pb.gz" },
      format: "pprof-proto",
      totalInuseBytes: null,
      sites: null,
    },
    {
      t: 1795498050000,
      prov: "filename",
      src: { path: "heap.1795498050.txt" },
      format: "heap-debug1",
      totalInuseBytes: null,
      sites: null,
    },
    {
      t: 1795498050000,
      prov: "filename",
      src: { path: "gone.txt" },
      format: "heap-debug1",
      totalInuseBytes: null,
      sites: null,
    },
  ];
  const loaded = await loadAllocationSites(sample("heap-leak"), refs);
  assert.equal(loaded.length, 3);
  assert.equal(loaded[0]!.sites![0]!.func, "main.(*sessionCache).remember");
  assert.equal(loaded[1]!.sites![0]!.func, "main.(*sessionCache).remember");
  assert.equal(loaded[2]!.sites, null, "a missing file leaves sites unknown");
  assert.equal(refs[0]!.sites, null, "the input refs are not changed");
});

test("restart-leak .pb.gz: the growth site is (*auditLog).appendRecord", async () => {
  const sites = readProtoAllocationSites(await readFile(sample("restart-leak/heap-20261124T053349Z.pb.gz")));
  assert.equal(sites[0]!.func, "main.(*auditLog).appendRecord");
});
