/**
 * The bundled samples re-saved the way other hosts save captures (built in a temporary directory at
 * test time, never inside samples/): other file naming, nested per-host/per-PID folders, a coarser
 * cadence, heap dumps appended into one log, logs with other timestamp prefixes. Every capture must
 * keep its format and time, and the primary verdict must stay the sample's truth.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildIncidentModels } from "../../src/pipeline/run-incident.js";
import { SAMPLE_OPTIONS } from "../helpers/sample-models.js";
import { sample } from "../helpers/paths.js";

const iso = (ms: number): string => new Date(ms).toISOString();

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), "memgap-variant-"));
}

test("heap-leak as CockroachDB-style memprof names in host/pid folders, every 10th snapshot: heap-leak", async () => {
  const dir = scratch();
  try {
    const src = sample("heap-leak");
    const heaps = readdirSync(src)
      .filter((f) => /^heap\.\d{10}\.txt$/.test(f))
      .sort();
    const kept = heaps.filter((_, i) => i % 10 === 0);
    const expected = new Map<string, number>();
    for (const f of kept) {
      const t = Number(/\d{10}/.exec(f)![0]) * 1000;
      const name = `host-a/pid-17085/memprof.${iso(t).slice(0, 19).replace(/:/g, "_")}.000.txt`;
      mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
      copyFileSync(path.join(src, f), path.join(dir, name));
      expected.set(name, t);
    }
    copyFileSync(path.join(src, "ps.log"), path.join(dir, "ps.log"));
    const models = await buildIncidentModels(dir, "variant", SAMPLE_OPTIONS);
    const files = models.json.captures.files;
    for (const [name, t] of expected) {
      const f = files.find((x) => x.path === name);
      assert.equal(f?.format, "heap-debug1", name);
      assert.equal(f?.timeRange?.start, iso(t), name);
    }
    assert.equal(models.json.verdict.primary, "heap-leak", models.json.verdict.headline);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("heap-leak with its heap dumps appended into one log after `date -Is` lines: heap-leak, growth site kept", async () => {
  const dir = scratch();
  try {
    const src = sample("heap-leak");
    const heaps = readdirSync(src)
      .filter((f) => /^heap\.\d{10}\.txt$/.test(f))
      .sort();
    const parts = heaps.map((f) => {
      const t = Number(/\d{10}/.exec(f)![0]) * 1000;
      return `${iso(t).replace(".000Z", "+00:00")}\n${readFileSync(path.join(src, f), "utf8")}`;
    });
    writeFileSync(path.join(dir, "heaps.log"), parts.join("\n"));
    copyFileSync(path.join(src, "ps.log"), path.join(dir, "ps.log"));
    const models = await buildIncidentModels(dir, "variant", SAMPLE_OPTIONS);
    const f = models.json.captures.files.find((x) => x.path === "heaps.log")!;
    assert.equal(f.format, "heap-debug1-series");
    assert.equal(f.records, heaps.length);
    assert.equal(f.timeRange?.start, "2026-11-24T05:26:08.000Z");
    assert.equal(f.timeRange?.end, "2026-11-24T05:27:42.000Z");
    assert.equal(models.json.verdict.primary, "heap-leak");
    assert.match(models.json.verdict.headline, /sessionCache/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("madvfree-burst with rss.log and gctrace.log behind slog `time=` and journald prefixes, no smaps: lazy-free", async () => {
  const dir = scratch();
  try {
    const src = sample("madvfree-burst");
    for (const f of readdirSync(src)) {
      if (f.startsWith("smaps")) continue;
      const text = readFileSync(path.join(src, f), "utf8");
      if (f === "rss.log") {
        writeFileSync(path.join(dir, f), text.replace(/^(\S+Z) /gm, "time=$1 "));
      } else if (f === "gctrace.log") {
        const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
        writeFileSync(
          path.join(dir, f),
          text.replace(
            /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2}:\d{2})\.\d+Z /gm,
            (_m, _y, mo, d, hms) => `${months[Number(mo) - 1]} ${d} ${hms} host catalogd[11559]: `,
          ),
        );
      } else copyFileSync(path.join(src, f), path.join(dir, f));
    }
    const models = await buildIncidentModels(dir, "variant", SAMPLE_OPTIONS);
    const rss = models.json.captures.files.find((x) => x.path === "rss.log")!;
    assert.equal(rss.status, "parsed", rss.message ?? "");
    assert.equal(rss.timeRange?.start, "2026-11-24T05:22:36.000Z");
    const gc = models.json.captures.files.find((x) => x.path === "gctrace.log")!;
    assert.equal(gc.status, "parsed", gc.message ?? "");
    assert.equal(gc.timeRange?.start, "2026-11-24T05:22:36.000Z");
    assert.equal(models.json.verdict.primary, "lazy-free", models.json.verdict.headline);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("restart-leak with every 10th snapshot (4 per lifetime): insufficient-data naming the counts, never healthy", async () => {
  const dir = scratch();
  try {
    const src = sample("restart-leak");
    const heaps = readdirSync(src)
      .filter((f) => /^heap-\d{8}T\d{6}Z\.txt$/.test(f))
      .sort();
    heaps.filter((_, i) => i % 10 === 0).forEach((f) => copyFileSync(path.join(src, f), path.join(dir, f)));
    for (const f of ["ps.log", "rss.log"]) copyFileSync(path.join(src, f), path.join(dir, f));
    const models = await buildIncidentModels(dir, "variant", SAMPLE_OPTIONS);
    assert.equal(models.json.verdict.primary, "insufficient-data", models.json.verdict.headline);
    assert.match(models.json.verdict.headline, /its 3 lifetimes have \d snapshots/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
