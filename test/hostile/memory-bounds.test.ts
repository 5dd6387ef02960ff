/**
 * Memory stays bounded on huge inputs: a 2 GiB log (a sparse file: instant, no disk) is either
 * streamed (gctrace reads CaptureFile.lines: parsed, and its 2 GiB NUL "line" is cut, not held) or,
 * for a parser that reads files whole, refused (ingest's MAX_WHOLE_READ_BYTES guard: ignored,
 * "too large"), a gzip bomb named like a heap
 * profile is refused, and an incident of 20,000 tiny files completes without opening them all at once
 * (ingest's concurrency limit). The 1,000,000-file figure is measured by hand (see the task report).
 */
import assert from "node:assert/strict";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
  createWriteStream,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createGzip } from "node:zlib";
import { after, test } from "node:test";
import { ingestIncident, MAX_WHOLE_READ_BYTES } from "../../src/ingest/ingest.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "memgap-memory-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;

/** Sample RSS and open descriptors while `fn` runs; returns the peaks above the starting values. */
async function watch<T>(fn: () => Promise<T>): Promise<{ result: T; rssGrowth: number; fdGrowth: number }> {
  const fds = (): number => readdirSync("/proc/self/fd").length;
  const rss0 = process.memoryUsage.rss();
  const fd0 = fds();
  let rssPeak = rss0;
  let fdPeak = fd0;
  const timer = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    fdPeak = Math.max(fdPeak, fds());
  }, 2);
  try {
    const result = await fn();
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
    return { result, rssGrowth: rssPeak - rss0, fdGrowth: fdPeak - fd0 };
  } finally {
    clearInterval(timer);
  }
}

/**
 * A sparse file of `size` bytes whose first 96 KiB repeat `line` (parsers look at the first 64 KiB
 * and refuse NUL bytes there); the rest is a hole, so the file costs no disk and no time to make.
 */
function sparse(file: string, line: string, size: number, header = ""): void {
  writeFileSync(file, header + line.repeat(Math.ceil((96 * 1024) / line.length)));
  truncateSync(file, size);
}

test("2 GiB logs (sparse files): streamed when the parser can, else ignored as too large; memory stays bounded", async () => {
  const dir = path.join(tmp, "huge");
  mkdirSync(dir);
  // heads that make the parsers claim the files: a VmRSS log, a gctrace log, a heap profile
  sparse(path.join(dir, "rss.log"), "2026-11-24T05:22:36Z VmRSS:\t 10100 kB\n", 2 * GIB);
  const gcLine =
    "gc 1 @0.724s 0%: 0.12+0.51+0.003 ms clock, 0.25+0.15/0.17/0.022+0.006 ms cpu, 3->3->2 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n";
  sparse(path.join(dir, "gctrace.log"), gcLine, 2 * GIB);
  sparse(
    path.join(dir, "heap-20261124T052236Z.txt"),
    "1: 4096 [1: 4096] @ 0x4a1b2c\n#\t0x4a1b2b\tmain.alloc+0x4b\t/src/app/main.go:42\n\n",
    2 * GIB,
    "heap profile: 1: 2 [3: 4] @ heap/1048576\n",
  );
  writeFileSync(path.join(dir, "smaps-20261124T052236Z.txt"), "[rollup]\nRss:  10100 kB\nPss:  9000 kB\n");
  const { result, rssGrowth } = await watch(() =>
    ingestIncident({ incidentDir: dir, incidentId: "huge", zone: "UTC" }),
  );
  const byPath = new Map(result.files.map((f) => [f.path, f]));
  // gctrace streams: its head of identical lines is one collection (gctrace=2 duplicates are kept once)
  const gc = byPath.get("gctrace.log")!;
  assert.equal(gc.status, "parsed", `gctrace.log: ${gc.status} ${gc.message}`);
  assert.equal(gc.records, 1);
  assert.equal(gc.bytes, 2 * GIB);
  // the VmRSS log streams too: its one reading is kept, the NULs after it are no reading at all
  const vm = byPath.get("rss.log")!;
  assert.equal(vm.status, "parsed", `rss.log: ${vm.status} ${vm.message}`);
  assert.equal(
    vm.records,
    Math.ceil((96 * 1024) / "2026-11-24T05:22:36Z VmRSS:\t 10100 kB\n".length),
    "every reading of the head, none from the NULs",
  );
  for (const p of ["heap-20261124T052236Z.txt"]) {
    const f = byPath.get(p)!;
    assert.equal(f.status, "ignored", `${p}: ${f.status} ${f.message}`);
    assert.match(f.message ?? "", /^too large for a [\w-]+ capture \(2147483648 bytes\)/, p);
    assert.equal(f.bytes, 2 * GIB);
  }
  assert.equal(
    byPath.get("smaps-20261124T052236Z.txt")!.status,
    "parsed",
    "small files beside them are read",
  );
  // nothing near the file size was allocated: the guard reads only heads and tails
  assert.ok(rssGrowth < 256 * MIB, `RSS grew ${(rssGrowth / MIB).toFixed(0)} MiB`);
});

