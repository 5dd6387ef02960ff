import { test } from "node:test";
import assert from "node:assert/strict";
import { renderHtml } from "../../src/render/html.js";
import { renderCharts } from "../../src/render/write-report.js";
import { buildIncidentModels } from "../../src/pipeline/run-incident.js";
import { FIXED_OPTIONS, HOSTILE_TEXT, sampleModels, sampleWithYaml } from "./models.js";

/** The checks that make a report self-contained: nothing it could fetch, nothing it could run. */
export function assertSelfContained(html: string): void {
  assert.ok(!/<script\b/i.test(html), "no <script>");
  assert.ok(!/<link\b/i.test(html), "no <link>");
  assert.ok(!/<(iframe|object|embed|base)\b/i.test(html), "no frame, object, embed or base");
  // attributes are searched in tags only: text content is escaped and cannot fetch or run anything
  for (const tag of html.match(/<[^>]*>/g) ?? []) {
    for (const a of tag.matchAll(/\s([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g)) {
      const name = a[1]!.toLowerCase();
      const value = (a[2] ?? a[3] ?? a[4] ?? "").trim();
      if (["src", "href", "xlink:href", "action", "poster", "srcset", "data"].includes(name))
        assert.ok(
          !/^(https?:)?\/\//i.test(value) && (value.startsWith("#") || value === ""),
          `${name}="${value}"`,
        );
      assert.ok(!name.startsWith("on"), `no event handler attribute: ${name}`);
      if (name === "style") assert.ok(!/url\(/i.test(value), `no url() in a style attribute`);
    }
  }
  const css = (html.match(/<style>([\s\S]*?)<\/style>/) ?? ["", ""])[1]!;
  assert.ok(!/url\(|@import/i.test(css), "the CSS fetches nothing");
  const csp = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/);
  assert.ok(csp, "a CSP meta tag");
  assert.match(csp[1]!, /default-src 'none'/);
}

test("the HTML report is self-contained, has table headers and its sections in postmortem order", async () => {
  const m = await sampleModels("madvfree-burst");
  const html = await renderHtml(m.view, await renderCharts(m.view));
  assertSelfContained(html);
  const order = [
    "summary",
    "impact",
    "timeline",
    "root-cause",
    "actions",
    "charts",
    "data-quality",
    "appendix",
  ];
  const at = order.map((id) => html.indexOf(`<section id="${id}"`));
  at.forEach((p, i) => assert.ok(p > 0, `section ${order[i]} present`));
  for (let i = 1; i < at.length; i++) assert.ok(at[i]! > at[i - 1]!, `${order[i]} after ${order[i - 1]}`);
  assert.equal(
    (html.match(/<table/g) ?? []).length,
    (html.match(/<thead>/g) ?? []).length,
    "every table has a header",
  );
  assert.ok((html.match(/<svg/g) ?? []).length >= 3, "charts inlined");
  assert.ok(html.includes(`<title>${m.view.title}: ${m.view.verdictLabel}</title>`));
});

test("the @page size follows --paper", async () => {
  const m = await sampleModels("madvfree-burst");
  assert.match(await renderHtml(m.view, [], "a4"), /@page \{ size: A4; \}/);
  assert.match(await renderHtml(m.view, [], "letter"), /@page \{ size: letter; \}/);
});

test("text from captures and incident.yaml is escaped, never markup", async () => {
  const dir = sampleWithYaml(
    "restart-leak",
    [
      `title: "${HOSTILE_TEXT.replace(/"/g, '\\"')}"`,
      "rss_threshold: 512MiB",
      "events:",
      "  - at: 2026-11-24T05:34:00Z",
      `    label: "<img src=http://127.0.0.1:9/x onerror=alert(1)> [x](http://evil)"`,
      "notes: |",
      "  <script>alert(1)</script>",
      "",
    ].join("\n"),
  );
  const m = await buildIncidentModels(dir, "restart-leak", FIXED_OPTIONS);
  const html = await renderHtml(m.view, await renderCharts(m.view));
  assertSelfContained(html);
  assert.ok(
    html.includes("&lt;img src&#x3D;http://127.0.0.1:9/x onerror&#x3D;alert(1)&gt;") ||
      html.includes("&lt;img"),
    "the label is shown escaped",
  );
  assert.ok(!html.includes("<img"), "no live <img>");
  assert.ok(
    m.view.timelineEntries.some((e) => e.kind === "event"),
    "the incident.yaml event is on the timeline",
  );
  assert.ok(
    m.view.impact.some((r) => r.label.startsWith("time with RSS above 512 MiB")),
    "time above the threshold is in the impact",
  );
});
