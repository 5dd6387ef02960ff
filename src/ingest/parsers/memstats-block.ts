/**
 * The `# runtime.MemStats` block that ends heap and allocs `debug=1` text (FORMATS.md §1.1):
 * `# Name = value` lines, `# Stack = inuse / sys` pairs, and the 256-entry PauseNs/PauseEnd arrays.
 * LastGC and PauseEnd are Unix nanoseconds above 2^53, so they are read with BigInt.
 */
import { isAscii } from "node:buffer";
import type { MemStatsValues } from "../../model/capture.js";
import { bytesAt, digitRun, digitRunEnd } from "../byte-text.js";

export interface MemStatsBlock {
  values: MemStatsValues;
  /** the names seen, each once, in the order met: to prove a Go version (MaxRSS => 1.15+) */
  keys: string[];
  /** 1-based line of the `# runtime.MemStats` header within the text given */
  headerLine: number;
  /** the largest PauseEnd, as epoch ms: a lower bound on the capture time */
  lastPauseEndMs: number | null;
  problems: { line: number; message: string }[];
}

const PAIRS: Record<string, [keyof MemStatsValues, keyof MemStatsValues]> = {
  Stack: ["StackInuse", "StackSys"],
  MSpan: ["MSpanInuse", "MSpanSys"],
  MCache: ["MCacheInuse", "MCacheSys"],
};

const SCALARS = new Set<string>([
  "Alloc",
  "TotalAlloc",
  "Sys",
  "Mallocs",
  "Frees",
  "HeapAlloc",
  "HeapSys",
  "HeapIdle",
  "HeapInuse",
  "HeapReleased",
  "HeapObjects",
  "BuckHashSys",
  "GCSys",
  "OtherSys",
  "NextGC",
  "NumGC",
  "NumForcedGC",
  "MaxRSS",
]);

export const CORE_FIELDS = ["HeapAlloc", "HeapSys", "HeapIdle", "HeapInuse", "HeapReleased", "Sys"] as const;

/** A uint64 as a JS number; exact below 2^53, rounded (deliberately) above. */
function u64(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  return text.length < 16 ? Number(text) : Number(BigInt(text));
}

function nsToMs(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  return Number(BigInt(text) / 1_000_000n);
}

const HEADER_TEXT = "# runtime.MemStats";

/** Whether the line is the block header: exactly the header text, trailing whitespace allowed. */
function isHeaderLine(line: string): boolean {
  // the prefix test first: a profile has a thousand record lines and one header
  return line.startsWith(HEADER_TEXT) && line.trimEnd() === HEADER_TEXT;
}

/**
 * The block in a whole text: the same result as `parseMemStatsBlock(text.split("\n"), firstLine)`,
 * without splitting the stack records before the block into lines (a heap profile's tail is a
 * thousand record lines and a block of about seventy): the header is found by search, the lines
 * before it only counted. With `firstLine` null (a file's tail, whose line numbers are unknown) the
 * lines are not counted: the header is numbered line 1 and the block's lines from it.
 */
export function parseMemStatsBlockText(
  text: string,
  firstLine: number | null,
  options: MemStatsTextOptions = {},
): MemStatsBlock | null {
  let at = text.indexOf(HEADER_TEXT);
  while (at >= 0) {
    if (at === 0 || text.charCodeAt(at - 1) === 0x0a) {
      const eol = text.indexOf("\n", at);
      if (isHeaderLine(eol < 0 ? text.slice(at) : text.slice(at, eol))) break;
    }
    at = text.indexOf(HEADER_TEXT, at + 1);
  }
  if (at < 0) return null;
  let headerLine = 1;
  if (firstLine !== null) {
    let before = 0;
    for (let p = text.indexOf("\n"); p >= 0 && p < at; p = text.indexOf("\n", p + 1)) before++;
    headerLine = firstLine + before;
  }
  const block = parseMemStatsBlock(text.slice(at).split("\n"), headerLine);
  if (block && !(options.pauseEnd ?? true)) block.lastPauseEndMs = null;
  return block;
}

export interface MemStatsTextOptions {
  /**
   * Whether to find the largest PauseEnd (`lastPauseEndMs`); false gives null there. A caller whose
   * file name states the capture time never uses that bound, and the 256 19-digit entries are the
   * longest line of the block.
   */
  pauseEnd?: boolean;
}

const HEADER_BYTES = Buffer.from(HEADER_TEXT, "latin1");

/**
 * The names runtime/pprof writes in the block (Go 1.9 to 1.25): the values read (SCALARS, PAIRS and
 * four more) and the ones only recognised. Each has a bit in the byte reader's `seen` mask; a name
 * outside this list is decoded, as the text reader would see it.
 */
