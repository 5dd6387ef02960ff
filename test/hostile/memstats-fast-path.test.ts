/**
 * The MemStats block read from bytes (parseMemStatsBlockBytes, the heap snapshot's fast path) against
 * the text reader (parseMemStatsBlockText, line by line): for every text, generated or a real block
 * mutated at random, whenever the byte reader reads the bytes at all it gives the text reader's block
 * (values, keys, header line, largest PauseEnd, problems), at every line origin, with and without the
 * PauseEnd scan. The byte reader gives up on anything unusual, so the mutations aim at what it
 * checks: line terminators, spaces, word characters, brackets, digits, non-ASCII characters, cut and
 * repeated lines.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { parseMemStatsBlockBytes, parseMemStatsBlockText } from "../../src/ingest/parsers/memstats-block.js";
import { fixture } from "../helpers/paths.js";

const SEED = 20260105;
/** Runs per property: enough to reach each give-up branch many times, a second or two in all. */
const RUNS = 400;

/** A real block: the go1.24.4 excerpt's MemStats (runtime/pprof's own writer), from its header on. */
const REAL_TEXT = readFileSync(
  fixture("format-examples", "heap-debug1", "go1.24.4-go-zero-heap-debug1.EXCERPT.txt"),
  "utf8",
);
const REAL_BLOCK = REAL_TEXT.slice(REAL_TEXT.indexOf("# runtime.MemStats"));

/**
 * The byte reader against the text reader on one text: as a file's tail (first line cut off) and as
 * whole texts at line origins 1 and 40; with and without the PauseEnd scan. Returns whether the byte
 * reader read the bytes in every case (it must whenever it reads them at all agree).
 */
function assertAgree(text: string): boolean {
  const bytes = Buffer.from(text, "utf8");
  const rest = text.slice(text.indexOf("\n") + 1);
  let read = true;
  for (const firstLine of [null, 1, 40]) {
    const asText = firstLine === null ? rest : text;
    for (const pauseEnd of [true, false]) {
      const fromBytes = parseMemStatsBlockBytes(bytes, firstLine, { pauseEnd });
      const fromText = parseMemStatsBlockText(asText, firstLine, { pauseEnd });
      if (!fromBytes) {
        read = false;
        continue;
      }
      const where = `firstLine ${firstLine}, pauseEnd ${pauseEnd}: ${JSON.stringify(text.slice(-300))}`;
      assert.deepEqual(fromBytes, fromText, where);
      assert.deepEqual([...fromBytes.keys], [...fromText!.keys], `keys in the same order, ${where}`);
      assert.deepEqual(Object.keys(fromBytes.values), Object.keys(fromText!.values), `field order, ${where}`);
    }
  }
  return read;
}

test("the real go1.24.4 block: the byte reader reads it and agrees with the text reader", () => {
  assert.ok(assertAgree(REAL_TEXT), "the runtime's own block is read from its bytes");
  const block = parseMemStatsBlockBytes(Buffer.from(REAL_TEXT), 1);
  assert.ok(block && block.problems.length === 0 && block.lastPauseEndMs !== null);
});

const digits = (maxLen: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
    fc.stringMatching(new RegExp(`^[0-9]{1,${maxLen}}$`)),
  );

const SCALAR_NAMES = [
  "Alloc",
  "TotalAlloc",
  "Sys",
  "Lookups",
  "Mallocs",
  "Frees",
  "HeapAlloc",
  "HeapSys",
  "HeapIdle",
  "HeapInuse",
  "HeapReleased",
  "HeapObjects",
  "BuckHashSys",
  "GCSys",
  "OtherSys",
  "NextGC",
  "LastGC",
  "NumGC",
  "NumForcedGC",
  "MaxRSS",
];

