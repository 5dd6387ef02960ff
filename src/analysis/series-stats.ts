/**
 * Small robust statistics over time series (times in ms, values in bytes or counts): median, MAD,
 * rolling median, least-squares slope, and O(1) segment costs from prefix sums for segmentation.
 */
import { medianInPlace } from "../common/select.js";

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  return medianInPlace(Float64Array.from(values));
}

/** Median absolute deviation from the median. */
export function mad(values: number[]): number | null {
  const m = median(values);
  if (m === null) return null;
  return median(values.map((v) => Math.abs(v - m)));
}

/**
 * The noise of a series: 1.4826 x MAD of its first differences / sqrt(2), the standard deviation a
 * white-noise series would have. Differencing removes a trend; the MAD ignores the rare large steps
 * (a GC, a release) that are signal, not noise.
 */
export function noiseSigma(values: number[]): number {
  if (values.length < 3) return 0;
  const d = new Float64Array(values.length - 1);
  for (let i = 1; i < values.length; i++) d[i - 1] = values[i]! - values[i - 1]!;
  const m = medianInPlace(d);
  for (let i = 0; i < d.length; i++) d[i] = Math.abs(d[i]! - m);
  return (medianInPlace(d) * 1.4826) / Math.SQRT2;
}

/**
 * Centered rolling median over `window` samples (odd; shrinks at the ends). Each window is copied
 * into one scratch array and insertion-sorted: windows are a handful of samples, and a series can
 * hold a week of one-second readings, so no per-sample allocation.
 */
export function rollingMedian(values: number[], window: number): number[] {
  const half = Math.floor(window / 2);
  const n = values.length;
  const out = new Array<number>(n);
  const scratch = new Float64Array(Math.max(1, 2 * half + 1));
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - half);
    const hi = Math.min(n, i + half + 1);
    const len = hi - lo;
    for (let k = 0; k < len; k++) {
      const v = values[lo + k]!;
      let j = k - 1;
      while (j >= 0 && scratch[j]! > v) {
        scratch[j + 1] = scratch[j]!;
        j--;
      }
      scratch[j + 1] = v;
    }
    const mid = len >> 1;
    out[i] = len % 2 ? scratch[mid]! : (scratch[mid - 1]! + scratch[mid]!) / 2;
  }
  return out;
}

/** Least-squares line through (t, v); slope per ms. */
export function linearFit(ts: number[], vs: number[]): { slope: number; intercept: number } {
  const n = ts.length;
  if (n === 0) return { slope: 0, intercept: 0 };
  if (n === 1) return { slope: 0, intercept: vs[0]! };
  const t0 = ts[0]!;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const x = ts[i]! - t0;
    sx += x;
    sy += vs[i]!;
    sxx += x * x;
    sxy += x * vs[i]!;
  }
  const den = n * sxx - sx * sx;
  const slope = den === 0 ? 0 : (n * sxy - sx * sy) / den;
  const intercept = (sy - slope * sx) / n - slope * t0;
  return { slope, intercept };
}

/**
 * Sum of squared residuals of the least-squares line over any index range [i, j], in O(1) after
 * O(n) prefix sums. Times are rescaled to seconds from the first sample to keep the sums exact enough.
 */
export class SegmentCost {
  private readonly px: Float64Array;
  private readonly py: Float64Array;
  private readonly pxx: Float64Array;
  private readonly pxy: Float64Array;
  private readonly pyy: Float64Array;

  constructor(ts: number[], vs: number[]) {
    const n = ts.length;
    this.px = new Float64Array(n + 1);
    this.py = new Float64Array(n + 1);
    this.pxx = new Float64Array(n + 1);
    this.pxy = new Float64Array(n + 1);
    this.pyy = new Float64Array(n + 1);
    const t0 = ts[0] ?? 0;
    // Values in MiB keep y^2 sums far from the float64 precision limit for any real RSS.
    for (let i = 0; i < n; i++) {
      const x = (ts[i]! - t0) / 1000;
      const y = vs[i]! / 1048576;
      this.px[i + 1] = this.px[i]! + x;
      this.py[i + 1] = this.py[i]! + y;
      this.pxx[i + 1] = this.pxx[i]! + x * x;
      this.pxy[i + 1] = this.pxy[i]! + x * y;
      this.pyy[i + 1] = this.pyy[i]! + y * y;
    }
  }

  /** SSE (in MiB^2) of the line fitted to samples i..j inclusive. */
  cost(i: number, j: number): number {
    const n = j - i + 1;
    if (n <= 2) return 0;
    const sx = this.px[j + 1]! - this.px[i]!;
    const sy = this.py[j + 1]! - this.py[i]!;
    const sxx = this.pxx[j + 1]! - this.pxx[i]!;
    const sxy = this.pxy[j + 1]! - this.pxy[i]!;
    const syy = this.pyy[j + 1]! - this.pyy[i]!;
    const vx = sxx - (sx * sx) / n;
    const vy = syy - (sy * sy) / n;
    const cxy = sxy - (sx * sy) / n;
    const sse = vx > 0 ? vy - (cxy * cxy) / vx : vy;
    return Math.max(0, sse);
  }
}
