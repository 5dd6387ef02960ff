#!/usr/bin/env node
// Entry point for `npx memgap`: runs the compiled CLI, bundled (npm ci builds it through the `prepare`
// script: tsc into dist/, then scripts/bundle.mjs into dist/bundle/).
import { main } from "../dist/bundle/memgap.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`memgap: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
