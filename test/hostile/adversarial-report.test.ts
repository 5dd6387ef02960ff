/**
 * End to end over the adversarial incident (test/hostile/adversarial-incident.ts): the real CLI, in
 * process, exits 0 and writes a full report; every path discovery sees is in the capture table (links
 * as ignored, with why); the input is byte-identical afterwards; capture text reaches the HTML only
 * as escaped text (no tag, handler, javascript: or external URL of its making) and the Markdown only
 * as inert text; nothing from outside the incident leaks in; and the PDF is printed without a single
 * request reaching a loopback listener that the hostile content points at.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { main } from "../../src/cli/main.js";
import type { ViewFinding } from "../../src/model/report.js";
import { buildIncidentModels } from "../../src/pipeline/run-incident.js";
import { renderHtml } from "../../src/render/html.js";
import { renderMarkdown } from "../../src/render/markdown.js";
import { findBrowser } from "../../src/render/pdf.js";
import { sample } from "../helpers/paths.js";
import {
  buildAdversarialIncident,
  nonDirectoryPaths,
  OUTSIDE_CANARY,
  snapshot,
  type AdversarialIncident,
} from "./adversarial-incident.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "memgap-hostile-"));
/** Requests the listener saw: must stay empty. */
const requests: string[] = [];
const listener = http.createServer((req, res) => {
  requests.push(`${req.method} ${req.url}`);
  res.end("no");
});
let incident: AdversarialIncident;
let before_: Map<string, string>;

