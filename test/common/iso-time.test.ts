import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { isoTime } from "../../src/common/format.js";

test("isoTime writes Date.toISOString's text for any time, in any call order", () => {
  fc.assert(
    fc.property(
      // times clustered on a few days (the day cache's case) and anywhere Date can hold one
      fc.array(
        fc.oneof(
          fc.integer({ min: 1_767_225_600_000, max: 1_767_225_600_000 + 3 * 86_400_000 }),
          fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 }),
          fc.constantFrom(0, -1, 86_399_999, 86_400_000, 253_402_300_799_999, 253_402_300_800_000),
          fc.double({ min: -1e15, max: 1e15, noNaN: true }),
        ),
        { maxLength: 60 },
      ),
      (times) => {
        for (const t of times) assert.equal(isoTime(t), new Date(t).toISOString(), `t = ${t}`);
      },
    ),
    { numRuns: 300 },
  );
});
