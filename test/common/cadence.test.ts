import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { medianCadenceMs } from "../../src/common/cadence.js";

/** The definition: the middle of the sorted positive deltas. */
function sortedMedian(times: number[]): number | null {
  const deltas: number[] = [];
  for (let i = 1; i < times.length; i++)
    if (times[i]! - times[i - 1]! > 0) deltas.push(times[i]! - times[i - 1]!);
  if (deltas.length === 0) return null;
  deltas.sort((a, b) => a - b);
  return deltas[Math.floor(deltas.length / 2)]!;
}

test("the selected median cadence equals the sorted median for any sorted times", () => {
  fc.assert(
    fc.property(
      // few distinct steps (capture loops repeat one cadence) and arbitrary ones, duplicates included
      fc.array(
        fc.oneof(fc.constantFrom(0, 1000, 1000, 1000, 2000, 60_000), fc.integer({ min: 0, max: 1e7 })),
        {
          maxLength: 400,
        },
      ),
      fc.integer({ min: 0, max: 2e12 }),
      (steps, start) => {
        const times = [start];
        for (const s of steps) times.push(times[times.length - 1]! + s);
        assert.equal(medianCadenceMs(times), sortedMedian(times));
        assert.equal(medianCadenceMs(Float64Array.from(times)), sortedMedian(times));
      },
    ),
    { numRuns: 500 },
  );
});

test("fewer than two distinct times have no cadence", () => {
  assert.equal(medianCadenceMs([]), null);
  assert.equal(medianCadenceMs([5]), null);
  assert.equal(medianCadenceMs([5, 5, 5]), null);
});