before(async () => {
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  listener.setTimeout(2000);
  const port = (listener.address() as AddressInfo).port;
  // the listener does count a request (so that an empty count below means none was made)
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/probe`)).text(), "no");
  assert.deepEqual(requests.splice(0), ["GET /probe"]);
  incident = buildAdversarialIncident(tmp, port);
  before_ = snapshot(incident.dir);
});
after(async () => {
  listener.closeAllConnections();
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  rmSync(tmp, { recursive: true, force: true });
});

interface Tag {
  name: string;
  attrs: { name: string; value: string }[];
}

/** The start tags of an HTML document with their attributes (enough for a document we generate). */
function startTags(html: string): Tag[] {
  const tags: Tag[] = [];
  const TAG = /<([a-zA-Z][\w:-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*\/?>/g;
  const ATTR = /([^\s=>/]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+))?/g;
  for (const m of html.matchAll(TAG)) {
    const attrs = [...m[2]!.matchAll(ATTR)].map((a) => ({
      name: a[1]!.toLowerCase(),
      value: (a[2] ?? "").replace(/^["']|["']$/g, ""),
    }));
    tags.push({ name: m[1]!.toLowerCase(), attrs });
  }
  return tags;
}

/** URL-bearing attributes may only point inside the page (#id) or carry inline data. */
const URL_ATTRS = new Set([
  "href",
  "src",
  "xlink:href",
  "action",
  "formaction",
  "srcset",
  "poster",
  "background",
  "data",
]);
/** Elements that load or run something; a generated report has none. */
const ACTIVE_ELEMENTS = new Set([
  "script",
  "img",
  "iframe",
  "frame",
  "object",
  "embed",
  "link",
  "base",
  "form",
  "input",
  "audio",
  "video",
  "source",
  "image",
  "use",
  "foreignobject",
  "meta-refresh",
]);

function assertInertHtml(html: string): void {
  assert.doesNotMatch(html, /<script/i, "no <script anywhere");
  assert.doesNotMatch(html, /onerror\s*=/i, "no onerror= anywhere");
  assert.doesNotMatch(
    html,
    /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/,
    "no bidirectional control characters",
  );
  const tags = startTags(html);
  assert.ok(tags.length > 50, "the document was tokenised");
  for (const t of tags) {
    assert.ok(!ACTIVE_ELEMENTS.has(t.name), `no <${t.name}> element`);
    for (const a of t.attrs) {
      assert.ok(!a.name.startsWith("on"), `no event handler attribute ${a.name} on <${t.name}>`);
      // javascript: is live only where a URL is read (text attributes such as aria-label are inert)
      if (URL_ATTRS.has(a.name) || a.name === "style")
        assert.doesNotMatch(a.value, /javascript:/i, `no javascript: in ${t.name}@${a.name}`);
      if (URL_ATTRS.has(a.name))
        assert.match(a.value, /^(#|data:)/, `<${t.name} ${a.name}="${a.value}"> points inside the page`);
      if (a.name === "style" || a.name === "clip-path" || a.name === "fill" || a.name === "mask")
        for (const u of a.value.matchAll(/url\(\s*['"]?([^'")]*)/gi))
          assert.match(u[1]!, /^(#|data:)/, `url(${u[1]}) in ${t.name}@${a.name}`);
      if (t.name === "meta" && a.name === "http-equiv") assert.notEqual(a.value.toLowerCase(), "refresh");
    }
  }
  for (const css of html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)) {
    assert.doesNotMatch(css[1]!, /@import/i, "no @import in inline CSS");
    for (const u of css[1]!.matchAll(/url\(\s*['"]?([^'")]*)/gi))
      assert.match(u[1]!, /^(#|data:)/, `url(${u[1]}) in inline CSS`);
  }
}

/** Markdown that cannot render a link, an image, HTML or an autolink made from capture text. */
function assertInertMarkdown(md: string): void {
  assert.doesNotMatch(md, /[\u202a-\u202e\u2066-\u2069]/, "no bidirectional override characters");
  // Code spans render their content literally (CommonMark 6.1): check what lies outside them.
  md = md.replace(/(?<!`)(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g, "`code`");
  assert.doesNotMatch(md, /(?<!\\)!\[/, "no live image syntax ![");
  assert.doesNotMatch(md, /(?<!\\)\]\(/, "no live link syntax ](");
  assert.doesNotMatch(md, /(?<!\\)<[a-zA-Z/!]/, "no live HTML tag or autolink <...");
  assert.doesNotMatch(md, /(?:https?|ftp):\/\/|javascript:\/\//i, "no bare URL a renderer would autolink");
  assert.doesNotMatch(md, /\bwww\.\w/i, "no www. autolink");
}

test("report over the adversarial incident: exit 0, every path listed with its status, input untouched, inert HTML and Markdown", async () => {
  const out = path.join(tmp, "out-html-json-md");
  const code = await main(["report", incident.dir, "--out", out, "--format", "html,json,md"]);
  assert.equal(code, 0);

  const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
  const files: { path: string; status: string; message: string | null; format: string | null }[] =
    report.captures.files;
  const expected = nonDirectoryPaths(before_);
  assert.deepEqual(
    files.map((f) => f.path).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    expected,
    "captures.files lists every non-directory entry",
  );
  const byPath = new Map(files.map((f) => [f.path, f]));
  for (const f of files) assert.match(f.status, /^(parsed|ignored|malformed)$/, f.path);
  for (const [p, kind] of before_) {
    if (!kind.startsWith("link")) continue;
    const f = byPath.get(p)!;
    assert.equal(f.status, "ignored", `link ${p} is ignored`);
    assert.match(f.message ?? "", /symbolic link/, `link ${p} says why`);
  }
  for (const loop of ["loop-a", "loop-b", "self-loop"]) assert.match(byPath.get(loop)!.message!, /loop/);
  for (const out of ["passwd", "outside-secret.txt", "outside-dir", "filesystem-root"])
    assert.match(byPath.get(out)!.message!, /outside the incident/);
  assert.match(byPath.get("capture.fifo")!.message!, /FIFO/);
  assert.match(byPath.get("heap-\ufffd\ufffd.txt")!.message!, /not valid UTF-8/);
  assert.equal(byPath.get("heap-20261124T052302Z.txt")!.status, "malformed", "an empty capture is malformed");
  assert.equal(byPath.get("empty.dat")!.status, "ignored");
  assert.equal(
    byPath.get("heap-20261124T052300Z.txt/heap.txt")!.status,
    "parsed",
    "a file inside a capture-named directory",
  );
  assert.equal(
    byPath.get("sites/heap-20261124T052236Z.txt")!.status,
    "parsed",
    "a duplicate timestamp is kept",
  );
  assert.equal(byPath.get("heap-20261124T052236Z.txt")!.status, "parsed");
  assert.match(byPath.get("javascript:alert(1).txt")!.status, /malformed/);
  assert.match(
    byPath.get("javascript:alert(1).txt")!.message!,
    /^javascript:alert\(1\)\.txt:1: /,
    "located message",
  );
  assert.ok(report.figures.peakRssBytes > 0, "the real captures were analysed");

  assert.deepEqual(
    snapshot(incident.dir),
    before_,
    "the input directory is byte-identical, listings and mtimes included",
  );

  const html = readFileSync(path.join(out, "report.html"), "utf8");
  const md = readFileSync(path.join(out, "report.md"), "utf8");
  const json = readFileSync(path.join(out, "report.json"), "utf8");
  // The hostile text did reach the report, escaped: otherwise the checks below would prove nothing.
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), "a hostile name is shown, escaped");
  assert.ok(
    html.includes("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;"),
    "a hostile name is shown, escaped",
  );
  assert.ok(
    md.includes("\\<script\\>alert(1)\\</script\\>"),
    "the hostile title is shown in Markdown, escaped",
  );
  assertInertHtml(html);
  assertInertMarkdown(md);
  for (const [name, text] of [
    ["html", html],
    ["md", md],
    ["json", json],
  ] as const) {
    assert.ok(!text.includes(OUTSIDE_CANARY), `${name}: nothing from behind a link out of the incident`);
    assert.ok(!/^root:x?:0:0:/m.test(text), `${name}: not /etc/passwd`);
    assert.ok(!text.includes(tmp), `${name}: no absolute path of the machine`);
    assert.ok(!text.includes("\u0000"), `${name}: no NUL byte`);
  }
  assert.deepEqual(requests, [], "no request reached the loopback listener");
});

