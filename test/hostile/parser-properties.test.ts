/**
 * Property-based tests over every registered parser (src/ingest/registry.ts PARSERS): arbitrary bytes,
 * truncation at any byte and line-level corruption of real fixtures never throw out of sniff or parse,
 * every outcome is one of the contract's four kinds with a located message, and no number in the
 * output is NaN or Infinite. Seeds are fixed so that a failure reproduces; run counts are bounded so
 * that the file runs in a few seconds on two cores.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { CaptureFile, ParseOutcome, Parser } from "../../src/ingest/parser.js";
import { PARSERS } from "../../src/ingest/registry.js";
import { UTC_OPTIONS } from "../helpers/capture-file.js";
import { captureOf, firstNonFinite, fixturesByParser, type PoolFixture } from "./fixture-pool.js";

const SEED = 20261124;
/** Runs per parser and property: enough to reach every branch of a line parser, bounded for CI time. */
const RUNS = 300;

const byParser = fixturesByParser();

/** The contract every outcome meets (src/ingest/parser.ts); returns what is wrong, or null. */
function contractViolation(outcome: ParseOutcome, lineCount: number): string | null {
  switch (outcome.kind) {
    case "not-mine":
      return null;
    case "parsed": {
      if (typeof outcome.format !== "string" || outcome.format === "") return "parsed without a format";
      if (!Number.isInteger(outcome.records) || outcome.records < 0)
        return `records is ${outcome.records}, not a count`;
      if (outcome.partial) {
        if (!Number.isInteger(outcome.partial.line) || outcome.partial.line < 1)
          return `partial.line ${outcome.partial.line} is not a 1-based line`;
        if (typeof outcome.partial.message !== "string" || outcome.partial.message === "")
          return "partial without a message";
      }
      const bad = firstNonFinite(outcome.data);
      if (bad) return `non-finite number in the parsed data: ${bad}`;
      return null;
    }
    case "malformed": {
      if (typeof outcome.format !== "string" || outcome.format === "") return "malformed without a format";
      if (outcome.line !== null && (!Number.isInteger(outcome.line) || outcome.line < 1))
        return `malformed line ${outcome.line} is not a 1-based line or null`;
      if (outcome.line !== null && outcome.line > lineCount + 1)
        return `malformed line ${outcome.line} is past the end of a ${lineCount}-line file`;
      if (typeof outcome.message !== "string" || outcome.message === "") return "malformed without a message";
      return null;
    }
    case "ignored":
      return typeof outcome.message === "string" && outcome.message !== ""
        ? null
        : "ignored without a reason";
    default:
      return `unknown outcome kind ${JSON.stringify((outcome as { kind: unknown }).kind)}`;
  }
}

/** Sniff then parse as ingest does; any throw or rejection fails the property with the parser named. */
async function offer(parser: Parser, file: CaptureFile, bytes: Buffer): Promise<void> {
  let claimed: boolean;
  try {
    claimed = parser.sniff(file);
  } catch (err) {
    throw new Error(`${parser.id}.sniff threw on ${JSON.stringify(file.path)}: ${(err as Error).stack}`);
  }
  if (!claimed) return;
  let outcome: ParseOutcome;
  try {
    outcome = await parser.parse(file, UTC_OPTIONS);
  } catch (err) {
    throw new Error(`${parser.id}.parse threw on ${JSON.stringify(file.path)}: ${(err as Error).stack}`);
  }
  let lineCount = 1;
  for (const b of bytes) if (b === 0x0a) lineCount++;
  const bad = contractViolation(outcome, lineCount);
  if (bad) throw new Error(`${parser.id} on ${JSON.stringify(file.path)}: ${bad}`);
}

/** What the properties start from: the fixtures the parser claims, else (until it has one) the whole pool. */
function fixturesOf(parser: Parser): PoolFixture[] {
  const own = byParser.get(parser) ?? [];
  return own.length > 0 ? own : [...byParser.values()].flat();
}

test("every registered parser claims at least one real fixture, so the properties below reach its parse", () => {
  const missing = PARSERS.filter((p) => (byParser.get(p) ?? []).length === 0).map((p) => p.id);
  assert.deepEqual(missing, [], "parsers with no sniffing fixture under test/fixtures/ or samples/");
});

