/**
 * heap-debug1-series: real heap debug=1 dumps from samples/heap-leak appended into one file with the
 * stamp lines capture loops write (`date -Is`, `date -R`, `date +%s`, `date`); the file is built here.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { heapDebug1Series } from "../../src/ingest/parsers/heap-debug1-series.js";
import { PARSERS } from "../../src/ingest/registry.js";
import { fileFromDisk, fileFromText, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture, sample } from "../helpers/paths.js";

const EPOCHS = [1795497968, 1795497978, 1795497988];
const dumps = EPOCHS.map((e) => readFileSync(path.join(sample("heap-leak"), `heap.${e}.txt`), "utf8"));
const iso = (e: number): string => new Date(e * 1000).toISOString().replace(".000Z", "+00:00");

const STAMP_FORMS: [string, (e: number) => string][] = [
  ["date -Is", iso],
  ["date -R", (e) => new Date(e * 1000).toUTCString().replace("GMT", "+0000")],
  ["date +%s", (e) => String(e)],
  [
    "date (default, UTC)",
    (e) => {
      const d = new Date(e * 1000);
      const [wd, day, mon, year, time] = d.toUTCString().split(" ");
      return `${wd!.slice(0, 3)} ${mon} ${day!.replace(/^0/, " ")} ${time} UTC ${year}`;
    },
  ],
  ["=== decorated ===", (e) => `=== ${iso(e)} ===`],
];

for (const [form, stamp] of STAMP_FORMS) {
  test(`three dumps after '${form}' lines: three snapshots at the stated times, sites read per dump`, async () => {
    const text = EPOCHS.map((e, i) => `${stamp(e)}\n${dumps[i]}`).join("\n");
    const file = fileFromText("heaps.log", text);
    const owner = PARSERS.find((p) => p.sniff(file));
    assert.equal(owner?.id, "heap-debug1-series", "claimed before heap-debug1");
    const out = await heapDebug1Series.parse(file, UTC_OPTIONS);
    assert.equal(out.kind, "parsed", JSON.stringify(out).slice(0, 300));
    if (out.kind !== "parsed") return;
    assert.equal(out.records, 3);
    assert.deepEqual(
      out.data.memstats!.map((s) => s.t),
      EPOCHS.map((e) => e * 1000),
    );
    assert.ok(out.data.memstats!.every((s) => s.prov === "record"));
    // Each snapshot points at its own header line, and its values are its dump's.
    const lines = text.split("\n");
    for (const s of out.data.memstats!) assert.match(lines[s.src.line! - 1]!, /^heap profile: /);
    const firstHeapAlloc = /# HeapAlloc = (\d+)/.exec(dumps[0]!)![1];
    assert.equal(out.data.memstats![0]!.ms.HeapAlloc, Number(firstHeapAlloc));
    assert.notEqual(out.data.memstats![2]!.ms.HeapAlloc, out.data.memstats![0]!.ms.HeapAlloc);
    assert.equal(out.data.heapProfiles!.length, 3);
    assert.ok(out.data.heapProfiles!.every((r) => r.sites !== null && r.sites.length > 0));
  });
}

test("a single heap dump with no stamp line is not this format (heap-debug1 reads it)", async () => {
  const file = fileFromText("heap.1795497968.txt", dumps[0]!);
  assert.equal(heapDebug1Series.sniff(file), false);
  const owner = PARSERS.find((p) => p.sniff(file));
  assert.equal(owner?.id, "heap-debug1");
});

test("dumps appended without stamp lines: placed by LastGC/PauseEnd and flagged", async () => {
  const file = fileFromText("heaps.txt", dumps.join("\n"));
  assert.equal(heapDebug1Series.sniff(file), true);
  const out = await heapDebug1Series.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.equal(out.records, 3);
  assert.ok(out.data.memstats!.every((s) => s.prov === "data-bound"));
  // LastGC is a lower bound on the capture; the loop's name stamp has 1 s resolution (the capture ran
  // within the second after it), so the bound sits within that second or before it.
  out.data.memstats!.forEach((s, i) => {
    assert.ok(s.t < EPOCHS[i]! * 1000 + 1000, `${s.t} not after the capture second`);
    assert.ok(s.t > EPOCHS[i]! * 1000 - 120_000, `${s.t} within a forced-GC period before it`);
  });
  assert.equal(out.data.memstats![0]!.t, 1795497968458);
  assert.ok(out.data.issues!.some((x) => /3 of 3 dumps have no timestamp line/.test(x.message)));
});

test("a dump cut in its MemStats block is reported at its line in the file; the others are kept", async () => {
  const cut = dumps[1]!.slice(0, dumps[1]!.indexOf("# HeapSys"));
  const text = `${iso(EPOCHS[0]!)}\n${dumps[0]}\n${iso(EPOCHS[1]!)}\n${cut}\n${iso(EPOCHS[2]!)}\n${dumps[2]}`;
  const out = await heapDebug1Series.parse(fileFromText("heaps.log", text), UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.equal(out.records, 2);
  const secondHeader = text.split("\n").findIndex(
    (l, i) =>
      i > 2 &&
      l.startsWith("heap profile: ") &&
      text
        .split("\n")
        .slice(0, i)
        .filter((x) => x.startsWith("heap profile: ")).length === 1,
  );
  assert.ok(out.partial, "partial");
  assert.match(out.partial!.message, /^heaps\.log:\d+: /);
  assert.ok(
    out.partial!.line > secondHeader,
    `located inside the second dump (${out.partial!.line} > ${secondHeader + 1})`,
  );
});

test("text before the first dump that is no stamp is malformed at its line", async () => {
  const text = `some notes\n${dumps[0]}\n${iso(EPOCHS[1]!)}\n${dumps[1]}`;
  const out = await heapDebug1Series.parse(fileFromText("heaps.log", text), UTC_OPTIONS);
  assert.equal(out.kind, "malformed");
  if (out.kind === "malformed") assert.equal(out.line, 1);
});

test("fixture: two real dumps after `date -Is` lines, read from disk", async () => {
  const file = await fileFromDisk(
    fixture("heap-debug1-series", "heap-leak-two-dumps-date-Is.CONSTRUCTED.log"),
    "heaps.log",
  );
  assert.equal(heapDebug1Series.sniff(file), true);
  const out = await heapDebug1Series.parse(file, UTC_OPTIONS);
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  assert.deepEqual(
    out.data.memstats!.map((s) => [s.t, s.src.line]),
    [
      [1795497968000, 2],
      [1795497978000, 2 + dumps[0]!.split("\n").length + 1],
    ],
  );
});