/** One `# Name = value` line of any field the readers know, or of an unknown one. */
const lineArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...SCALAR_NAMES), digits(21)).map(([k, v]) => `# ${k} = ${v}`),
  fc
    .tuple(fc.constantFrom("Stack", "MSpan", "MCache"), digits(20), digits(20))
    .map(([k, a, b]) => `# ${k} = ${a} / ${b}`),
  fc
    .tuple(fc.constantFrom("PauseNs", "PauseEnd"), fc.array(digits(20), { maxLength: 8 }))
    .map(([k, xs]) => `# ${k} = [${xs.join(" ")}]`),
  fc
    .oneof(fc.double(), fc.constantFrom("0", "1e-3", "NaN", "Infinity", "0x10", ""))
    .map((f) => `# GCCPUFraction = ${String(f)}`),
  fc.constantFrom(
    "# DebugGC = false",
    "# EnableGC = true",
    "",
    "# Unknown_1 = x",
    // trailing whitespace: trimEnd() leaves `# DebugGC =`, not a `# Name = value` line
    "# DebugGC = ",
    "# DebugGC =  ",
    "# PauseNs = [1 2] ",
    "   ",
  ),
);

/** A mutation: a character where the fast path decides something, inserted, replacing or removing. */
const NASTY = [
  " ",
  "\t",
  "\r",
  "\n",
  "\u2028",
  "\u2029",
  "\u00a0",
  "é",
  "#",
  "=",
  "/",
  "[",
  "]",
  "0",
  "9",
  "x",
  "_",
  "-",
];
const mutationArb = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom("insert", "replace", "delete", "cut", "repeat-line"),
  ch: fc.constantFrom(...NASTY),
});

function mutate(text: string, m: { at: number; kind: string; ch: string }): string {
  if (text.length === 0) return m.ch;
  const at = m.at % text.length;
  switch (m.kind) {
    case "insert":
      return text.slice(0, at) + m.ch + text.slice(at);
    case "replace":
      return text.slice(0, at) + m.ch + text.slice(at + 1);
    case "delete":
      return text.slice(0, at) + text.slice(at + 1);
    case "cut":
      return text.slice(0, at);
    default: {
      const start = text.lastIndexOf("\n", at) + 1;
      const end = text.indexOf("\n", at);
      const line = text.slice(start, end < 0 ? text.length : end + 1);
      return text.slice(0, start) + line + text.slice(start);
    }
  }
}

test("generated blocks: the fast path and the general reader agree", () => {
  fc.assert(
    fc.property(
      fc.array(lineArb, { maxLength: 40 }),
      fc.constantFrom("", "\n", "\n\n"),
      fc.constantFrom("", "1: 2 [3: 4] @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n"),
      (lines, end, before) => {
        // the six core fields in front, most of the time, so that both readers get a whole block
        const core = ["HeapAlloc", "HeapSys", "HeapIdle", "HeapInuse", "HeapReleased", "Sys"].map(
          (k, i) => `# ${k} = ${1000 + i}`,
        );
        assertAgree(`${before}# runtime.MemStats\n${[...core, ...lines].join("\n")}${end}`);
        assertAgree(`${before}# runtime.MemStats\n${lines.join("\n")}${end}`);
      },
    ),
    { seed: SEED, numRuns: RUNS },
  );
});

test("a real block mutated at random: the fast path and the general reader agree", () => {
  fc.assert(
    fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (mutations) => {
      let text = REAL_BLOCK;
      for (const m of mutations) text = mutate(text, m);
      assertAgree(text);
      assertAgree(`heap profile: 1: 2 [3: 4] @ heap/1048576\n\n${text}`);
    }),
    { seed: SEED + 1, numRuns: RUNS },
  );
});

test("the tail byte reader reads the runtime's own block after a cut record line, as the text reader does", () => {
  const tail = `x1f2e3d\t0x4c2f1a\n#\t0x4c2f1a\tmain.main+0x1a\t/app/main.go:12\n\n${REAL_BLOCK}`;
  assert.ok(assertAgree(tail), "the real block is read from its bytes");
  assert.ok(!assertAgree(tail.replace(/\n/g, "\r\n")), "CRLF is left to the text reader");
  assert.ok(!assertAgree(tail.replace("HeapAlloc", "HeapAllöc")), "non-ASCII is left to the text reader");
});
