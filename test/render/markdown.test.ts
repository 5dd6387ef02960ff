import { test } from "node:test";
import assert from "node:assert/strict";
import { codeSpan, escapeMarkdown, renderMarkdown, richMarkdown } from "../../src/render/markdown.js";
import { textParts } from "../../src/report/build-report.js";
import type { ReportView } from "../../src/model/report.js";
import { HOSTILE_TEXT, sampleModels } from "./models.js";

/** What would turn into a link, an image or raw HTML in CommonMark + GFM. */
function assertInert(md: string): void {
  assert.ok(!/(^|[^\\])!?\[[^\]]*(?<!\\)\]\(/.test(md), `an inline link or image survives: ${md}`);
  assert.ok(!/(^|[^\\])<[a-z/!?]/i.test(md), `raw HTML or an autolink survives: ${md}`);
  assert.ok(!/https?:\/\//i.test(md), `a bare URL (GFM autolink) survives: ${md}`);
  assert.ok(!/\bwww\./i.test(md), `a www. autolink survives: ${md}`);
  assert.ok(!/[a-z0-9]@[a-z0-9]/i.test(md), `an e-mail autolink survives: ${md}`);
}

test("escapeMarkdown makes links, images, HTML and autolinks inert", () => {
  for (const s of [
    "[x](http://evil)",
    "![i](http://e/x.png)",
    "<img src=x onerror=alert(1)>",
    "<http://auto.example/>",
    "see https://evil.example/path and www.evil.example",
    "write to someone@evil.example",
    "[ref]: http://evil",
    HOSTILE_TEXT,
  ]) {
    assertInert(escapeMarkdown(s));
  }
  assert.equal(escapeMarkdown("a | b"), "a \\| b", "a pipe cannot split a table cell");
  assert.equal(escapeMarkdown("line1\nline2"), "line1 line2");
  assert.equal(escapeMarkdown("# not a heading"), "\\# not a heading");
  assert.equal(escapeMarkdown("- not a list"), "\\- not a list");
  assert.equal(escapeMarkdown("1. not a list"), "1\\. not a list");
  assert.equal(escapeMarkdown("-4.00 MiB"), "-4.00 MiB", "a negative number stays readable");
});

test("code spans hold any text verbatim and cannot be closed early", () => {
  assert.equal(codeSpan("GODEBUG=madvdontneed=1"), "`GODEBUG=madvdontneed=1`");
  assert.equal(codeSpan("a`b"), "``a`b``");
  assert.equal(codeSpan("`x`"), "`` `x` ``");
  assert.equal(codeSpan("a|b", true), "`a\\|b`");
  assert.equal(
    richMarkdown(textParts("set `GOGC=50` then [x](http://e)")),
    "set `GOGC=50` then \\[x\\](http:&#47;&#47;e)",
  );
});

test("the Markdown excerpt carries headline, summary, timeline, root cause and actions, all escaped", async () => {
  const m = await sampleModels("restart-leak");
  const md = renderMarkdown(m.view);
  for (const h of ["## Summary", "## Impact", "## Timeline (UTC)", "## Root cause", "## Action items"])
    assert.ok(md.includes(h), h);
  assert.ok(md.includes(escapeMarkdown(m.view.headline)) || md.includes(richMarkdown(m.view.headlineParts)));
  assert.ok(md.includes("05:34:09"), "the first restart is on the timeline");

  const hostile = textParts(HOSTILE_TEXT);
  const view: ReportView = {
    ...m.view,
    title: HOSTILE_TEXT,
    headlineParts: hostile,
    summaryParts: [hostile],
    timelineEntries: [{ at: 0, time: "00:00:00", kind: "event", whatParts: hostile, evidence: HOSTILE_TEXT }],
    actionItems: [{ parts: hostile, from: "x" }],
    impact: [{ label: HOSTILE_TEXT, value: HOSTILE_TEXT }],
    captureSummary: HOSTILE_TEXT,
  };
  const out = renderMarkdown(view);
  // outside code spans nothing is live; inside them Markdown interprets nothing
  assertInert(out.replace(/(`+)[^`]*?\1/g, ""));
  assert.ok(out.includes("`tick`"), "the code part is a code span");
});
