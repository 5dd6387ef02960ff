/**
 * The VmRSS log parser reads lines of the dominant form from their bytes (no string per line) and
 * every other line through the general string reader. Both must give the same readings: the log is
 * parsed once as a small file (byte fast path) and once as if it were too large to read whole
 * (streamed, every line through the string reader), and the outcomes compared.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { vmrssLog } from "../../src/ingest/parsers/vmrss-log.js";
import { fileFromText, UTC_OPTIONS } from "../helpers/capture-file.js";

/** The same file, claiming a size above the parser's whole-read threshold: it is streamed. */
function streamed(path: string, text: string) {
  const f = fileFromText(path, text);
  return { ...f, size: 1024 * 1024 * 1024 };
}

const stamp = fc
  .record({
    t: fc.integer({ min: Date.UTC(1999, 0, 1), max: Date.UTC(2030, 0, 1) }),
    frac: fc.constantFrom("", ".5", ".123", ".123456789", ".1234567890", ",25"),
    sep: fc.constantFrom("T", " "),
    z: fc.constantFrom("Z", "z", "+00:00", ""),
  })
  .map(({ t, frac, sep, z }) => new Date(t).toISOString().slice(0, 19).replace("T", sep) + frac + z);
const key = fc.constantFrom("VmRSS", "VmHWM", "RssAnon", "Rss", "LazyFree", "Anonymous", "VmSize", "Pss");
const space = fc.constantFrom(" ", "\t", "  ", " \t", "", "\u00a0");
const line = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        stamp,
        space,
        key,
        space,
        fc.nat({ max: 1e9 }),
        fc.constantFrom(" kB", " kB ", "kB", " KB", " kB\r", " kB\t", " kB \r", " kB\r ", " kB x", ""),
      )
      .map(([s, a, k, b, n, u]) => `${s}${a}${k}:${b}${n}${u}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        stamp,
        fc.constantFrom(
          " stdout F VmRSS: 5 kB",
          " ",
          "",
          " VmRSS: 1234567890123456789 kB",
          " VmRSS:\u00e9 5 kB",
        ),
      )
      .map(([s, r]) => s + r),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  // a stamp cut short: the next line's bytes must never complete it
  { weight: 1, arbitrary: stamp.chain((st) => fc.nat({ max: st.length }).map((n) => st.slice(0, n))) },
);

test("byte fast path and string reader agree on every line", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 30 }), fc.boolean(), async (lines, crlf) => {
      const text = lines.join(crlf ? "\r\n" : "\n") + "\n";
      const fast = await vmrssLog.parse(fileFromText("rss.log", text), UTC_OPTIONS);
      const slow = await vmrssLog.parse(streamed("rss.log", text), UTC_OPTIONS);
      assert.deepEqual(fast, slow);
    }),
    { numRuns: 400 },
  );
});

test("a day boundary and a fraction are read exactly on the fast path", async () => {
  const text = [
    "2026-01-05T23:59:59.999Z VmRSS:\t  100 kB",
    "2026-01-06T00:00:00Z VmRSS:\t  200 kB",
    "2026-02-28T00:00:01.5Z VmRSS:\t  300 kB",
  ].join("\n");
  const o = await vmrssLog.parse(fileFromText("rss.log", text), UTC_OPTIONS);
  assert.equal(o.kind, "parsed");
  if (o.kind !== "parsed") return;
  assert.deepEqual(o.data.rss![0]!.t, [
    Date.parse("2026-01-05T23:59:59.999Z"),
    Date.parse("2026-01-06T00:00:00Z"),
    Date.parse("2026-02-28T00:00:01.500Z"),
  ]);
  assert.deepEqual(o.data.rss![0]!.rssBytes, [100 * 1024, 200 * 1024, 300 * 1024]);
  assert.deepEqual(o.data.rss![0]!.line, [1, 2, 3]);
});
