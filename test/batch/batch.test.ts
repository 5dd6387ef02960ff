/**
 * `memgap batch` end to end over copies of real samples: every report plus index.html and
 * summary.json; a second run skips unchanged incidents; a failing incident fails alone; --shard
 * partitions; --fail-on gives exit 3; one run with PDF through the shared browser.
 */
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { ProgressReporter } from "../../src/batch/progress.js";
import { runBatchCommand, type BatchFlags } from "../../src/cli/batch-command.js";
import type { BatchSummary } from "../../src/model/batch.js";
import { findBrowser } from "../../src/render/pdf.js";
import { sample } from "../helpers/paths.js";

const SMALL_SAMPLES = ["retention-plateau", "restart-leak", "heap-leak"];
const ENV = { SOURCE_DATE_EPOCH: "1767225600" };

function silent(): ProgressReporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    start: (n) => lines.push(`start ${n}`),
    done: (id, status) => lines.push(`${id} ${status}`),
    stop: () => undefined,
  };
}

function flags(out: string, extra: Partial<BatchFlags> = {}): BatchFlags {
  return { out, formats: ["json", "html"], paper: "a4", concurrency: "2", ...extra };
}

async function readSummary(file: string): Promise<BatchSummary> {
  return JSON.parse(await readFile(file, "utf8")) as BatchSummary;
}

let work: string;
let inputs: string;