test("report with a PDF over the adversarial incident: no request reaches a loopback listener the content points at", async () => {
  const browser = findBrowser();
  assert.ok(browser, "a Chromium is installed (.ci/run installs Debian's chromium)");
  const out = path.join(tmp, "out-pdf");
  const code = await main(["report", incident.dir, "--out", out, "--format", "html,pdf"]);
  assert.equal(code, 0);
  const pdf = readFileSync(path.join(out, "report.pdf"));
  assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
  // give a late request (a lazy image, a prefetch) time to arrive before counting
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(requests, [], "no request reached the loopback listener while rendering and printing");
  assert.deepEqual(
    snapshot(incident.dir),
    before_,
    "the input directory is byte-identical after the PDF run",
  );
});

test("the inertness checks catch what they look for (so that passing them means something)", () => {
  const page = (body: string): string =>
    `<html><head><style>p{}</style></head><body>${"<p>x</p>".repeat(60)}${body}</body></html>`;
  assert.doesNotThrow(() => assertInertHtml(page('<p>&lt;script&gt; javascript:x</p><a href="#top">t</a>')));
  for (const bad of [
    "<script>alert(1)</script>",
    "<img src=x>",
    '<p onclick="x()">p</p>',
    '<a href="javascript:alert(1)">a</a>',
    '<a href="http://127.0.0.1:9/">a</a>',
    '<svg><image href="http://127.0.0.1:9/x.png"/></svg>',
    '<p style="background:url(http://127.0.0.1:9/x)">p</p>',
    "<style>@import url(http://127.0.0.1:9/i.css);</style>",
    '<meta http-equiv="refresh" content="0;url=http://evil">',
  ])
    assert.throws(() => assertInertHtml(page(bad)), `caught: ${bad}`);
  assert.doesNotThrow(() => assertInertMarkdown("\\![x\\]\\(http:&#47;&#47;127.0.0.1/x.png\\) \\<b\\>"));
  for (const bad of [
    "![x](y.png)",
    "[click](http://evil)",
    "<b>b</b>",
    "see http://evil",
    "www.evil.example",
    "a\u202eb",
  ])
    assert.throws(() => assertInertMarkdown(bad), `caught: ${bad}`);
});

