/**
 * The README documents every input format: each registered parser's id appears as a row of the
 * input-format table, so a format added to the registry without its documentation fails here.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { PARSERS } from "../../src/ingest/registry.js";
import { ROOT } from "../helpers/paths.js";

test("every registered input format has a row in the README's format table", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const rows = new Set([...readme.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]));
  const missing = PARSERS.map((p) => p.id).filter((id) => !rows.has(id));
  assert.deepEqual(missing, [], `formats without a README row: ${missing.join(", ")}`);
});
