/** The median spacing of a sorted list of times, ms; null with fewer than two distinct times. */
export function medianCadenceMs(times: ArrayLike<number>): number | null {
  const deltas = new Float64Array(Math.max(0, times.length - 1));
  let n = 0;
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 0) deltas[n++] = d;
  }
  if (n === 0) return null;
  // typed-array sort: numeric, native, and a week of one-second samples is 600k deltas
  const used = deltas.subarray(0, n).sort();
  return used[Math.floor(n / 2)]!;
}