test("growth sites whose function names carry HTML and Markdown are escaped in every output", async () => {
  // heap-leak's text snapshots with every main.* function renamed to hostile text (the binary
  // profiles are left out, so the text records are the only source of site names)
  const dir = path.join(tmp, "hostile-sites");
  mkdirSync(dir);
  const port = (listener.address() as AddressInfo).port;
  const evil = `<script>alert(1)</script><img src=x onerror=alert(1)>![x](http://127.0.0.1:${port}/x.png)`;
  for (const n of readdirSync(sample("heap-leak"))) {
    if (n.endsWith(".pb.gz")) continue;
    const text = readFileSync(path.join(sample("heap-leak"), n), "utf8");
    writeFileSync(path.join(dir, n), text.replace(/\t(main\.[^+\t]+)\+0x/g, `\t$1${evil}+0x`));
  }
  const out = path.join(tmp, "out-hostile-sites");
  assert.equal(await main(["report", dir, "--out", out, "--format", "html,json,md"]), 0);
  const html = readFileSync(path.join(out, "report.html"), "utf8");
  const md = readFileSync(path.join(out, "report.md"), "utf8");
  assertInertHtml(html);
  assertInertMarkdown(md);
  const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
  const sites: { func: string }[] = report.findings.flatMap(
    (f: { growthSites?: { func: string }[] }) => f.growthSites ?? [],
  );
  const hostile = sites.filter((s) => s.func.includes("<script>"));
  // Once a rule reports growth sites, they are the renamed functions and the HTML shows them escaped.
  if (sites.length > 0) {
    assert.ok(hostile.length > 0, "the growth sites are the renamed functions");
    assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), "shown in the HTML, escaped");
  }
  assert.deepEqual(requests, [], "no request reached the loopback listener");
});

/** Hostile growth sites: every character class a template or a Markdown table could trip on. */
const HOSTILE_SITE_NAMES = [
  "main.<script>alert(1)</script>",
  "main.(*T).<img src=x onerror=alert(1)>",
  "main.![x](http://127.0.0.1:9/x.png)",
  "main.[click](http://evil.example/)",
  "main.a|b`c``d",
  "main.\u202egnp.exe",
  "main.{{constructor}}",
];

test("the growth-sites table escapes hostile function names in HTML and Markdown (rendered directly)", async () => {
  const { view } = await buildIncidentModels(incident.dir, "adversarial-incident", {
    zone: "UTC",
    zoneExplicit: false,
    goVersion: null,
    kernel: null,
    godebug: null,
    generatedAt: "2026-01-01T00:00:00.000Z",
    toolVersion: "test",
  });
  const base: ViewFinding = view.otherFindings[0] ?? {
    id: "heap-leak",
    title: "Heap leak",
    status: "fired",
    severity: "critical",
    summary: "s",
    confidenceText: "high",
    evidence: [],
    recommendationSummary: "",
    steps: [],
    links: [],
    missing: [],
    growthSites: [],
    summaryParts: [{ text: "s", code: false }],
    recommendationParts: [],
    stepParts: [],
    confidenceRaw: 0.9,
  };
  const growthSites = HOSTILE_SITE_NAMES.map((func, i) => ({
    func,
    location: `${func.slice(5)}/main.go:${i + 1}`,
    path: `${func} < main.main`,
    growth: "+1.00 MiB",
    last: "2.00 MiB",
  }));
  const hostileView = { ...view, rootCause: { ...base, growthSites } };
  const html = await renderHtml(hostileView, []);
  const md = renderMarkdown(hostileView);
  assertInertHtml(html);
  assertInertMarkdown(md);
  assert.ok(html.includes('<table class="sites">'), "the growth-sites table is rendered");
  assert.ok(html.includes("main.&lt;script&gt;alert(1)&lt;/script&gt;"), "a hostile name is shown, escaped");
  assert.ok(
    html.includes("main.{{constructor}}"),
    "template syntax in data is shown literally, not evaluated",
  );
  const table = md.split("\n").filter((l) => l.startsWith("| ") && l.includes("main."));
  assert.equal(table.length, HOSTILE_SITE_NAMES.length, "one Markdown row per site");
  for (const row of table) {
    const cells = row.replace(/\\\|/g, "").split("|").length - 2;
    assert.equal(cells, 4, `a pipe in a name does not add a column: ${row}`);
  }
});
