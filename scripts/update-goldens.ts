// Rewrites test/golden/<sample>.report.json for every bundled sample. The only writer of goldens:
// run it deliberately (`npm run golden:update`) and review the diff before committing.
import { mkdirSync, writeFileSync } from "node:fs";
import { goldenPath, goldenText, sampleNames } from "../test/helpers/golden.js";
import { GOLDEN } from "../test/helpers/paths.js";

mkdirSync(GOLDEN, { recursive: true });
for (const sample of sampleNames()) {
  writeFileSync(goldenPath(sample), await goldenText(sample));
  console.log(`wrote ${goldenPath(sample)}`);
}
