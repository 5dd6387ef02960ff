// `npm run bench` (after `npm run build`): memgap's speed and memory next to what the machine itself
// does with the same files in the same run, so that the ratios hold on any machine.
//   (a) a week archive (10,081 heap debug=1 snapshots, 604,801 VmRSS lines, smaps_rollup every ten
//       minutes, ~890 MB) to report.json, next to `cat` reading the same files; and its peak RSS;
//   (b) one sample incident to HTML+PDF, next to Chromium's own --print-to-pdf of the same HTML;
//   (c) a batch of 50 incidents (copies of the samples), next to 50 single `memgap report` runs.
// The archives are generated here (scripts/bench/gen-archive.mjs), never read from outside the repo.
// Usage: node scripts/bench.mjs [--quick] [--out bench-out] [--only a,b,c]
//   --quick: a one-day archive and a batch of 12, for trying things.
// Writes bench-out/bench.json and prints a table.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULTS, generateArchive } from "./bench/gen-archive.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin", "memgap.js");
const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    out: { type: "string", default: path.join(ROOT, "bench-out") },
    only: { type: "string", default: "a,b,c" },
  },
});
const OUT = path.resolve(args.out);
const ONLY = new Set(args.only.split(","));
const QUICK = args.quick;

/** Targets (the acceptance figures). */
const TARGETS = {
  archiveVsCat: 1.0,
  archivePeakRssBytes: 256 * 1024 * 1024,
  pdfVsBarePrint: 1.3,
  batchVsSingle: 0.5,
};

/** Each timing is the median of this many runs: one cold-ish outlier must not decide a ratio. */
const REPEATS = QUICK ? 1 : 3;

const ENV = { ...process.env, TZ: "UTC", LC_ALL: "C", SOURCE_DATE_EPOCH: "1767225600" };
const TIME_V = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;

function run(cmd, argv, opts = {}) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(cmd, argv, { env: ENV, encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 0 && !opts.allowFail) {
    throw new Error(`${cmd} ${argv.join(" ")} exited ${res.status}: ${res.stderr?.slice(-2000)}`);
  }
  return { ms, res };
}

/** Wall time and the peak RSS of a command, through GNU time -v when present. */
function runMeasured(cmd, argv) {
  if (!TIME_V) return { ms: run(cmd, argv).ms, maxRssBytes: null };
  const { ms, res } = run(TIME_V, ["-v", cmd, ...argv]);
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(res.stderr);
  return { ms, maxRssBytes: m ? Number(m[1]) * 1024 : null };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function catTime(dir) {
  return run("sh", ["-c", `find "${dir}" -type f -print0 | xargs -0 cat > /dev/null`]).ms;
}

function dirBytes(dir) {
  let total = 0;
  let files = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) {
      files++;
      total += statSync(path.join(e.parentPath ?? e.path, e.name)).size;
    }
  }
  return { files, total };
}

function ensureArchive(hours) {
  const dir = path.join(OUT, `archive-${hours}h`);
  // beside the archive, not in it: memgap and cat read everything inside
  const marker = `${dir}.params.json`;
  const params = JSON.stringify({ ...DEFAULTS, hours });
  if (existsSync(marker) && readFileSync(marker, "utf8") === params) return dir;
  rmSync(dir, { recursive: true, force: true });
  const t0 = Date.now();
  const counts = generateArchive({ out: dir, hours });
  writeFileSync(marker, params);
  console.error(
    `generated ${dir}: ${counts.snapshots} snapshots, ${counts.rssSamples} RSS lines (${Date.now() - t0} ms)`,
  );
  return dir;
}

const results = {
  machine: { cpus: os.availableParallelism(), node: process.version, quick: QUICK },
  sections: {},
};
const rows = [];
const ratio = (a, b) => (b > 0 ? a / b : null);
const fmtMs = (ms) =>
  ms === null ? "-" : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
const fmtMiB = (b) => (b === null ? "-" : `${(b / 1048576).toFixed(0)} MiB`);

mkdirSync(OUT, { recursive: true });

// (a) the archive to report.json, next to cat.
if (ONLY.has("a")) {
  const hours = QUICK ? 24 : 168;
  const dir = ensureArchive(hours);
  const size = dirBytes(dir);
  catTime(dir); // warm the page cache: both sides then read from memory
  const cats = [];
  const reports = [];
  const pooled = [];
  let peak = 0;
  const reportArgs = [BIN, "report", dir, "--out", path.join(OUT, "a-report"), "--format", "json"];
  for (let i = 0; i < REPEATS; i++) {
    cats.push(catTime(dir));
    const m = runMeasured(process.execPath, reportArgs);
    reports.push(m.ms);
    peak = Math.max(peak, m.maxRssBytes ?? 0);
    // Informative, no target: Node's V8 thread pool sized to the machine (cores - 1) instead of its
    // default four threads, which on a two-core machine compete with the main thread for the JIT.
    pooled.push(run(process.execPath, ["--v8-pool-size=0", ...reportArgs]).ms);
  }
  const catMs = median(cats);
  const reportMs = median(reports);
  const pooledMs = median(pooled);
  const r = ratio(reportMs, catMs);
  results.sections.archive = {
    hours,
    files: size.files,
    bytes: size.total,
    catMs,
    reportJsonMs: reportMs,
    ratio: r,
    peakRssBytes: TIME_V ? peak : null,
    v8PoolSizedMs: pooledMs,
    v8PoolSizedRatio: ratio(pooledMs, catMs),
    runs: { cat: cats, report: reports, v8PoolSized: pooled },
    target: { ratio: TARGETS.archiveVsCat, peakRssBytes: TARGETS.archivePeakRssBytes },
  };
  rows.push([
    `(a) ${hours} h archive -> report.json`,
    fmtMs(reportMs),
    `cat ${fmtMs(catMs)}`,
    r?.toFixed(2) ?? "-",
    `<= ${TARGETS.archiveVsCat}`,
    r !== null && r <= TARGETS.archiveVsCat ? "ok" : "MISS",
  ]);
  rows.push([
    `(a) same, node --v8-pool-size=0`,
    fmtMs(pooledMs),
    `cat ${fmtMs(catMs)}`,
    ratio(pooledMs, catMs)?.toFixed(2) ?? "-",
    "(informative)",
    "",
  ]);
  rows.push([
    `(a) ${hours} h archive peak RSS`,
    fmtMiB(TIME_V ? peak : null),
    "",
    "",
    `<= ${fmtMiB(TARGETS.archivePeakRssBytes)}`,
    TIME_V ? (peak <= TARGETS.archivePeakRssBytes ? "ok" : "MISS") : "n/a",
  ]);
}

