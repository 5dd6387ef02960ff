/**
 * ASCII text read in place from a file's bytes, with no string made: the readers of the MemStats block
 * and of the heap profile's header line (ten thousand snapshots a week) use these. A newline byte never
 * sits inside a UTF-8 sequence, so offsets and lines found here are the decoded text's.
 */

/** Where the last digitRun stopped: the offset of the first byte after its digits. */
export let digitRunEnd = 0;

/**
 * The value of the ASCII digits from `start` (none: 0, with digitRunEnd === start), before `end`.
 * Sixteen digits or more are read through BigInt, exact before the one rounding to a double (what
 * Number() of the same digits gives); fewer are exact in a double as they are accumulated.
 */
export function digitRun(b: Buffer, start: number, end: number = b.length): number {
  let x = 0;
  let i = start;
  for (; i < end; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) break;
    x = x * 10 + c;
  }
  digitRunEnd = i;
  return i - start >= 16 ? Number(BigInt(b.toString("latin1", start, i))) : x;
}

/** Whether `b` holds the ASCII `text` at `at` (compared here: a subarray and a native call cost more). */
export function bytesAt(b: Buffer, at: number, text: string): boolean {
  if (at + text.length > b.length) return false;
  for (let k = 0; k < text.length; k++) if (b[at + k] !== text.charCodeAt(k)) return false;
  return true;
}
