/**
 * Issue 7: a large log is parsed, not lost. The gctrace and csv parsers stream (CaptureFile.lines),
 * so the whole-read guard does not apply to them: with the guard lowered to 1 MiB (the suite stays
 * fast), a few-MiB gctrace log and CSV RSS series are parsed to the last record while a VmRSS log
 * (read whole) is still refused as too large. A child process with a 48 MiB old-space heap then
 * parses a 96 MiB gctrace log, which a whole read (one 96 MiB string, then its lines) cannot hold.
 *
 * The logs are CONSTRUCTED by repeating lines of the real trace in
 * test/fixtures/format-examples/gctrace/go1.25-greentea-issue73581-64P.txt between program output lines.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { ingestIncident, setWholeReadLimit } from "../../src/ingest/ingest.js";
import { fixture, ROOT } from "../helpers/paths.js";
import { rssSamplesOf } from "../../src/common/rss-series.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "memgap-stream-"));
after(() => {
  setWholeReadLimit(null);
  rmSync(tmp, { recursive: true, force: true });
});

const MIB = 1024 ** 2;

/** The gc lines of the real Go 1.25 trace, renumbered so that no two are the same collection. */
const GC_LINES = readFileSync(
  fixture("format-examples", "gctrace", "go1.25-greentea-issue73581-64P.txt"),
  "utf8",
)
  .split("\n")
  .filter((l) => /^gc \d+ @/.test(l));
const APP_LINE = '{"level":"info","msg":"handled request","path":"/api/v1/items","status":200,"dur_ms":3}\n';

/**
 * Write a gctrace log of about `bytes`: one gc line every `every` lines, the rest program output;
 * written in 1 MiB pieces so the generator itself stays small. Returns the number of gc lines.
 */
function writeGcLog(file: string, bytes: number, every: number): number {
  const fd = openSync(file, "w");
  let written = 0;
  let gcs = 0;
  let line = 0;
  try {
    while (written < bytes) {
      let piece = "";
      while (piece.length < MIB) {
        if (line++ % every === 0) {
          const real = GC_LINES[gcs % GC_LINES.length]!;
          gcs++;
          piece += real.replace(/^gc \d+ @[\d.]+s/, `gc ${gcs} @${(gcs * 0.25).toFixed(3)}s`) + "\n";
        } else piece += APP_LINE;
      }
      written += writeSync(fd, piece);
    }
  } finally {
    closeSync(fd);
  }
  return gcs;
}

test("with the whole-read guard at 1 MiB, a 4 MiB gctrace log and CSV series are parsed; a VmRSS log is refused", async () => {
  assert.ok(GC_LINES.length > 0, "the fixture holds gc lines");
  const dir = path.join(tmp, "guard");
  mkdirSync(dir);
  const gcs = writeGcLog(path.join(dir, "gctrace.log"), 4 * MIB, 10);
  const start = Date.UTC(2026, 10, 24, 5, 0, 0);
  const rows = ["timestamp,rss_kb"];
  for (let i = 0; rows.join("\n").length < 4 * MIB && i < 1e6; i += 1000)
    for (let j = i; j < i + 1000; j++) rows.push(`${new Date(start + j * 1000).toISOString()},${100000 + j}`);
  const csvRows = rows.length - 1;
  const fdCsv = openSync(path.join(dir, "rss.csv"), "w");
  writeSync(fdCsv, rows.join("\r\n") + "\r\n");
  closeSync(fdCsv);
  const fdRss = openSync(path.join(dir, "rss.log"), "w");
  writeSync(fdRss, "2026-11-24T05:22:36Z VmRSS:\t 10100 kB\n".repeat((2 * MIB) / 36));
  closeSync(fdRss);

  setWholeReadLimit(MIB);
  try {
    const res = await ingestIncident({ incidentDir: dir, incidentId: "guard", zone: "UTC" });
    const byPath = new Map(res.files.map((f) => [f.path, f]));
    const gc = byPath.get("gctrace.log")!;
    assert.equal(gc.status, "parsed", `${gc.status}: ${gc.message}`);
    assert.ok(gc.bytes > 4 * MIB);
    assert.equal(gc.records, gcs);
    assert.equal(res.gc.length, gcs);
    assert.equal(res.gc.at(-1)!.gcNum, gcs, "the last collection of the log is there");
    // the line numbers count program output lines too: every `every`-th line, from line 1
    assert.equal(res.gc.at(-1)!.src.line, (gcs - 1) * 10 + 1);

    const csv = byPath.get("rss.csv")!;
    assert.equal(csv.status, "parsed", `${csv.status}: ${csv.message}`);
    assert.equal(csv.records, csvRows);
    assert.equal(rssSamplesOf(res.rss.filter((s) => s.kind === "csv")).at(-1)!.src.line, csvRows + 1);

    const vm = byPath.get("rss.log")!;
    assert.equal(vm.status, "ignored", `${vm.status}: ${vm.message}`);
    assert.match(
      vm.message ?? "",
      /^too large for a [\w-]+ capture \(\d+ bytes\): files above 1048576 bytes/,
    );
  } finally {
    setWholeReadLimit(null);
  }
});

test("a 96 MiB gctrace log is parsed in a process whose heap (48 MiB old space) could not hold it whole", () => {
  const dir = path.join(tmp, "heap");
  mkdirSync(dir);
  // one gc line in 200: a busy service's stderr, mostly its own output
  const gcs = writeGcLog(path.join(dir, "gctrace.log"), 96 * MIB, 200);
  const child = spawnSync(
    process.execPath,
    [
      "--max-old-space-size=48",
      "--import",
      "tsx",
      path.join(ROOT, "test/hostile/large-log-streams-child.ts"),
      dir,
    ],
    { encoding: "utf8", cwd: ROOT, timeout: 120_000 },
  );
  assert.equal(
    child.status,
    0,
    `child failed (${child.signal ?? child.status}): ${child.stderr.slice(-2000)}`,
  );
  const out = JSON.parse(child.stdout) as { status: string; records: number; gc: number; heapMiB: number };
  assert.equal(out.status, "parsed");
  assert.equal(out.records, gcs);
  assert.equal(out.gc, gcs);
  process.stderr.write(
    `# 96 MiB gctrace log under a 48 MiB heap: ${gcs} gc events, heap ${out.heapMiB} MiB\n`,
  );
});
