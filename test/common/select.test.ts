import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { medianInPlace, selectKth } from "../../src/common/select.js";

/** The definition: the middle of the sorted values, or the mean of the two middles. */
function sortedMedian(values: number[]): number {
  const s = Float64Array.from(values).sort();
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// few distinct values (repeats are the common case: a capture loop's readings), any doubles, NaN
const valuesArb = fc.array(
  fc.oneof(fc.constantFrom(0, -0, 1, 1, 1, 2, 1024), fc.double(), fc.integer({ min: -1e9, max: 1e9 })),
  { minLength: 1, maxLength: 300 },
);

test("medianInPlace is the sorted median, for any values", () => {
  fc.assert(
    fc.property(valuesArb, (values) => {
      const got = medianInPlace(Float64Array.from(values));
      const want = sortedMedian(values);
      // equal as numbers (a zero's sign may differ), or both NaN
      assert.ok(got === want || (Number.isNaN(got) && Number.isNaN(want)), `${got} vs ${want}`);
    }),
    { numRuns: 500 },
  );
});

test("selectKth leaves the k-th smallest at k, nothing larger before it and nothing smaller after", () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constantFrom(3, 3, 3, 7), fc.integer({ min: -1000, max: 1000 })), {
        minLength: 1,
        maxLength: 200,
      }),
      fc.nat(),
      (values, at) => {
        const k = at % values.length;
        const a = Float64Array.from(values);
        const v = selectKth(a, k);
        assert.equal(v, Float64Array.from(values).sort()[k]);
        for (let i = 0; i < k; i++) assert.ok(a[i]! <= v);
        for (let i = k + 1; i < a.length; i++) assert.ok(a[i]! >= v);
      },
    ),
    { numRuns: 500 },
  );
});
