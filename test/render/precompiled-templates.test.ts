/**
 * The build precompiles the templates (dist/templates.js, scripts/bundle.mjs) and the shipped CLI
 * renders with those; the tests run the sources, which compile templates/ at the first render. The
 * two must write the same page: this renders real views, a hostile one and a batch index both ways.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { buildIndexView, buildSummary } from "../../src/batch/summary.js";
import {
  compiledTemplates,
  precompiledTemplates,
  precompiledTemplatesModule,
} from "../../src/render/html.js";
import { renderCharts } from "../../src/render/write-report.js";
import { HOSTILE_TEXT, sampleModels } from "./models.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "memgap-precompiled-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

async function bothWays() {
  const file = path.join(tmp, "templates.mjs");
  writeFileSync(file, await precompiledTemplatesModule());
  const pre = await precompiledTemplates(pathToFileURL(file));
  assert.ok(pre, "the written module loads as precompiled templates");
  return { pre, compiled: await compiledTemplates() };
}

test("precompiled and compiled templates write the same report page", async () => {
  const { pre, compiled } = await bothWays();
  for (const name of ["madvfree-burst", "heap-leak"]) {
    const m = await sampleModels(name);
    const data = { ...m.view, charts: await renderCharts(m.view), css: "p{}", pageSize: "A4" };
    const page = compiled.report(data);
    assert.ok(page.length > 10_000 && page.includes(m.view.title), `${name}: a whole page`);
    assert.equal(pre.report(data), page, name);
  }
  // escaping is the templates' business: hostile text comes out the same, escaped, both ways
  const m = await sampleModels("healthy-steady");
  const hostile = { ...m.view, title: HOSTILE_TEXT, charts: [], css: "", pageSize: "letter" };
  assert.equal(pre.report(hostile), compiled.report(hostile));
  assert.ok(!pre.report(hostile).includes(HOSTILE_TEXT), "the hostile title is escaped");
});

test("precompiled templates are strict too: a field the view lacks is an error both ways", async () => {
  const { pre, compiled } = await bothWays();
  const m = await sampleModels("healthy-steady");
  const { title: _dropped, ...lacking } = { ...m.view, charts: [], css: "", pageSize: "A4" };
  assert.throws(() => compiled.report(lacking), /title/);
  assert.throws(() => pre.report(lacking), /title/);
});

test("precompiled and compiled templates write the same batch index", async () => {
  const { pre, compiled } = await bothWays();
  const summary = buildSummary(
    [
      {
        id: "a<b",
        dir: "/in/a<b",
        status: "ok",
        verdict: "heap-leak",
        secondary: [],
        headline: "heap grows",
        figures: { peakRssBytes: 3 * 1024 ** 3 },
        error: null,
        skipReason: null,
        outputs: ["a<b/report.html", "a<b/report.pdf"],
        failOn: [],
      },
      {
        id: "broken",
        dir: "/in/broken",
        status: "failed",
        verdict: null,
        secondary: [],
        headline: null,
        figures: null,
        error: "not a directory",
        skipReason: null,
        outputs: [],
        failOn: [],
      },
    ],
    { generatedAt: "2026-01-01T00:00:00.000Z", toolVersion: "0.1.0", shard: null },
  );
  const view = buildIndexView(summary);
  assert.equal(pre.index(view), compiled.index(view));
  assert.ok(compiled.index(view).includes("a&lt;b"), "ids are escaped");
});
