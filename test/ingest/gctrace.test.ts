import assert from "node:assert/strict";
import { test } from "node:test";
import { gctrace } from "../../src/ingest/parsers/gctrace.js";
import type { ParseOutcome } from "../../src/ingest/parser.js";
import type { CaptureData } from "../../src/ingest/parser.js";
import { fileFromDisk, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture } from "../helpers/paths.js";

const OPTIONS = { ...UTC_OPTIONS, referenceYear: 2024 };

async function parse(...parts: string[]): Promise<ParseOutcome> {
  const file = await fileFromDisk(fixture(...parts));
  assert.equal(gctrace.sniff(file), true, `sniff claims ${parts.join("/")}`);
  return gctrace.parse(file, OPTIONS);
}

function parsed(
  o: ParseOutcome,
): CaptureData & { records: number; partial?: { line: number; message: string } } {
  assert.equal(o.kind, "parsed", JSON.stringify(o).slice(0, 300));
  if (o.kind !== "parsed") throw new Error("unreachable");
  return { ...o.data, records: o.records, partial: o.partial };
}

test("ts ISO-prefixed 1.19 trace (dontneed-burst): gc and scav lines timed by the prefix", async () => {
  const d = parsed(await parse("gctrace", "dontneed-burst-gctrace.EXCERPT.log"));
  const gc = d.gc!;
  const scav = d.scav!;
  assert.equal(gc.length, 6);
  assert.equal(scav.length, 5);
  assert.equal(d.records, 11);
  const g1 = gc[0]!;
  assert.equal(g1.gcNum, 1);
  assert.equal(g1.t, Date.parse("2026-11-24T05:24:23.134Z"));
  assert.equal(g1.prov, "record");
  assert.equal(g1.offsetSec, 0.723);
  assert.equal(g1.heapStartBytes, 3 * 1024 * 1024);
  assert.equal(g1.heapLiveBytes, 2 * 1024 * 1024);
  assert.equal(g1.goalBytes, 4 * 1024 * 1024);
  assert.equal(g1.stacksBytes, 0);
  assert.equal(g1.procs, 2);
  assert.equal(g1.pauseMs, 0.062);
  // the scav line printed before gc 1 has no preceding gc line; the next one follows gc 1
  assert.equal(scav[0]!.afterGcNum, undefined);
  assert.equal(scav[1]!.afterGcNum, 1);
  assert.equal(scav[0]!.totalReleasedBytes, 3352 * 1024);
  assert.equal(scav.find((s) => s.releasedBytes > 0)!.releasedBytes, 488 * 1024);
  const kinds = d.hints!.map((h) => `${h.kind}=${h.value}`);
  assert.ok(kinds.includes("go-version-min=1.18"), kinds.join());
  assert.ok(kinds.includes("go-version-min=1.19"), kinds.join());
  assert.ok(kinds.includes("go-version-max=1.20"), kinds.join());
});

test("raw trace (cyclic-madvfree): t null, offsets kept, scav lines keep the preceding gc", async () => {
  const d = parsed(await parse("gctrace", "cyclic-madvfree-gctrace-raw.EXCERPT.log"));
  assert.equal(d.gc!.length, 4);
  assert.ok(d.gc!.every((e) => e.t === null && e.prov === null));
  assert.deepEqual(
    d.gc!.map((e) => e.offsetSec),
    [0.743, 1.123, 1.403, 1.753],
  );
  const scav = d.scav!;
  assert.equal(scav.length, 4);
  assert.ok(scav.every((s) => s.t === null));
  assert.deepEqual(
    scav.map((s) => [s.afterGcNum, s.afterGcOffsetSec]),
    [
      [1, 0.743],
      [2, 1.123],
      [3, 1.403],
      [3, 1.403],
    ],
  );
});

test("1.19 (forced) and stacks/globals (issue 52515)", async () => {
  const d = parsed(await parse("format-examples", "gctrace", "go1.19-issue52515-stacks-globals-forced.txt"));
  assert.deepEqual(
    d.gc!.map((e) => e.forced),
    [true, false],
  );
  assert.equal(d.gc![0]!.heapStartBytes, 1526 * 1024 * 1024);
  assert.equal(d.gc![0]!.procs, 8);
});

test("66 MB stacks (issue 54649) and 64 P (1.25)", async () => {
  const a = parsed(await parse("format-examples", "gctrace", "go1.19-issue54649-66MB-stacks.txt"));
  assert.equal(a.gc![0]!.stacksBytes, 66 * 1024 * 1024);
  const b = parsed(await parse("format-examples", "gctrace", "go1.25-greentea-issue73581-64P.txt"));
  assert.ok(b.gc!.length >= 10);
  assert.ok(b.gc!.every((e) => e.procs === 64));
});

test("pre-1.18 form: no stacks, hint Go <= 1.17, restart seen as GC number falling", async () => {
  const d = parsed(await parse("format-examples", "gctrace", "go1.7-era-issue18896-40P.txt"));
  assert.equal(d.gc!.length, 13);
  assert.equal(d.gc![12]!.gcNum, 1);
  assert.equal(d.gc![0]!.stacksBytes, undefined);
  assert.ok(d.hints!.some((h) => h.kind === "go-version-max" && h.value === "1.17"));
  assert.ok(!d.hints!.some((h) => h.kind === "go-version-min" && h.value === "1.18"));
});

