/**
 * The heap profile header read from bytes (headerInuseBytes, every snapshot's first line) against
 * the regular expression the parser states it by: for any first line, the same in-use bytes or the
 * same refusal.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { headerInuseBytes } from "../../src/ingest/parsers/heap-debug1.js";

/** The definition (heap-debug1.ts HEADER): the second number of a matching first line. */
const HEADER = /^heap profile: (\d+): (\d+) \[(\d+): (\d+)\] @ heap(?:\/(\d+))?/;

const number = fc.oneof(fc.nat().map(String), fc.stringMatching(/^[0-9]{1,22}$/));
const piece = fc.oneof(
  number,
  fc.constantFrom(
    "heap profile: ",
    ": ",
    " [",
    "] @ heap",
    "/",
    " ",
    "",
    "x",
    "é",
    "\r",
    "\t",
    "[",
    "]",
    "0",
  ),
);
const wellFormed = fc
  .tuple(number, number, number, number, fc.option(number), fc.constantFrom("", "\r", " tail", "é"))
  .map(
    ([a, b, c, d, rate, rest]) =>
      `heap profile: ${a}: ${b} [${c}: ${d}] @ heap${rate === null ? "" : `/${rate}`}${rest}`,
  );
const lineArb = fc.oneof(
  wellFormed,
  // a well-formed line with one character changed, inserted or removed
  fc.tuple(wellFormed, fc.nat(), fc.constantFrom("", " ", "x", ":", "[", "9", "é")).map(([l, at, ch]) => {
    const i = at % (l.length + 1);
    return l.slice(0, i) + ch + l.slice(i + (ch === "" ? 1 : at % 2));
  }),
  fc.array(piece, { maxLength: 12 }).map((xs) => xs.join("")),
);

test("headerInuseBytes gives HEADER's second number, or null where HEADER does not match", () => {
  fc.assert(
    fc.property(lineArb, fc.constantFrom("\n1: 2 [3: 4] @ 0x1\n", "", "\n"), (line, after) => {
      const m = HEADER.exec(line.split("\n")[0]!);
      assert.equal(
        headerInuseBytes(Buffer.from(line + after, "utf8")),
        m ? Number(m[2]) : null,
        JSON.stringify(line),
      );
    }),
    { numRuns: 2000 },
  );
});