for (const parser of PARSERS) {
  test(`${parser.id}: a real fixture's head followed by arbitrary bytes never throws`, async () => {
    const fixtures = fixturesOf(parser);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: fixtures.length - 1 }),
        fc.nat({ max: 8192 }),
        fc.uint8Array({ maxLength: 4096 }),
        async (which, headLen, noise) => {
          const f = fixtures[which]!;
          const bytes = Buffer.concat([f.bytes.subarray(0, headLen), noise]);
          await offer(parser, captureOf(f, bytes), bytes);
          // the same bytes under a name that says nothing about the format
          await offer(parser, captureOf(f, bytes, "unnamed.dat"), bytes);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test(`${parser.id}: a real fixture cut at any byte is parsed, partial, malformed or not mine, never a throw or NaN`, async () => {
    const fixtures = fixturesOf(parser);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: fixtures.length - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (which, at) => {
          const f = fixtures[which]!;
          const cut = Math.floor(at * f.bytes.length);
          const bytes = f.bytes.subarray(0, cut);
          await offer(parser, captureOf(f, bytes), bytes);
        },
      ),
      { seed: SEED + 1, numRuns: RUNS },
    );
    // and every cut of the smallest fixture's first 2 KiB, exhaustively (short files are the edge cases)
    const smallest = [...fixtures].sort((a, b) => a.bytes.length - b.bytes.length)[0]!;
    for (let cut = 0; cut <= Math.min(smallest.bytes.length, 2048); cut++) {
      const bytes = smallest.bytes.subarray(0, cut);
      await offer(parser, captureOf(smallest, bytes), bytes);
    }
  });

  test(`${parser.id}: line-level corruption of a real fixture (huge, negative, NaN, exponent, deleted, repeated lines) never throws or yields NaN`, async () => {
    const fixtures = fixturesOf(parser);
    const poison = fc.constantFrom(
      "99999999999999999999999999",
      "18446744073709551616",
      "-1",
      "NaN",
      "Infinity",
      "1e309",
      "-0",
      "0x10",
      "",
      "\u0000",
      "\u202e",
      "<script>alert(1)</script>",
      "\uFFFD\uFFFD",
      " ".repeat(300),
    );
    const edit = fc.record({
      line: fc.nat(),
      op: fc.constantFrom("replace-number", "delete", "repeat", "swap-with-next", "insert-poison", "crlf"),
      poison,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: fixtures.length - 1 }),
        fc.array(edit, { minLength: 1, maxLength: 6 }),
        async (which, edits) => {
          const f = fixtures[which]!;
          const lines = f.bytes.toString("utf8").split("\n");
          for (const e of edits) {
            const i = e.line % lines.length;
            if (e.op === "replace-number") lines[i] = lines[i]!.replace(/\d+(\.\d+)?/, e.poison);
            else if (e.op === "delete") lines.splice(i, 1);
            else if (e.op === "repeat") lines.splice(i, 0, lines[i]!);
            else if (e.op === "swap-with-next" && i + 1 < lines.length)
              [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
            else if (e.op === "insert-poison") lines.splice(i, 0, e.poison);
            else if (e.op === "crlf") lines[i] = `${lines[i]}\r`;
            if (lines.length === 0) lines.push("");
          }
          const bytes = Buffer.from(lines.join("\n"), "utf8");
          await offer(parser, captureOf(f, bytes), bytes);
        },
      ),
      { seed: SEED + 2, numRuns: RUNS },
    );
  });
}

test("pure random bytes under every fixture name are never a throw in any parser", async () => {
  const names = [...new Set([...byParser.values()].flat().map((f) => f.relPath))];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...names), fc.uint8Array({ maxLength: 2048 }), async (name, bytes) => {
      const buf = Buffer.from(bytes);
      for (const parser of PARSERS) await offer(parser, captureOf({ relPath: name, bytes: buf }), buf);
    }),
    { seed: SEED + 3, numRuns: RUNS * 2 },
  );
});

/**
 * Lines in the volume test: above V8's limit on call arguments (~125k on a default stack), so that a
 * `Math.max(...samples)` or `push(...samples)` over per-line data throws here rather than on a
 * week-long one-second log in the field (604,800 lines).
 */
const VOLUME_LINES = 150_000;

test("every parser survives its fixtures' lines repeated past 150,000 lines (no spread over per-line data)", async () => {
  for (const parser of PARSERS) {
    const fixtures = byParser.get(parser) ?? [];
    for (const f of fixtures.slice(0, 2)) {
      const lines = f.bytes.toString("utf8").split("\n");
      const [first, ...rest] = lines;
      const body = rest.length > 0 ? rest : [first!];
      const out: string[] = [first!];
      while (out.length < VOLUME_LINES) for (const l of body) out.push(l);
      const bytes = Buffer.from(out.join("\n"), "utf8");
      await offer(parser, captureOf(f, bytes), bytes);
    }
  }
});

test("a Prometheus scrape with 200,000 timestamped series does not overflow the stack in whichever parser owns it", async () => {
  const lines = ["# TYPE go_memstats_heap_alloc_bytes gauge"];
  for (let i = 0; i < 200_000; i++)
    lines.push(`go_memstats_heap_alloc_bytes{shard="${i}"} ${1000 + i} ${1795497756000 + i}`);
  const bytes = Buffer.from(lines.join("\n") + "\n", "utf8");
  const file = captureOf({ relPath: "metrics.prom", bytes });
  const owners = PARSERS.filter((p) => p.sniff(file));
  assert.ok(owners.length > 0, "some parser claims a Prometheus exposition");
  for (const parser of owners) await offer(parser, file, bytes);
});
