import { test } from "node:test";
import assert from "node:assert/strict";
import {
  buildCharts,
  downsampleMinMax,
  gcRate,
  growthSitesChart,
  ledgerParts,
  MAX_POINTS_PER_CHART,
  memoryChart,
  onePerInstant,
} from "../../src/report/charts.js";
import { hasExternalReference, renderChartSvg, chartWarnings } from "../../src/render/chart-svg.js";
import type { Analysis, Finding } from "../../src/model/analysis.js";
import type { RssTrack, Timeline } from "../../src/model/timeline.js";
import { sampleModels } from "../render/models.js";
import { buildRssTrack } from "../../src/timeline/rss-tracks.js";

test("min/max downsampling keeps a one-sample spike and stays within the budget", () => {
  const pts = Array.from({ length: 100_000 }, (_, i) => ({ t: i * 1000, v: i === 54_321 ? 1e12 : i % 7 }));
  const out = downsampleMinMax(pts, 2000);
  assert.ok(out.length <= 2000, `kept ${out.length}`);
  assert.ok(
    out.some((p) => p.v === 1e12),
    "the spike survives",
  );
  for (let i = 1; i < out.length; i++) assert.ok(out[i]!.t >= out[i - 1]!.t, "time order kept");
});

test("onePerInstant keeps the first point of each instant", () => {
  assert.deepEqual(
    onePerInstant([
      { t: 1, v: "a" },
      { t: 1, v: "b" },
      { t: 2, v: "c" },
    ]).map((p) => p.v),
    ["a", "c"],
  );
});

test("every chart of a long series draws at most about 2,000 rows", async () => {
  const m = await sampleModels("madvfree-burst");
  // stretch the real ledger 100-fold (shifted copies) to a long series
  const base = m.analysis.ledger;
  const span = (m.timeline.end ?? 0) - (m.timeline.start ?? 0) + 1000;
  const ledger = Array.from({ length: 100 }, (_, k) => base.map((p) => ({ ...p, t: p.t + k * span }))).flat();
  const base1 = m.timeline.rss;
  const copies = <T>(col: T[], f: (x: T, k: number) => T): T[] =>
    Array.from({ length: 100 }, (_, k) => col.map((x) => f(x, k))).flat();
  const rss: RssTrack = {
    ...base1,
    t: copies(base1.t, (t, k) => t + k * span),
    rssBytes: copies(base1.rssBytes, (v) => v),
    lazyFreeBytes: null,
    anonBytes: null,
    lifetime: copies(base1.lifetime, () => 0),
    source: copies(base1.source, (v) => v),
    line: copies(base1.line, (v) => v),
  };
  const timeline: Timeline = {
    ...m.timeline,
    end: (m.timeline.end ?? 0) + 99 * span,
    rss,
  };
  const analysis: Analysis = { ...m.analysis, ledger };
  const charts = buildCharts(timeline, analysis, []);
  assert.ok(charts.length >= 3);
  for (const c of charts) assert.ok(c.points <= MAX_POINTS_PER_CHART + 50, `${c.id}: ${c.points} rows`);
  assert.ok(ledger.length + rss.t.length > 10 * MAX_POINTS_PER_CHART, "the input really was long");
});

test("charts appear only when their data exists", async () => {
  const m = await sampleModels("madvfree-burst");
  const ids = buildCharts(m.timeline, m.analysis, []).map((c) => c.id);
  assert.ok(ids.includes("memory") && ids.includes("ledger") && ids.includes("gap") && ids.includes("gc"));
  assert.ok(!ids.includes("growth-sites"), "no finding has growth sites");
  const empty: Timeline = {
    ...m.timeline,
    rss: buildRssTrack([], null),
    aligned: [],
    lazyFree: buildRssTrack([], null),
    goroutines: [],
    gc: [],
  };
  assert.deepEqual(buildCharts(empty, { ...m.analysis, ledger: [], phases: [] }, []), []);
});