// (b) one incident to HTML+PDF, next to Chromium printing the same HTML.
if (ONLY.has("b")) {
  const incident = path.join(ROOT, "samples", "madvfree-burst");
  const out = path.join(OUT, "b-report");
  const chromium =
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p)) ??
    process.env.PUPPETEER_EXECUTABLE_PATH;
  const ours = [];
  const bare = [];
  for (let i = 0; i < REPEATS; i++) {
    ours.push(run(process.execPath, [BIN, "report", incident, "--out", out, "--format", "html,pdf"]).ms);
    if (chromium) {
      const profile = path.join(OUT, "b-chromium-profile");
      rmSync(profile, { recursive: true, force: true });
      bare.push(
        run(
          chromium,
          [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            `--user-data-dir=${profile}`,
            "--no-pdf-header-footer",
            `--print-to-pdf=${path.join(OUT, "b-bare.pdf")}`,
            `file://${path.join(out, "report.html")}`,
          ],
          { allowFail: true },
        ).ms,
      );
    }
  }
  const oursMs = median(ours);
  const bareMs = chromium ? median(bare) : null;
  const r = bareMs ? ratio(oursMs, bareMs) : null;
  results.sections.pdf = {
    incident: "madvfree-burst",
    htmlPdfMs: oursMs,
    barePrintMs: bareMs,
    ratio: r,
    runs: { ours, bare },
    target: TARGETS.pdfVsBarePrint,
  };
  rows.push([
    "(b) madvfree-burst -> HTML+PDF",
    fmtMs(oursMs),
    `chromium --print-to-pdf ${fmtMs(bareMs)}`,
    r?.toFixed(2) ?? "-",
    `<= ${TARGETS.pdfVsBarePrint}`,
    r !== null && r <= TARGETS.pdfVsBarePrint ? "ok" : "MISS",
  ]);
}

// (c) a batch of N incidents, next to N single runs.
if (ONLY.has("c")) {
  const n = QUICK ? 12 : 50;
  const samples = readdirSync(path.join(ROOT, "samples"), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const inDir = path.join(OUT, `c-batch-in-${n}`);
  if (!existsSync(inDir) || readdirSync(inDir).length !== n) {
    rmSync(inDir, { recursive: true, force: true });
    for (let i = 0; i < n; i++) {
      const s = samples[i % samples.length];
      cpSync(path.join(ROOT, "samples", s), path.join(inDir, `${String(i + 1).padStart(2, "0")}-${s}`), {
        recursive: true,
      });
    }
  }
  const incidents = readdirSync(inDir).sort();
  const singleOut = path.join(OUT, "c-single");
  const t0 = Date.now();
  for (const id of incidents)
    run(process.execPath, [BIN, "report", path.join(inDir, id), "--out", path.join(singleOut, id)]);
  const singleMs = Date.now() - t0;
  const batchMs = run(process.execPath, [
    BIN,
    "batch",
    inDir + "/*",
    "--out",
    path.join(OUT, "c-batch"),
    "--force",
  ]).ms;
  const perSingle = singleMs / n;
  const perBatch = batchMs / n;
  const r = ratio(perBatch, perSingle);
  results.sections.batch = {
    incidents: n,
    formats: "html,pdf,json,md",
    concurrency: os.availableParallelism(),
    singleTotalMs: singleMs,
    batchTotalMs: batchMs,
    perIncidentSingleMs: perSingle,
    perIncidentBatchMs: perBatch,
    ratio: r,
    target: TARGETS.batchVsSingle,
  };
  rows.push([
    `(c) batch of ${n} (per incident)`,
    fmtMs(perBatch),
    `single runs ${fmtMs(perSingle)}`,
    r?.toFixed(2) ?? "-",
    `<= ${TARGETS.batchVsSingle}`,
    r !== null && r <= TARGETS.batchVsSingle ? "ok" : "MISS",
  ]);
}

writeFileSync(path.join(OUT, "bench.json"), JSON.stringify(results, null, 2) + "\n");
const header = ["measure", "memgap", "reference", "ratio", "target", ""];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join("  ");
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of rows) console.log(line(r));
console.log(
  `\n${os.availableParallelism()} cores, Node ${process.version}; figures in ${path.join(OUT, "bench.json")}`,
);
