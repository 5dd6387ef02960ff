// Runs every test/**/*.test.ts with node's built-in test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [substring ...]  -- only files whose path contains a substring.
import { spawnSync } from "node:child_process";
import fg from "fast-glob";

const filters = process.argv.slice(2);
const files = (await fg("test/**/*.test.ts", { dot: false }))
  .sort()
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
const res = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...files], {
  stdio: "inherit",
  env: { ...process.env, TZ: "UTC", LC_ALL: "C", LANG: "C" },
});
process.exit(res.status ?? 1);
