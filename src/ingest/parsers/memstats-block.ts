/**
 * The `# runtime.MemStats` block that ends heap and allocs `debug=1` text (FORMATS.md §1.1):
 * `# Name = value` lines, `# Stack = inuse / sys` pairs, and the 256-entry PauseNs/PauseEnd arrays.
 * LastGC and PauseEnd are Unix nanoseconds above 2^53, so they are read with BigInt.
 */
import type { MemStatsValues } from "../../model/capture.js";

export interface MemStatsBlock {
  values: MemStatsValues;
  /** keys seen, to prove a Go version (MaxRSS => 1.15+) */
  keys: Set<string>;
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

/**
 * Parse the block starting at the `# runtime.MemStats` line. `lines` are the text's lines and
 * `firstLine` the 1-based number of lines[0] in the file (so messages are located in the file).
 */
export function parseMemStatsBlock(lines: string[], firstLine: number): MemStatsBlock | null {
  const start = lines.findIndex((l) => l.trimEnd() === "# runtime.MemStats");
  if (start < 0) return null;
  const v: Partial<MemStatsValues> = {};
  const keys = new Set<string>();
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
    keys.add(key);
    if (SCALARS.has(key)) {
      const n = u64(value);
      if (n === null)
        problems.push({
          line: lineNo,
          message: `${key}: expected an unsigned integer, got ${JSON.stringify(value.slice(0, 40))}`,
        });
      else (v as Record<string, number>)[key] = n;
    } else if (key in PAIRS) {
      const pm = /^(\d+) \/ (\d+)$/.exec(value);
      const pair = PAIRS[key]!;
      if (!pm)
        problems.push({
          line: lineNo,
          message: `${key}: expected 'inuse / sys', got ${JSON.stringify(value.slice(0, 40))}`,
        });
      else {
        (v as Record<string, number>)[pair[0]] = u64(pm[1]!)!;
        (v as Record<string, number>)[pair[1]] = u64(pm[2]!)!;
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
        for (const tok of inner[1]!.split(/\s+/)) {
          const ms = nsToMs(tok);
          if (ms !== null && ms > 0 && (lastPauseEndMs === null || ms > lastPauseEndMs)) lastPauseEndMs = ms;
        }
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