test("a file just above the whole-read limit is refused by size, one just below is read", async () => {
  const dir = path.join(tmp, "limit");
  mkdirSync(dir);
  // expvar is read whole (one JSON document): above the limit it is refused by its size
  const vars = path.join(dir, "vars-20261124T052236Z.json");
  sparse(vars, '"x": 1,\n', MAX_WHOLE_READ_BYTES + 1, '{\n"memstats": {"HeapAlloc": 1},\n');
  const res = await ingestIncident({ incidentDir: dir, incidentId: "limit", zone: "UTC" });
  assert.equal(res.files[0]!.status, "ignored", res.files[0]!.message ?? "");
  assert.match(res.files[0]!.message ?? "", /too large/);
  // below the limit the same file is read (and judged on its content, whatever that gives)
  truncateSync(vars, 96 * 1024);
  const below = await ingestIncident({ incidentDir: dir, incidentId: "limit", zone: "UTC" });
  assert.doesNotMatch(below.files[0]!.message ?? "", /too large/);
  assert.equal(below.files[0]!.format, "expvar", "read by its parser");
});

test("a gzip bomb named like a heap profile (1 GiB of zeros in ~1 MiB) is refused without a crash", async () => {
  const dir = path.join(tmp, "bomb");
  mkdirSync(dir);
  const zeros = Buffer.alloc(MIB);
  let left = 1024;
  await pipeline(
    new Readable({
      read() {
        this.push(left-- > 0 ? zeros : null);
      },
    }),
    createGzip({ level: 1 }),
    createWriteStream(path.join(dir, "heap.20261124.pb.gz")),
  );
  const { result, rssGrowth } = await watch(() =>
    ingestIncident({ incidentDir: dir, incidentId: "bomb", zone: "UTC" }),
  );
  const f = result.files[0]!;
  assert.notEqual(f.status, "parsed", `${f.status}: ${f.message}`);
  process.stderr.write(`# gzip bomb: ${f.status} (${f.message}), RSS +${(rssGrowth / MIB).toFixed(0)} MiB\n`);
  // pprof-proto inflates up to its own cap (512 MiB at the time of writing) before refusing
  assert.ok(rssGrowth < 1 * GIB, `RSS grew ${(rssGrowth / MIB).toFixed(0)} MiB`);
});

test("20,000 tiny files: ingest completes, lists every file, and never holds many open at once", async () => {
  const dir = path.join(tmp, "many");
  const N = 20_000;
  for (let d = 0; d < 20; d++) mkdirSync(path.join(dir, `snap-${d}`), { recursive: true });
  for (let i = 0; i < N; i++) {
    const sub = path.join(dir, `snap-${i % 20}`);
    const stamp = new Date(Date.UTC(2026, 10, 24, 5, 0, 0) + i * 1000)
      .toISOString()
      .replace(/[-:]|\.\d+/g, "");
    if (i % 3 === 0)
      writeFileSync(path.join(sub, `smaps-${stamp}.txt`), `[rollup]\nRss:  ${10000 + i} kB\nPss:  9000 kB\n`);
    else if (i % 3 === 1)
      writeFileSync(
        path.join(sub, `rss-${i}.log`),
        `${new Date(Date.UTC(2026, 10, 24, 5, 0, 0) + i * 1000).toISOString()} VmRSS:\t ${10000 + i} kB\n`,
      );
    else writeFileSync(path.join(sub, `junk-${i}.txt`), `junk ${i}\n`);
  }
  const started = Date.now();
  const { result, fdGrowth, rssGrowth } = await watch(() =>
    ingestIncident({ incidentDir: dir, incidentId: "many", zone: "UTC" }),
  );
  const ms = Date.now() - started;
  assert.equal(result.files.length, N, "every file is listed");
  const expectParsed = Array.from({ length: N }, (_, i) => i % 3 !== 2).filter(Boolean).length;
  assert.equal(result.files.filter((f) => f.status === "parsed").length, expectParsed);
  assert.equal(result.rss.length, result.files.filter((f) => f.status === "parsed").length);
  // ingest's 16 workers each hold at most one descriptor at a time; libuv and the runner add a few
  assert.ok(fdGrowth <= 2 * 16 + 8, `open descriptors grew by ${fdGrowth}`);
  assert.ok(rssGrowth < 512 * MIB, `RSS grew ${(rssGrowth / MIB).toFixed(0)} MiB`);
  process.stderr.write(
    `# 20,000 tiny files: ingest ${ms} ms, RSS +${(rssGrowth / MIB).toFixed(0)} MiB, fds +${fdGrowth}\n`,
  );
});
