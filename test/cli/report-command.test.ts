import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { main } from "../../src/cli/main.js";
import { findBrowser } from "../../src/render/pdf.js";
import { sample } from "../helpers/paths.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "memgap-cli-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d).sort()) {
      const p = path.join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)} ${st.size} ${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out;
}

test("report writes json and md, lists every file of the sample, and leaves the input untouched", async () => {
  const input = sample("madvfree-burst");
  const before = listing(input);
  const out = path.join(tmp, "json-md");
  const code = await main(["report", input, "--out", out, "--format", "json,md"]);
  assert.equal(code, 0);
  assert.deepEqual(readdirSync(out).sort(), ["report.json", "report.md"]);
  const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.incident.id, "madvfree-burst");
  const files = before.map((l) => l.split(" ")[0]);
  assert.deepEqual(
    report.captures.files.map((f: { path: string }) => f.path),
    files,
    "captures.files lists every file of the incident directory",
  );
  for (const f of report.captures.files) assert.match(f.status, /^(parsed|ignored|malformed)$/);
  assert.equal(report.figures.peakRssBytes, 1751000 * 1024, "peak RSS is rss.log's 1751000 kB");
  assert.deepEqual(listing(input), before, "the input directory is byte-for-byte unchanged");
  assert.match(readFileSync(path.join(out, "report.md"), "utf8"), /^# /);
});

test("usage errors exit 2: unknown format, missing directory, --out inside the input, bad --tz", async () => {
  assert.equal(
    await main(["report", sample("madvfree-burst"), "--format", "docx", "--out", path.join(tmp, "x")]),
    2,
  );
  assert.equal(await main(["report", path.join(tmp, "no-such-dir")]), 2);
  const input = path.join(tmp, "copy");
  cpSync(sample("healthy-steady"), input, { recursive: true });
  assert.equal(await main(["report", input, "--out", path.join(input, "out")]), 2);
  assert.equal(existsSync(path.join(input, "out")), false, "nothing was written into the input");
  assert.equal(await main(["report", input, "--tz", "Mars/Olympus", "--out", path.join(tmp, "y")]), 2);
  assert.equal(await main(["frobnicate"]), 2);
});

test("an empty incident directory still gets a report, with verdict insufficient-data", async () => {
  const empty = mkdtempSync(path.join(tmp, "empty-"));
  const out = path.join(tmp, "empty-out");
  assert.equal(await main(["report", empty, "--out", out, "--format", "json"]), 0);
  const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
  assert.equal(report.verdict.primary, "insufficient-data");
  assert.match(report.verdict.headline, /MemStats/);
});

test("a real PDF with a real Chromium: it opens and shows the verdict and the chart", async () => {
  const browser = findBrowser();
  assert.ok(browser, "a Chromium is installed (.ci/run installs Debian's chromium)");
  const out = path.join(tmp, "pdf");
  assert.equal(await main(["report", sample("madvfree-burst"), "--out", out, "--format", "html,pdf"]), 0);
  const pdf = readFileSync(path.join(out, "report.pdf"));
  assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
  assert.ok(pdf.length > 20_000, `a PDF with content (${pdf.length} bytes)`);
  const text = execFileSync("pdftotext", ["-layout", path.join(out, "report.pdf"), "-"], {
    encoding: "utf8",
  });
  assert.match(text, /madvfree-burst/);
  assert.match(text, /Memory over time/, "the chart's title is printed");
  const html = readFileSync(path.join(out, "report.html"), "utf8");
  assert.match(html, /<svg[^>]*class="marks"/, "the chart is inline SVG");
});
