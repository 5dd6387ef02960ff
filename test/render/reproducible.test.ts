/**
 * Two runs of `memgap report` on the same input with SOURCE_DATE_EPOCH set give byte-identical HTML,
 * JSON and Markdown. Each run is its own process (through tsx, from the sources), so nothing shared
 * in memory (module state, vega's caches) can make them agree by accident.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, sample } from "../helpers/paths.js";

const CLI = `import { main } from ${JSON.stringify(path.join(ROOT, "src/cli/main.ts"))}; process.exitCode = await main(process.argv.slice(1));`;

function run(name: string, out: string, env: Record<string, string>): void {
  execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      CLI,
      "report",
      sample(name),
      "--out",
      out,
      "--format",
      "html,json,md",
    ],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: "pipe" },
  );
}

test("SOURCE_DATE_EPOCH makes two runs byte-identical (html, json, md)", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "memgap-repro-"));
  const a = path.join(root, "a");
  const b = path.join(root, "b");
  // the second run in another zone and locale: the output must not depend on the machine
  run("restart-leak", a, { SOURCE_DATE_EPOCH: "1800000000", TZ: "UTC", LANG: "C" });
  run("restart-leak", b, { SOURCE_DATE_EPOCH: "1800000000", TZ: "Asia/Kolkata", LANG: "de_DE.UTF-8" });
  for (const f of ["report.html", "report.json", "report.md"]) {
    const x = readFileSync(path.join(a, f));
    const y = readFileSync(path.join(b, f));
    assert.ok(x.length > 1000, `${f} written`);
    assert.ok(x.equals(y), `${f} differs between runs`);
  }
  assert.ok(
    readFileSync(path.join(a, "report.json"), "utf8").includes('"generatedAt": "2027-01-15T08:00:00.000Z"'),
  );
});
