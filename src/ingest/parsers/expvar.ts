/**
 * expvar `/debug/vars` JSON (FORMATS.md §3): `{"cmdline": [...], "memstats": {...}, <app vars>}`, and
 * a bare `json.Marshal(runtime.MemStats)` object (as pasted in issues).
 *
 * The memstats object is not handed to JSON.parse: LastGC and PauseEnd are Unix nanoseconds above
 * 2^53 and TotalAlloc can pass it too, which JSON.parse would round. Instead a small string-aware
 * scanner walks the object and keeps each top-level member's raw text; integers are read from that
 * text (BigInt where they may exceed 2^53). The same scanner reads the outer object's members, so an
 * app-published `goroutines` count is used and every other app key is ignored (`cmdline` is never
 * reported). A file cut part way (the issue #18896 paste stops inside PauseNs) is parsed up to its
 * cut when the MemStats fields memgap needs came before it.
 *
 * Time: the file or folder name, else the last GC (largest PauseEnd, else LastGC) as a lower bound,
 * else the mtime.
 */
import type { MemStatsValues } from "../../model/capture.js";
import type { CaptureFile, IngestOptions, ParseOutcome, Parser } from "../parser.js";
import { stampFile } from "../time/file-stamp.js";
import { CORE_FIELDS } from "./memstats-block.js";

/** MemStats fields read as unsigned integers. */
const UINT_FIELDS: (keyof MemStatsValues)[] = [
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
  "StackInuse",
  "StackSys",
  "MSpanInuse",
  "MSpanSys",
  "MCacheInuse",
  "MCacheSys",
  "BuckHashSys",
  "GCSys",
  "OtherSys",
  "NextGC",
  "NumGC",
  "NumForcedGC",
  "PauseTotalNs",
];

interface Member {
  key: string;
  /** raw JSON text of the value; cut short when `complete` is false */
  raw: string;
  /** offset of the value in the text */
  at: number;
  complete: boolean;
}

interface ScanResult {
  members: Member[];
  /** offset where the object (or the text) ended without closing, null when it closed */
  cutAt: number | null;
}

/**
 * Walk the object that opens at `start` (a `{`) and return its members with their raw value text.
 * String-aware (escapes, braces inside strings); never converts numbers.
 */
function scanObject(text: string, start: number): ScanResult {
  const members: Member[] = [];
  let i = start + 1;
  const skipWs = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const readString = (): string | null => {
    if (text[i] !== '"') return null;
    const from = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    if (i >= text.length) return null;
    i++;
    try {
      return JSON.parse(text.slice(from, i)) as string;
    } catch {
      return null;
    }
  };
  /** Skip one JSON value; true when it ended inside the text. */
  const skipValue = (): boolean => {
    let depth = 0;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        if (readString() === null) return false;
        if (depth === 0) return true;
        continue;
      }
      if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        if (depth === 0) return true; // the enclosing object closes: a scalar ended
        depth--;
        if (depth === 0) {
          i++;
          return true;
        }
      } else if (c === "," && depth === 0) return true;
      i++;
    }
    return false;
  };
  for (;;) {
    skipWs();
    if (i >= text.length) return { members, cutAt: i };
    if (text[i] === "}") return { members, cutAt: null };
    if (text[i] === ",") {
      i++;
      continue;
    }
    const key = readString();
    if (key === null) return { members, cutAt: i };
    skipWs();
    if (text[i] !== ":") return { members, cutAt: i };
    i++;
    skipWs();
    const at = i;
    const complete = skipValue();
    members.push({ key, raw: text.slice(at, i).trim(), at, complete });
    if (!complete) return { members, cutAt: i };
  }
}