const KNOWN_KEYS: readonly string[] = [
  ...SCALARS,
  ...Object.keys(PAIRS),
  "LastGC",
  "PauseEnd",
  "GCCPUFraction",
  "Lookups",
  "PauseNs",
  "DebugGC",
  "EnableGC",
];

/** How the byte reader reads a known name's value. */
const enum ValueKind {
  Scalar,
  Pair,
  LastGC,
  PauseEnd,
  Fraction,
  /** read by neither reader (Lookups, PauseNs, DebugGC, EnableGC): only the line's shape is checked */
  Skipped,
}

function valueKindOf(key: string): ValueKind {
  if (SCALARS.has(key)) return ValueKind.Scalar;
  if (key in PAIRS) return ValueKind.Pair;
  if (key === "LastGC") return ValueKind.LastGC;
  if (key === "PauseEnd") return ValueKind.PauseEnd;
  if (key === "GCCPUFraction") return ValueKind.Fraction;
  return ValueKind.Skipped;
}

const KNOWN_KEY_KINDS = KNOWN_KEYS.map(valueKindOf);

/** The byte reader's hash of a name (h * 33 + c over its bytes, 32-bit). */
function nameHash(h: number, c: number): number {
  return (Math.imul(h, 33) + c) | 0;
}

/**
 * Known names by hash: slot `hash & KEY_SLOT_MASK` holds the name's index + 1 (0: none). The table
 * is the smallest power of two in which the names' hashes do not collide, found at load; a name
 * outside the list that lands in a used slot fails the byte comparison.
 */
const KEY_SLOTS = ((): Int8Array => {
  const hashes = KNOWN_KEYS.map((name) => {
    let h = 0;
    for (let i = 0; i < name.length; i++) h = nameHash(h, name.charCodeAt(i));
    return h;
  });
  for (let size = 32; size <= 1 << 16; size *= 2) {
    const slots = new Int8Array(size);
    let free = true;
    hashes.forEach((h, i) => {
      if (slots[h & (size - 1)] !== 0) free = false;
      else slots[h & (size - 1)] = i + 1;
    });
    if (free) return slots;
  }
  throw new Error("no collision-free table for the MemStats names");
})();
const KEY_SLOT_MASK = KEY_SLOTS.length - 1;

/** Whether the byte ends a line (a newline, or the end of the bytes). */
function endsLine(b: Buffer, i: number, n: number): boolean {
  return i === n || b[i] === 0x0a;
}

/**
 * The block read from bytes without decoding them: the same block as parseMemStatsBlockText of the
 * decoded text, for the block as the runtime writes it. With `firstLine` null the bytes are a file's
 * tail, cut anywhere: its first line is dropped and the header numbered line 1; otherwise the lines
 * before the header are counted from `firstLine`. A week of one-minute snapshots is ten thousand
 * tails. Only the runtime's own shape is read here: from the header on all-ASCII bytes and no carriage
 * return, the header line exactly the header text, and each line empty or `# Name = value` with a
 * value that does not end in white space. null when anything else is met: the caller then decodes the
 * text and reads it line by line, which gives the same answer for what this reads and locates the
 * problems of what it does not. (What precedes the header does not change the text reader's answer:
 * it only counts the newlines there, and a newline byte never sits inside a UTF-8 sequence.)
 *
 * Method: one pass from the header, line by line, with no string made for the usual line: the name's
 * bytes hashed on the way and matched against the known names, a number's digits accumulated in place
 * up to its line's end (BigInt from 16 digits, as u64 reads them), the two 256-entry arrays skipped by
 * one native newline search (PauseEnd decoded only when its largest entry is wanted). Each value is
 * checked as the text reader checks it. A native call per short line (indexOf, toString) cost more
 * than the line's bytes: the block's thirty short lines are walked in JavaScript.
 */