test("zero times on Windows (issue 22439) parse", async () => {
  const d = parsed(await parse("format-examples", "gctrace", "go1.9-windows-issue22439-zero-times.txt"));
  assert.equal(d.gc![0]!.gcNum, 280);
  assert.equal(d.gc![0]!.pauseMs, 0);
});

test("Go 1.5 five-phase form tolerated", async () => {
  const d = parsed(await parse("gctrace", "go1.5-five-phase.CONSTRUCTED.log"));
  assert.equal(d.gc!.length, 1);
  assert.equal(d.gc![0]!.pauseMs, 0.26);
  assert.ok(d.hints!.some((h) => h.kind === "go-version-max" && h.value === "1.5"));
});

test("1.21+ scav lines interleaved with app output: bg + eager work, (forced), hint >= 1.21", async () => {
  const d = parsed(await parse("format-examples", "scvg-scavtrace", "go1.21plus-scavtrace-interleaved.txt"));
  assert.equal(d.gc!.length, 0);
  assert.equal(d.scav!.length, 2);
  assert.equal(d.scav![1]!.releasedBytes, 186960 * 1024);
  assert.equal(d.scav![1]!.totalReleasedBytes, 208712 * 1024);
  assert.equal(d.scav![1]!.forced, true);
  assert.ok(d.hints!.some((h) => h.kind === "go-version-min" && h.value === "1.21"));
});

test("scvgN lines (<= 1.12): released joined to the summary, hint <= 1.12", async () => {
  const d = parsed(await parse("format-examples", "scvg-scavtrace", "go1.6-issue15212-scvg.txt"));
  // "scvg1: 0 MB released" joins the scvg1 summary line: two events, not three
  assert.equal(d.scav!.length, 2);
  assert.equal(d.scav![0]!.form, "scvg");
  assert.equal(d.scav![1]!.releasedBytes, 0);
  assert.equal(d.scav![1]!.src.line, 3);
  assert.ok(d.hints!.some((h) => h.kind === "go-version-max" && h.value === "1.12"));
});

test("scvg without a number is Go 1.13; scav with a generation is 1.15-1.18", async () => {
  const a = parsed(await parse("gctrace", "go1.13-scvg.CONSTRUCTED.log"));
  assert.equal(a.scav![0]!.releasedBytes, 12 * 1024 * 1024);
  assert.equal(a.scav![0]!.totalReleasedBytes, 40 * 1024 * 1024);
  assert.equal(a.scav![0]!.afterGcNum, 1);
  assert.ok(a.hints!.some((h) => h.kind === "go-version-max" && h.value === "1.13"));
  const b = parsed(await parse("gctrace", "go1.15-scav-generation.CONSTRUCTED.log"));
  assert.equal(b.scav!.length, 2);
  assert.equal(b.scav![1]!.forced, true);
  assert.equal(b.gc![1]!.forced, true);
  assert.ok(b.hints!.some((h) => h.kind === "go-version-min" && h.value === "1.15"));
  assert.ok(b.hints!.some((h) => h.kind === "go-version-max" && h.value === "1.18"));
});

test("every prefix form: ts default, %.S, %.s, date -Is, date, journald, docker, bracketed, CRI", async () => {
  const d = parsed(await parse("gctrace", "prefix-forms.CONSTRUCTED.log"));
  const gc = d.gc!;
  assert.equal(gc.length, 9);
  const base = Date.parse("2024-05-09T09:54:12Z");
  assert.deepEqual(
    gc.map((e) => (e.t! - base) / 1000),
    [0, 1.25, 2.5, 3, 4, 5, 6.123, 7.123, 8.5],
  );
  assert.ok(gc.every((e) => e.prov === "record"));
  assert.equal(gc[0]!.zoneAssumed, true);
  assert.equal(gc[3]!.zoneAssumed, undefined);
  assert.equal(gc[7]!.forced, true);
});

test("a broken gc line mid-file: parsed up to it, partial names file:line", async () => {
  const d = parsed(await parse("gctrace", "broken-line-midway.CONSTRUCTED.log"));
  assert.equal(d.gc!.length, 2);
  assert.equal(d.partial!.line, 2);
  assert.match(d.partial!.message, /^broken-line-midway\.CONSTRUCTED\.log:2: /);
});

test("only broken gc lines: malformed at the first", async () => {
  const o = await parse("gctrace", "only-broken-gctrace.CONSTRUCTED.log");
  assert.equal(o.kind, "malformed");
  if (o.kind === "malformed") assert.equal(o.line, 2);
});

test("named gctrace but holding only app output: ignored with a reason", async () => {
  const o = await parse("gctrace", "app-output-only-gctrace.CONSTRUCTED.log");
  assert.equal(o.kind, "ignored");
  if (o.kind === "ignored") assert.match(o.message, /no gc, scvg or scav line/);
});