/** The 1-based line of `offset`, backed up over trailing whitespace (a cut is where the text stops). */
function lineAt(text: string, offset: number): number {
  while (offset > 0 && /\s/.test(text[offset - 1] ?? "") && offset >= text.trimEnd().length) offset--;
  let line = 1;
  for (let k = 0; k < offset && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}

/** Unix ns text to epoch ms (BigInt: the values are above 2^53); null for 0. */
function nsToMs(digits: string): number | null {
  const ms = Number(BigInt(digits) / 1_000_000n);
  return ms > 0 ? ms : null;
}

function firstBrace(text: string): number {
  const m = /^\uFEFF?\s*\{/.exec(text);
  return m ? m[0].length - 1 : -1;
}

export const expvar: Parser = {
  id: "expvar",
  description: "expvar /debug/vars JSON (memstats object), or a bare runtime.MemStats JSON object",
  sniff(file: CaptureFile): boolean {
    const head = file.headText;
    if (firstBrace(head) < 0) return false;
    return /"memstats"\s*:|"cmdline"\s*:/.test(head) || /^\uFEFF?\s*\{\s*"Alloc"\s*:\s*\d/.test(head);
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const text = await file.readText();
    const open = firstBrace(text);
    const outer = scanObject(text, open);
    let memstats: ScanResult;
    let goroutines: number | undefined;
    const memMember = outer.members.find((m) => m.key === "memstats");
    if (memMember) {
      if (!memMember.raw.startsWith("{"))
        return {
          kind: "malformed",
          format: this.id,
          line: lineAt(text, memMember.at),
          message: `"memstats" is not an object: ${JSON.stringify(memMember.raw.slice(0, 40))}`,
        };
      memstats = scanObject(text, memMember.at);
      const g = outer.members.find((m) => m.key === "goroutines" && m.complete);
      if (g && /^\d+$/.test(g.raw)) goroutines = Number(g.raw);
    } else if (outer.members[0]?.key === "Alloc") {
      memstats = outer;
    } else {
      // Some other JSON with a cmdline key: not /debug/vars unless memstats is somewhere in it.
      if (outer.cutAt === null) return { kind: "not-mine" };
      return {
        kind: "malformed",
        format: this.id,
        line: lineAt(text, outer.cutAt),
        message: 'the JSON ends before a "memstats" member (truncated?)',
      };
    }

    const fields = new Map<string, Member>();
    for (const m of memstats.members) if (!fields.has(m.key)) fields.set(m.key, m);
    const ms: Partial<MemStatsValues> = {};
    for (const name of UINT_FIELDS) {
      const m = fields.get(name);
      if (!m || !m.complete) continue;
      if (!/^\d+$/.test(m.raw))
        return {
          kind: "malformed",
          format: this.id,
          line: lineAt(text, m.at),
          message: `memstats.${name}: expected an unsigned integer, got ${JSON.stringify(m.raw.slice(0, 40))}`,
        };
      // Exact below 2^53; TotalAlloc of a long-lived process can pass it and is rounded deliberately.
      (ms as Record<string, number>)[name] = m.raw.length < 16 ? Number(m.raw) : Number(BigInt(m.raw));
    }
    const lastGc = fields.get("LastGC");
    if (lastGc?.complete && /^\d+$/.test(lastGc.raw)) ms.LastGCMs = nsToMs(lastGc.raw);
    const frac = fields.get("GCCPUFraction");
    if (frac?.complete && Number.isFinite(Number(frac.raw))) ms.GCCPUFraction = Number(frac.raw);
    let lastPauseEndMs: number | null = null;
    const pauseEnd = fields.get("PauseEnd");
    if (pauseEnd?.complete) {
      for (const tok of pauseEnd.raw.replace(/[[\]]/g, "").split(",")) {
        const d = tok.trim();
        if (!/^\d+$/.test(d)) continue;
        const v = nsToMs(d);
        if (v !== null && (lastPauseEndMs === null || v > lastPauseEndMs)) lastPauseEndMs = v;
      }
    }

    const cut = memstats.cutAt ?? outer.cutAt;
    const missing = CORE_FIELDS.filter((f) => ms[f] === undefined);
    if (missing.length > 0) {
      const line = cut !== null ? lineAt(text, cut) : lineAt(text, memMember?.at ?? open);
      return {
        kind: "malformed",
        format: this.id,
        line,
        message:
          cut !== null
            ? `the JSON is cut before memstats ${missing.join(", ")}`
            : `memstats lacks ${missing.join(", ")}`,
      };
    }
    const stamp = stampFile(file, options, lastPauseEndMs ?? ms.LastGCMs ?? null);
    const outcome: ParseOutcome = {
      kind: "parsed",
      format: this.id,
      records: 1,
      data: {
        memstats: [
          {
            t: stamp.t,
            prov: stamp.prov,
            zoneAssumed: stamp.zoneAssumed || undefined,
            src: { path: file.path },
            format: this.id,
            ms: ms as MemStatsValues,
            ...(goroutines !== undefined ? { goroutines } : {}),
          },
        ],
      },
    };
    if (cut !== null) {
      const line = lineAt(text, cut);
      const inside = memstats.members[memstats.members.length - 1];
      const where = inside && !inside.complete ? ` inside ${inside.key}` : "";
      outcome.partial = {
        line,
        message: `${file.path}:${line}: the JSON ends${where} before it closes (truncated); the fields before the cut are used`,
      };
    }
    return outcome;
  },
};
