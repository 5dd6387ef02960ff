#!/usr/bin/env node
// Entry point for `npx memgap`: runs the compiled CLI (npm ci builds it through the `prepare` script).
import { main } from "../dist/cli/main.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`memgap: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