export function parseMemStatsBlockBytes(
  b: Buffer,
  firstLine: number | null,
  options: MemStatsTextOptions = {},
): MemStatsBlock | null {
  const from = firstLine === null ? b.indexOf(0x0a) + 1 : 0;
  let at = b.indexOf(HEADER_BYTES, from);
  while (at >= 0 && at !== from && b[at - 1] !== 0x0a) at = b.indexOf(HEADER_BYTES, at + 1);
  if (at < 0) return null;
  const headerEnd = at + HEADER_BYTES.length;
  if (b[headerEnd] !== 0x0a) return null;
  const block = at === 0 ? b : b.subarray(at);
  if (!isAscii(block) || block.indexOf(0x0d) >= 0) return null;
  let headerLine = 1;
  if (firstLine !== null) {
    headerLine = firstLine;
    for (let q = b.indexOf(0x0a); q >= 0 && q < at; q = b.indexOf(0x0a, q + 1)) headerLine++;
  }
  const pauseEnd = options.pauseEnd ?? true;
  const v: Partial<MemStatsValues> = {};
  const keys: string[] = [];
  let seen = 0;
  let lastPauseEndMs: number | null = null;
  const n = b.length;
  for (let p = headerEnd + 1; p < n;) {
    if (b[p] === 0x0a) {
      p++;
      continue;
    }
    if (b[p] !== 0x23 || b[p + 1] !== 0x20) return null;
    let k = p + 2;
    let h = 0;
    for (; k < n; k++) {
      const c = b[k]!;
      if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f))
        break;
      h = nameHash(h, c);
    }
    const vs = k + 3;
    if (k === p + 2 || vs >= n || b[k] !== 0x20 || b[k + 1] !== 0x3d || b[k + 2] !== 0x20) return null;
    if (b[vs] === 0x0a) return null;
    let known = KEY_SLOTS[h & KEY_SLOT_MASK]! - 1;
    if (known >= 0 && (k - p - 2 !== KNOWN_KEYS[known]!.length || !bytesAt(b, p + 2, KNOWN_KEYS[known]!)))
      known = -1;
    if (known >= 0) {
      if ((seen & (1 << known)) === 0) {
        seen |= 1 << known;
        keys.push(KNOWN_KEYS[known]!);
      }
    } else {
      const key = b.toString("latin1", p + 2, k);
      if (!keys.includes(key)) keys.push(key);
    }
    const kind = known >= 0 ? KNOWN_KEY_KINDS[known]! : ValueKind.Skipped;
    let eol: number;
    if (kind === ValueKind.Scalar) {
      const x = digitRun(b, vs, n);
      eol = digitRunEnd;
      // a value with anything but digits (or ending in white space) is left to the text reader
      if (!endsLine(b, eol, n)) return null;
      setField(v, KNOWN_KEYS[known] as keyof MemStatsValues, x);
    } else if (kind === ValueKind.Pair) {
      const inuse = digitRun(b, vs, n);
      const slash = digitRunEnd;
      if (slash === vs || b[slash] !== 0x20 || b[slash + 1] !== 0x2f || b[slash + 2] !== 0x20) return null;
      const sys = digitRun(b, slash + 3, n);
      eol = digitRunEnd;
      if (eol === slash + 3 || !endsLine(b, eol, n)) return null;
      const pair = PAIRS[KNOWN_KEYS[known]!]!;
      setField(v, pair[0], inuse);
      setField(v, pair[1], sys);
    } else if (kind === ValueKind.LastGC) {
      digitRun(b, vs, n);
      eol = digitRunEnd;
      if (!endsLine(b, eol, n)) return null;
      // Unix ns to ms is dropping the last six digits (nsToMs's integer division)
      const ms = eol - vs > 6 ? nsToMs(b.toString("latin1", vs, eol)) : 0;
      v.LastGCMs = ms === 0 ? null : ms;
    } else {
      if (kind === ValueKind.PauseEnd || (known >= 0 && KNOWN_KEYS[known] === "PauseNs")) {
        // the two 256-entry arrays: one native search for the line's end
        eol = b.indexOf(0x0a, vs);
        if (eol < 0) eol = n;
      } else {
        eol = vs;
        while (eol < n && b[eol] !== 0x0a) eol++;
      }
      // a value ending in white space (trimEnd's business) is left to the text reader
      if (b[eol - 1]! <= 0x20 || b[eol - 1]! >= 0x7f) return null;
      if (kind === ValueKind.PauseEnd) {
        if (pauseEnd && b[vs] === 0x5b && b[eol - 1] === 0x5d && eol - vs >= 2) {
          const list = b.toString("latin1", vs + 1, eol - 1);
          const largest = largestDecimal(list);
          const ms = largest ? nsToMs(list.slice(largest[0], largest[1])) : null;
          if (ms !== null && ms > 0 && (lastPauseEndMs === null || ms > lastPauseEndMs)) lastPauseEndMs = ms;
        }
      } else if (kind === ValueKind.Fraction) {
        const f = Number(b.toString("latin1", vs, eol));
        if (!Number.isFinite(f)) return null;
        v.GCCPUFraction = f;
      }
    }
    p = eol + 1;
  }
  // CORE_FIELDS, each by name (one keyed load per field name is slower than the six named loads)
  const core =
    v.HeapAlloc !== undefined &&
    v.HeapSys !== undefined &&
    v.HeapIdle !== undefined &&
    v.HeapInuse !== undefined &&
    v.HeapReleased !== undefined &&
    v.Sys !== undefined;
  if (!core) return null;
  return { values: v as MemStatsValues, keys, headerLine, lastPauseEndMs, problems: [] };
}

