// `memgap report` starts Chromium while the captures are read (report-command.ts): a browser that
// fails to start must still end as "no browser" (the other formats written, the install hint given),
// and a run that fails before printing must not leave a browser behind.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { runReportCommand } from "../../src/cli/report-command.js";
import { INSTALL_HINT } from "../../src/render/pdf.js";
import { sample } from "../helpers/paths.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "memgap-pdf-launch-"));
// This file's own temp directory for the profiles PdfPrinter makes (os.tmpdir() follows TMPDIR): other
// test files running beside this one start browsers of their own, whose profiles must not count here.
const profiles = path.join(tmp, "profiles");
mkdirSync(profiles);
const savedTmpdir = process.env.TMPDIR;
process.env.TMPDIR = profiles;
after(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(tmp, { recursive: true, force: true });
});

/** Chromium profile directories PdfPrinter creates (and must remove) in this file's temp directory. */
function profileDirs(): Set<string> {
  return new Set(readdirSync(profiles).filter((n) => n.startsWith("memgap-chromium-")));
}

test("a browser that does not start: HTML and JSON are written, the PDF is skipped with the install hint", async () => {
  const before = profileDirs();
  const out = path.join(tmp, "no-start");
  // /bin/false exists, so findBrowser takes it; it exits at once, so the launch fails
  const res = await runReportCommand(
    sample("madvfree-burst"),
    { out, formats: ["html", "pdf", "json"], paper: "a4" },
    { ...process.env, PUPPETEER_EXECUTABLE_PATH: "/bin/false" },
  );
  assert.deepEqual(res.written.map((w) => path.basename(w)).sort(), ["report.html", "report.json"]);
  assert.equal(existsSync(path.join(out, "report.pdf")), false);
  assert.ok(
    res.notes.some((n) => n.includes("/bin/false did not start") && n.includes(INSTALL_HINT)),
    `the note names the browser and gives the hint: ${JSON.stringify(res.notes)}`,
  );
  const left = [...profileDirs()].filter((d) => !before.has(d));
  assert.deepEqual(left, [], "the failed launch left no profile directory");
});

test("a run that fails after the early launch still closes the browser", async () => {
  const before = profileDirs();
  // the output directory cannot be created (its parent is a file): writing fails after the launch
  const blocker = path.join(tmp, "blocker");
  writeFileSync(blocker, "a file, not a directory\n");
  await assert.rejects(
    runReportCommand(
      sample("madvfree-burst"),
      { out: path.join(blocker, "out"), formats: ["json", "pdf"], paper: "a4" },
      process.env,
    ),
  );
  const left = [...profileDirs()].filter((d) => !before.has(d));
  assert.deepEqual(left, [], "the browser was closed and its profile removed");
});