test("the ledger parts add up to the Go resident estimate plus the positive gap", async () => {
  const m = await sampleModels("madvfree-burst");
  for (const p of m.analysis.ledger) {
    const sum = ledgerParts(p).reduce((n, x) => n + x.bytes, 0);
    const want = Math.max(p.goResident, p.heapInuse + Math.max(0, p.retainedIdle)) + Math.max(0, p.gap ?? 0);
    assert.ok(Math.abs(sum - want) <= 1, `${p.t}: ${sum} vs ${want}`);
  }
});

test("GC rate from NumGC deltas is non-negative and per minute", async () => {
  const m = await sampleModels("madvfree-burst");
  const rate = gcRate(m.timeline);
  assert.ok(rate.length > 0);
  assert.ok(rate.every((r) => r.perMin >= 0 && Number.isFinite(r.perMin)));
});

test("the memory chart marks restarts and incident events", async () => {
  const m = await sampleModels("restart-leak");
  const c = memoryChart(m.timeline, m.analysis, [
    { at: m.timeline.start! + 5000, label: "deploy", src: { path: "incident.yaml", line: 3 } },
  ]);
  assert.ok(c);
  const text = JSON.stringify(c.spec);
  assert.equal((text.match(/"kind":"restart"/g) ?? []).length, 2 * m.timeline.restarts.length);
  assert.ok(text.includes('"label":"deploy"'));
  assert.match(c.description, /3 restarts marked/);
});

test("growth-site labels from captures are escaped in the SVG, which has no external reference and is deterministic", async () => {
  const m = await sampleModels("madvfree-burst");
  const evil: Finding = {
    id: "heap-leak",
    status: "fired",
    severity: "critical",
    title: "t",
    summary: "s",
    confidence: 1,
    explainsBytes: 1,
    evidence: [],
    recommendation: { summary: "", steps: [], links: [] },
    growthSites: [
      {
        func: 'main.<script>alert("x")</script>&co',
        location: "a.go:1",
        path: "p",
        inuseBytes: 2 << 20,
        inuseObjects: 1,
        firstBytes: 0,
        lastBytes: 2 << 20,
        growthBytes: 2 << 20,
      },
      {
        func: "main.(*cache).remember",
        location: "c.go:9",
        path: "p",
        inuseBytes: 1 << 20,
        inuseObjects: 1,
        firstBytes: 0,
        lastBytes: 1 << 20,
        growthBytes: 1 << 20,
      },
    ],
  };
  const c = growthSitesChart({ ...m.analysis, findings: [evil] });
  assert.ok(c);
  const before = chartWarnings.length;
  const svg = await renderChartSvg(c.spec, { title: c.title, description: c.description });
  assert.ok(!svg.includes("<script"), "no raw script tag");
  assert.ok(svg.includes("&lt;script&gt;"), "the name is shown, escaped");
  assert.ok(svg.includes('role="img"') && svg.includes("<title>Top growth sites</title>"));
  assert.equal(hasExternalReference(svg), false);
  assert.equal(await renderChartSvg(c.spec, { title: c.title, description: c.description }), svg);
  assert.equal(chartWarnings.length, before, chartWarnings.slice(before).join("\n"));
});

test("hasExternalReference sees href, src and url() but not namespace declarations", () => {
  assert.equal(hasExternalReference('<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>'), false);
  assert.equal(hasExternalReference('<svg><image href="http://x/y.png"/></svg>'), true);
  assert.equal(hasExternalReference('<svg><use xlink:href="https://x/#a"/></svg>'), true);
  assert.equal(hasExternalReference('<svg><rect style="fill:url(http://x/p)"/></svg>'), true);
  assert.equal(hasExternalReference('<svg><rect fill="url(#grad)"/></svg>'), false);
});

test("every sample chart renders without a vega warning", async () => {
  for (const name of ["madvfree-burst", "restart-leak"]) {
    const m = await sampleModels(name);
    const before = chartWarnings.length;
    for (const c of m.view.charts) {
      const svg = await renderChartSvg(c.spec, { title: c.title, description: c.description });
      assert.ok(svg.startsWith("<svg"), c.id);
    }
    assert.deepEqual(chartWarnings.slice(before), [], name);
  }
});
