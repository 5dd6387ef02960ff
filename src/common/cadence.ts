import { selectKth } from "./select.js";

/**
 * The median spacing of a sorted list of times, ms; null with fewer than two distinct times.
 *
 * Method: a capture loop's spacing is nearly always one value (a one-second RSS log, a one-minute
 * snapshot), and a value held by more than half of the positive deltas is their median (its run in
 * sorted order is longer than half, so it covers the middle). Boyer-Moore majority vote finds such a
 * value in one pass and a second pass confirms it, with no copy. Otherwise the positive deltas are
 * copied into a typed array and the middle one is found by quickselect (Hoare's selection,
 * median-of-three pivots), O(n) on average: a full sort of a week's 600k deltas took ~25 ms to order
 * them only to read one element.
 */
export function medianCadenceMs(times: ArrayLike<number>): number | null {
  const majority = majorityDelta(times);
  if (majority !== null) return majority;
  const deltas = new Float64Array(Math.max(0, times.length - 1));
  let n = 0;
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 0) deltas[n++] = d;
  }
  if (n === 0) return null;
  return selectKth(deltas.subarray(0, n), Math.floor(n / 2));
}

/** The positive delta held by more than half of the positive deltas, or null when none is. */
function majorityDelta(times: ArrayLike<number>): number | null {
  let candidate = 0;
  let votes = 0;
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (!(d > 0)) continue;
    if (votes === 0) {
      candidate = d;
      votes = 1;
    } else if (d === candidate) votes++;
    else votes--;
  }
  if (votes === 0) return null;
  let held = 0;
  let positive = 0;
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (!(d > 0)) continue;
    positive++;
    if (d === candidate) held++;
  }
  return 2 * held > positive ? candidate : null;
}
