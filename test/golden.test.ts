import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { goldenPath, goldenText, sampleNames } from "./helpers/golden.js";

// Each bundled sample's report.json must equal its reviewed golden; a difference means the analysis
// changed: review it, then run `npm run golden:update`.
for (const sample of sampleNames()) {
  test(`golden report.json: ${sample}`, async () => {
    assert.ok(existsSync(goldenPath(sample)), `no golden for ${sample}: run npm run golden:update`);
    const expected = readFileSync(goldenPath(sample), "utf8");
    const actual = await goldenText(sample);
    assert.equal(
      actual,
      expected,
      `${sample}: report.json differs from its golden (npm run golden:update after review)`,
    );
  });
}
