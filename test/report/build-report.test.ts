import { test } from "node:test";
import assert from "node:assert/strict";
import { plainText, textParts } from "../../src/report/build-report.js";
import { sampleModels } from "../render/models.js";

test("textParts splits backquoted code from text, and keeps an unmatched backquote as text", () => {
  assert.deepEqual(textParts("run `GODEBUG=madvdontneed=1` now"), [
    { text: "run ", code: false },
    { text: "GODEBUG=madvdontneed=1", code: true },
    { text: " now", code: false },
  ]);
  assert.deepEqual(textParts("a ` b"), [{ text: "a ` b", code: false }]);
  assert.equal(plainText(textParts("x `y` z")), "x y z");
});

test("the view of a one-lifetime incident: summary with numbers, impact, timeline from start to end", async () => {
  const { view, analysis, timeline } = await sampleModels("madvfree-burst");
  assert.ok(view.summary.length >= 3);
  for (const p of view.summary) assert.match(p, /\d/, `every summary sentence carries a number: ${p}`);
  const labels = view.impact.map((r) => r.label);
  for (const want of ["peak RSS", "restarts", "live heap at the end (HeapAlloc)"])
    assert.ok(labels.includes(want), want);
  assert.equal(view.impactRaw[0], analysis.figures.peakRssBytes, "raw figure beside the display string");
  const kinds = view.timelineEntries.map((e) => e.kind);
  assert.equal(kinds[0], "start");
  assert.equal(kinds[kinds.length - 1], "end");
  const times = view.timelineEntries.map((e) => e.at);
  assert.deepEqual(
    [...times].sort((a, b) => a - b),
    times,
    "sorted by time",
  );
  assert.equal(view.timelineEntries[0]!.at, timeline.start);
});

test("the capture ledger folds runs of alike files and keeps every file counted", async () => {
  const { view, captures } = await sampleModels("madvfree-burst");
  const total = view.captureGroups.reduce((n, g) => n + Number(g.count.replace(/,/g, "")), 0);
  assert.equal(total, captures.files.length);
  assert.ok(view.captureGroups.length < captures.files.length / 10, `${view.captureGroups.length} rows`);
  const heap = view.captureGroups.find((g) => g.files.startsWith("heap-") && g.format === "heap-debug1");
  assert.ok(heap && Number(heap.count) >= 90, "the heap snapshots are one row");
});

test("a multi-lifetime incident lists each restart in the impact, the summary and the timeline", async () => {
  const { view, timeline } = await sampleModels("restart-leak");
  assert.equal(timeline.restarts.length, 3, "two restarts and the process gone at the end");
  assert.match(
    view.impact.find((r) => r.label === "restarts")!.value,
    /^3: 05:34:09, 05:34:50, 05:35:31 \(process gone, not seen again\)$/,
  );
  assert.ok(view.summary.some((s) => /restarted 2 times/.test(s)));
  assert.ok(view.summary.some((s) => /PID 24500\) was gone at 05:35:31/.test(s)));
  assert.ok(
    view.summary.some((s) => /consistent with a memory limit/.test(s)),
    "all three died at ~885 MiB",
  );
  assert.equal(view.timelineEntries.filter((e) => e.kind === "restart").length, 3);
  const malformed = view.captureGroups.filter((g) => g.statusKind === "malformed");
  assert.ok(
    malformed.length >= 1 && malformed.every((g) => g.count === "1"),
    "malformed files keep a row each",
  );
});

test("sections present are listed in the contents, in order", async () => {
  const { view } = await sampleModels("madvfree-burst");
  const anchors = view.contents.map((c) => c.anchor);
  assert.deepEqual(anchors.slice(0, 2), ["summary", "impact"]);
  assert.ok(anchors.indexOf("charts") > anchors.indexOf("actions"));
  assert.equal(anchors[anchors.length - 1], "appendix");
});
