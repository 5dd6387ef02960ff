// `npm run build`, second step: the compiled CLI (dist/) bundled into dist/bundle/ by esbuild, which
// bin/memgap.js runs. Loading ~80 small ES modules cost ~20 ms of every run (resolution, one module
// job each); the bundle is one file per entry plus shared chunks for what is loaded on demand (the
// pipeline, batch, the renderers). Packages stay external: each heavy dependency is still loaded, on
// first use, from node_modules by the one file that imports it. Paths taken from import.meta.url
// (templates/, package.json, the batch worker) resolve the same from dist/bundle/ as from dist/<dir>/.
// Also writes dist/templates.js: the report templates precompiled (see src/render/html.ts).
import { build } from "esbuild";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const OUT = path.join(ROOT, "dist", "bundle");
rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: {
    memgap: path.join(ROOT, "dist", "cli", "main.js"),
    // started by src/batch/worker-pool.ts as ./incident-worker.js beside itself
    "incident-worker": path.join(ROOT, "dist", "batch", "incident-worker.js"),
  },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});

const { precompiledTemplatesModule } = await import(
  pathToFileURL(path.join(ROOT, "dist", "render", "html.js")).href
);
writeFileSync(path.join(ROOT, "dist", "templates.js"), await precompiledTemplatesModule());