/**
 * The largest unsigned decimal among the whitespace-separated tokens of `list` (tokens that are not
 * all ASCII digits are skipped), as [start, end) of its significant digits; null when there is none
 * above zero. Compared as digit strings (length, then lexicographically): converting each of the 256
 * PauseEnd entries of every snapshot with BigInt costs more than reading the snapshot.
 */
function largestDecimal(list: string): [number, number] | null {
  // The runtime's own form: digits and single spaces, checked natively, then walked token by token
  // (equal-length digit strings order as their numbers); anything else is scanned below.
  if (DIGITS_AND_SPACES.test(list)) {
    // The tokens of list.split(" "), walked in place (no token strings): a longer run of significant
    // digits is larger; on equal length the first differing digit decides, and a tie keeps the first.
    let bestStart = 0;
    let bestEnd = 0;
    const n = list.length;
    for (let from = 0; from <= n;) {
      let to = list.indexOf(" ", from);
      if (to < 0) to = n;
      let s = from;
      while (s < to && list.charCodeAt(s) === 0x30) s++;
      const len = to - s;
      const bestLen = bestEnd - bestStart;
      if (len > bestLen) {
        bestStart = s;
        bestEnd = to;
      } else if (len === bestLen && len > 0) {
        let k = 0;
        while (k < len && list.charCodeAt(s + k) === list.charCodeAt(bestStart + k)) k++;
        if (k < len && list.charCodeAt(s + k) > list.charCodeAt(bestStart + k)) {
          bestStart = s;
          bestEnd = to;
        }
      }
      from = to + 1;
    }
    return bestEnd > bestStart ? [bestStart, bestEnd] : null;
  }
  let bestStart = 0;
  let bestEnd = 0;
  let i = 0;
  const n = list.length;
  while (i < n) {
    while (i < n && isSpace(list.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    let digits = true;
    while (i < n && !isSpace(list.charCodeAt(i))) {
      const c = list.charCodeAt(i);
      if (c < 0x30 || c > 0x39) digits = false;
      i++;
    }
    if (!digits) continue;
    let s = start;
    while (s < i && list.charCodeAt(s) === 0x30) s++;
    const len = i - s;
    const bestLen = bestEnd - bestStart;
    if (len < bestLen || len === 0) continue;
    if (len === bestLen) {
      let k = 0;
      while (k < len && list.charCodeAt(s + k) === list.charCodeAt(bestStart + k)) k++;
      if (k === len || list.charCodeAt(s + k) < list.charCodeAt(bestStart + k)) continue;
    }
    bestStart = s;
    bestEnd = i;
  }
  return bestEnd > bestStart ? [bestStart, bestEnd] : null;
}

const DIGITS_AND_SPACES = /^[0-9 ]*$/;

/** The characters `\s` matches in a JavaScript regular expression (the split the arrays were read with). */
function isSpace(c: number): boolean {
  if (c === 0x20) return true;
  if (c < 0x80) return c >= 0x09 && c <= 0x0d;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * `v[key] = n` with a named store per field. V8 turns an object into a slow dictionary after a dozen
 * properties added by keyed stores (`v[key] = n`), and a block has some thirty fields: ten thousand
 * snapshots then cost 1.4 KiB each instead of a few hundred bytes, and every later read is a lookup.
 */
function setField(v: Partial<MemStatsValues>, key: keyof MemStatsValues, n: number): void {
  switch (key) {
    case "Alloc":
      v.Alloc = n;
      return;
    case "TotalAlloc":
      v.TotalAlloc = n;
      return;
    case "Sys":
      v.Sys = n;
      return;
    case "Mallocs":
      v.Mallocs = n;
      return;
    case "Frees":
      v.Frees = n;
      return;
    case "HeapAlloc":
      v.HeapAlloc = n;
      return;
    case "HeapSys":
      v.HeapSys = n;
      return;
    case "HeapIdle":
      v.HeapIdle = n;
      return;
    case "HeapInuse":
      v.HeapInuse = n;
      return;
    case "HeapReleased":
      v.HeapReleased = n;
      return;
    case "HeapObjects":
      v.HeapObjects = n;
      return;
    case "BuckHashSys":
      v.BuckHashSys = n;
      return;
    case "GCSys":
      v.GCSys = n;
      return;
    case "OtherSys":
      v.OtherSys = n;
      return;
    case "NextGC":
      v.NextGC = n;
      return;
    case "NumGC":
      v.NumGC = n;
      return;
    case "NumForcedGC":
      v.NumForcedGC = n;
      return;
    case "MaxRSS":
      v.MaxRSS = n;
      return;
    case "StackInuse":
      v.StackInuse = n;
      return;
    case "StackSys":
      v.StackSys = n;
      return;
    case "MSpanInuse":
      v.MSpanInuse = n;
      return;
    case "MSpanSys":
      v.MSpanSys = n;
      return;
    case "MCacheInuse":
      v.MCacheInuse = n;
      return;
    case "MCacheSys":
      v.MCacheSys = n;
      return;
    default:
      (v as Record<string, number>)[key] = n;
  }
}

/**
 * Parse the block starting at the `# runtime.MemStats` line. `lines` are the text's lines and
 * `firstLine` the 1-based number of lines[0] in the file (so messages are located in the file).
 */
export function parseMemStatsBlock(lines: string[], firstLine: number): MemStatsBlock | null {
  const start = lines.findIndex(isHeaderLine);
  if (start < 0) return null;
  const v: Partial<MemStatsValues> = {};
  const keys: string[] = [];
  const problems: { line: number; message: string }[] = [];
  let lastPauseEndMs: number | null = null;
  for (let i = start + 1; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const lineNo = firstLine + i;
    if (raw.trim() === "") continue;
    const m = /^# (\w+) = (.*)$/.exec(raw.trimEnd());
    if (!m) {
      problems.push({
        line: lineNo,
        message: `not a '# Name = value' MemStats line: ${JSON.stringify(raw.slice(0, 80))}`,
      });
      continue;
    }
    const key = m[1]!;
    const value = m[2]!;
    if (!keys.includes(key)) keys.push(key);
    if (SCALARS.has(key)) {
      const n = u64(value);
      if (n === null)
        problems.push({
          line: lineNo,
          message: `${key}: expected an unsigned integer, got ${JSON.stringify(value.slice(0, 40))}`,
        });
      else setField(v, key as keyof MemStatsValues, n);
    } else if (key in PAIRS) {
      const pm = /^(\d+) \/ (\d+)$/.exec(value);
      const pair = PAIRS[key]!;
      if (!pm)
        problems.push({
          line: lineNo,
          message: `${key}: expected 'inuse / sys', got ${JSON.stringify(value.slice(0, 40))}`,
        });
      else {
        setField(v, pair[0], u64(pm[1]!)!);
        setField(v, pair[1], u64(pm[2]!)!);
      }
    } else if (key === "LastGC") {
      const ms = nsToMs(value);
      if (ms === null)
        problems.push({
          line: lineNo,
          message: `LastGC: expected Unix nanoseconds, got ${JSON.stringify(value.slice(0, 40))}`,
        });
      else v.LastGCMs = ms === 0 ? null : ms;
    } else if (key === "PauseEnd") {
      const inner = /^\[(.*)\]$/.exec(value);
      if (inner) {
        // the largest entry gives the largest ms (flooring keeps the order); only it is converted
        const list = inner[1]!;
        const largest = largestDecimal(list);
        const ms = largest ? nsToMs(list.slice(largest[0], largest[1])) : null;
        if (ms !== null && ms > 0 && (lastPauseEndMs === null || ms > lastPauseEndMs)) lastPauseEndMs = ms;
      }
    } else if (key === "GCCPUFraction") {
      const f = Number(value);
      if (!Number.isFinite(f))
        problems.push({
          line: lineNo,
          message: `GCCPUFraction: not a number: ${JSON.stringify(value.slice(0, 40))}`,
        });
      else v.GCCPUFraction = f;
    }
    // Lookups, PauseNs, DebugGC, EnableGC: not used.
  }
  for (const f of CORE_FIELDS) {
    if (v[f] === undefined) {
      return {
        values: v as MemStatsValues,
        keys,
        headerLine: firstLine + start,
        lastPauseEndMs,
        problems: [
          ...problems,
          { line: firstLine + lines.length - 1, message: `MemStats block ends without ${f}` },
        ],
      };
    }
  }
  return { values: v as MemStatsValues, keys, headerLine: firstLine + start, lastPauseEndMs, problems };
}

/** True when every core field is present. */
export function hasCoreFields(values: Partial<MemStatsValues>): values is MemStatsValues {
  return CORE_FIELDS.every((f) => typeof values[f] === "number");
}
