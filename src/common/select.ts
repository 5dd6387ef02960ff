/**
 * Order statistics of a typed array in O(n) on average, for medians of long series where a full sort
 * orders 600k values only to read one or two of them.
 *
 * Method: quickselect (Hoare's selection, median-of-three pivots). After selectKth(a, k) every value
 * before index k is at most a[k] and every value after it at least a[k]; medianInPlace reads the
 * lower middle of an even length as the largest value before the upper one.
 */

/** The k-th smallest value (0-based) of `a`, which is reordered in place. */
export function selectKth(a: Float64Array, k: number): number {
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

/**
 * The median of `a` (reordered in place): the middle of its sorted values, or the mean of the two
 * middles; the same number as sorting it first. NaN sorts last in a typed array and breaks
 * comparisons, so an array holding one is sorted instead.
 */
export function medianInPlace(a: Float64Array): number {
  const n = a.length;
  const mid = n >> 1;
  if (hasNaN(a)) {
    a.sort();
    return n % 2 ? a[mid]! : (a[mid - 1]! + a[mid]!) / 2;
  }
  const upper = selectKth(a, mid);
  if (n % 2) return upper;
  let lower = -Infinity;
  for (let i = 0; i < mid; i++) if (a[i]! > lower) lower = a[i]!;
  return (lower + upper) / 2;
}

/** Whether `a` holds a NaN (its own function: a long scan is compiled on its own, not mid-median). */
function hasNaN(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== a[i]) return true;
  return false;
}
