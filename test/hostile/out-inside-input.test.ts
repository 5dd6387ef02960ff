/**
 * memgap never writes into its input: `--out` inside the incident directory is refused however it is
 * spelt (relative, `..` detours, trailing slash, through a symbolic link, not existing yet), and a
 * sibling that merely shares a name prefix is allowed (src/cli/options.ts assertOutsideInput).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { main } from "../../src/cli/main.js";
import { assertOutsideInput, UsageError } from "../../src/cli/options.js";
import { snapshot } from "./adversarial-incident.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "memgap-outside-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const input = path.join(tmp, "incident");
mkdirSync(path.join(input, "sub"), { recursive: true });
writeFileSync(path.join(input, "rss.log"), "2026-11-24T05:22:36Z VmRSS:\t 10100 kB\n");
symlinkSync(input, path.join(tmp, "link-to-incident"));
symlinkSync(path.join(input, "sub"), path.join(tmp, "link-to-sub"));

const refused = (out: string, inp = input): void =>
  assert.throws(() => assertOutsideInput(out, inp), UsageError, `refused: --out ${out} for ${inp}`);

test("--out equal to or inside the input is refused, however it is spelt", () => {
  refused(input);
  refused(`${input}/`);
  refused(path.join(input, "out"));
  refused(path.join(input, "sub", "deeper", "not-yet"));
  refused(path.join(input, "..", "incident", "out"));
  refused(path.join(input, "sub", "..", "..", "incident"));
  const cwd = process.cwd();
  try {
    process.chdir(input);
    refused("out");
    refused(".");
    refused("./sub/../out");
  } finally {
    process.chdir(cwd);
  }
});

test("--out through a symbolic link into the input is refused, and so is an input given through a link", () => {
  refused(path.join(tmp, "link-to-incident", "out"));
  refused(path.join(tmp, "link-to-sub", "new", "dir"));
  refused(path.join(input, "out"), path.join(tmp, "link-to-incident"));
  // a link whose parent does not exist yet beneath it: resolved through the nearest existing ancestor
  refused(path.join(tmp, "link-to-incident", "a", "b", "c"));
});

test("outside directories are allowed, including a sibling sharing the input's name as a prefix", () => {
  assert.doesNotThrow(() => assertOutsideInput(path.join(tmp, "incident-out"), input));
  assert.doesNotThrow(() => assertOutsideInput(path.join(tmp, "incident2", "x"), input));
  assert.doesNotThrow(() => assertOutsideInput(tmp, input), "the parent (reports land beside, not inside)");
});

test("the CLI refuses --out through a link into the input with exit 2 and writes nothing there", async () => {
  const before = snapshot(input);
  const code = await main([
    "report",
    input,
    "--out",
    path.join(tmp, "link-to-incident", "report"),
    "--format",
    "json,md",
  ]);
  assert.equal(code, 2);
  assert.equal(existsSync(path.join(input, "report")), false);
  assert.deepEqual(snapshot(input), before, "the input is unchanged");
});
