/**
 * The median spacing of a sorted list of times, ms; null with fewer than two distinct times.
 *
 * Method: the positive deltas are copied into a typed array and the middle one is found by
 * quickselect (Hoare's selection, median-of-three pivots), O(n) on average: a week of one-second
 * RSS is 600k deltas, which a full sort took ~25 ms to order only to read one element.
 */
export function medianCadenceMs(times: ArrayLike<number>): number | null {
  const deltas = new Float64Array(Math.max(0, times.length - 1));
  let n = 0;
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 0) deltas[n++] = d;
  }
  if (n === 0) return null;
  return selectKth(deltas.subarray(0, n), Math.floor(n / 2));
}

/** The k-th smallest value (0-based) of `a`, which is reordered in place. */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // median of three as the pivot: sorted or constant input stays O(n)
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const tmp = a[i]!;
        a[i] = a[j]!;
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}