before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "memgap-batch-"));
  inputs = path.join(work, "in");
  await mkdir(inputs);
  for (const s of SMALL_SAMPLES) await cp(sample(s), path.join(inputs, s), { recursive: true });
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("memgap batch", () => {
  test("writes every report, index.html and summary.json; a second run skips them all", async () => {
    const out = path.join(work, "out-basic");
    const first = await runBatchCommand([path.join(inputs, "*")], flags(out), ENV, silent());
    assert.equal(first.exitCode, 0);
    const summary = await readSummary(path.join(out, "summary.json"));
    assert.deepEqual(
      summary.incidents.map((e) => e.id),
      [...SMALL_SAMPLES].sort(),
    );
    for (const e of summary.incidents) {
      assert.equal(e.status, "ok", `${e.id}: ${e.error}`);
      assert.ok(e.verdict && e.headline);
      assert.equal(typeof e.figures?.peakRssBytes, "number");
      const json = JSON.parse(await readFile(path.join(out, e.id, "report.json"), "utf8")) as {
        verdict: { primary: string };
      };
      assert.equal(json.verdict.primary, e.verdict);
      assert.ok((await stat(path.join(out, e.id, "report.html"))).size > 1000);
      assert.deepEqual(e.outputs, [`${e.id}/report.html`, `${e.id}/report.json`]);
    }
    const index = await readFile(path.join(out, "index.html"), "utf8");
    for (const s of SMALL_SAMPLES) assert.match(index, new RegExp(`href="${s}/report.html"`));
    assert.doesNotMatch(index, /<script|https?:\/\//);

    const reportMtime = (await stat(path.join(out, "heap-leak", "report.json"))).mtimeMs;
    const second = await runBatchCommand([path.join(inputs, "*")], flags(out), ENV, silent());
    assert.equal(second.exitCode, 0);
    assert.deepEqual(second.outcome.summary.counts, { total: 3, ok: 0, skipped: 3, failed: 0 });
    assert.equal((await stat(path.join(out, "heap-leak", "report.json"))).mtimeMs, reportMtime);
    // the skipped entries still carry their verdicts
    assert.deepEqual(
      second.outcome.summary.incidents.map((e) => e.verdict),
      summary.incidents.map((e) => e.verdict),
    );

    // touched but unchanged content: the content hash decides, still skipped
    const touched = path.join(
      inputs,
      "heap-leak",
      (await readdir(path.join(inputs, "heap-leak"))).sort()[0]!,
    );
    await utimes(touched, new Date(), new Date(Date.now() + 5000));
    const third = await runBatchCommand([path.join(inputs, "*")], flags(out), ENV, silent());
    assert.equal(third.outcome.summary.counts.skipped, 3);

    // a changed input, and --force, run again
    const changed = path.join(inputs, "restart-leak", "zz-extra-note.txt");
    await writeFile(changed, "an operator's note, not a capture\n");
    const fourth = await runBatchCommand([path.join(inputs, "*")], flags(out), ENV, silent());
    const byId = new Map(fourth.outcome.summary.incidents.map((e) => [e.id, e.status]));
    assert.equal(byId.get("restart-leak"), "ok");
    assert.equal(byId.get("heap-leak"), "skipped");
    await rm(changed);
    const forced = await runBatchCommand(
      [path.join(inputs, "*")],
      flags(out, { force: true }),
      ENV,
      silent(),
    );
    assert.equal(forced.outcome.summary.counts.ok, 3);
  });

  test("an incident that cannot be read is listed as failed; the others succeed", async () => {
    const out = path.join(work, "out-fail");
    const notADir = path.join(work, "not-an-incident.txt");
    await writeFile(notADir, "just a file\n");
    const missing = path.join(work, "does-not-exist");
    const res = await runBatchCommand(
      [path.join(inputs, "heap-leak"), notADir, missing, path.join(inputs, "restart-leak")],
      flags(out),
      ENV,
      silent(),
    );
    assert.equal(res.exitCode, 1);
    const summary = await readSummary(path.join(out, "summary.json"));
    const byId = new Map(summary.incidents.map((e) => [e.id, e]));
    assert.equal(byId.get("heap-leak")?.status, "ok");
    assert.equal(byId.get("restart-leak")?.status, "ok");
    assert.equal(byId.get("not-an-incident.txt")?.status, "failed");
    assert.match(byId.get("not-an-incident.txt")?.error ?? "", /not a directory/);
    assert.equal(byId.get("does-not-exist")?.status, "failed");
    assert.match(byId.get("does-not-exist")?.error ?? "", /cannot be read/);
    assert.deepEqual(summary.counts, { total: 4, ok: 2, skipped: 0, failed: 2 });
    const index = await readFile(path.join(out, "index.html"), "utf8");
    assert.match(index, /status-failed/);
  });

  test("--shard partitions the incidents deterministically and completely", async () => {
    const seen: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const out = path.join(work, `out-shard-${i}`);
      const res = await runBatchCommand(
        [path.join(inputs, "*")],
        flags(out, { shard: `${i}/3` }),
        ENV,
        silent(),
      );
      assert.equal(res.exitCode, 0);
      const summary = await readSummary(path.join(out, `summary.shard-${i}-of-3.json`));
      assert.deepEqual(summary.shard, { index: i, count: 3 });
      seen.push(...summary.incidents.map((e) => e.id));
      // the same shard again takes the same share
      const again = await runBatchCommand(
        [path.join(inputs, "*")],
        flags(path.join(work, `out-shard-again-${i}`), { shard: `${i}/3` }),
        ENV,
        silent(),
      );
      assert.deepEqual(
        again.outcome.summary.incidents.map((e) => e.id),
        summary.incidents.map((e) => e.id),
      );
    }
    assert.deepEqual(seen.sort(), [...SMALL_SAMPLES].sort());
    await assert.rejects(
      runBatchCommand([inputs], flags(path.join(work, "x"), { shard: "4/3" }), ENV, silent()),
      /--shard/,
    );
  });

  test("--fail-on a verdict class or a severity exits 3", async () => {
    const out = path.join(work, "out-failon");
    const base = await runBatchCommand([path.join(inputs, "*")], flags(out), ENV, silent());
    const verdicts = base.outcome.summary.incidents.map((e) => e.verdict!);
    const target = verdicts[0]!;
    const hit = await runBatchCommand(
      [path.join(inputs, "*")],
      flags(out, { failOn: target }),
      ENV,
      silent(),
    );
    assert.equal(hit.exitCode, 3);
    assert.ok(hit.outcome.failOnHits.length >= 1);
    const reached = new Set([...verdicts, ...base.outcome.summary.incidents.flatMap((e) => e.secondary)]);
    const absent = ["goroutine-leak", "gc-pressure", "fragmentation", "non-go-memory", "lazy-free"].find(
      (v) => !reached.has(v),
    )!;
    const miss = await runBatchCommand(
      [path.join(inputs, "*")],
      flags(out, { failOn: absent }),
      ENV,
      silent(),
    );
    assert.equal(miss.exitCode, 0);
    const severities = await Promise.all(
      base.outcome.summary.incidents.map(async (e) => {
        const j = JSON.parse(await readFile(path.join(out, e.id, "report.json"), "utf8")) as {
          findings: { status: string; severity: string }[];
        };
        return j.findings.filter((f) => f.status === "fired").map((f) => f.severity);
      }),
    );
    const anyFired = severities.flat().some((s) => s === "critical" || s === "warning" || s === "info");
    const bySeverity = await runBatchCommand(
      [path.join(inputs, "*")],
      flags(out, { failOn: "info" }),
      ENV,
      silent(),
    );
    assert.equal(bySeverity.exitCode, anyFired ? 3 : 0);
    await assert.rejects(
      runBatchCommand([inputs], flags(out, { failOn: "no-such-verdict" }), ENV, silent()),
      /--fail-on/,
    );
  });

  test("PDFs of every incident come from one shared browser", async () => {
    assert.ok(findBrowser(), "a Chromium is needed for PDF (apt-get install -y chromium)");
    const out = path.join(work, "out-pdf");
    const res = await runBatchCommand(
      [path.join(inputs, "heap-leak"), path.join(inputs, "restart-leak")],
      flags(out, { formats: ["json", "pdf"] }),
      ENV,
      silent(),
    );
    assert.equal(res.exitCode, 0);
    for (const id of ["heap-leak", "restart-leak"]) {
      const pdf = await readFile(path.join(out, id, "report.pdf"));
      assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
    }
    assert.equal(res.outcome.notes.length, 0);
    assert.equal(res.outcome.browsersLaunched, 1);
  });
});
