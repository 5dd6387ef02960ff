/**
 * Heap and allocs profiles in `debug=1` text (FORMATS.md §1): the `heap profile:` header, stack
 * records, and the `# runtime.MemStats` block at the end. Go 1.9 through 1.25.
 *
 * Only the MemStats block (the file's tail) is read here: the stack records are read later, and only
 * for the snapshots the growth analysis asks for (`readAllocationSites`), which keeps a week of
 * one-minute snapshots cheap. The capture time comes from the file name, else the largest PauseEnd
 * or LastGC (a lower bound), else the mtime.
 */
import type { AllocationSite, Hint } from "../../model/capture.js";
import {
  located,
  startOf,
  type CaptureFile,
  type IngestOptions,
  type ParseOutcome,
  type Parser,
} from "../parser.js";
import { bytesAt, digitRun, digitRunEnd } from "../byte-text.js";
import { stampFile } from "../time/file-stamp.js";
import { parseMemStatsBlockBytes, parseMemStatsBlockText } from "./memstats-block.js";

const HEADER = /^heap profile: (\d+): (\d+) \[(\d+): (\d+)\] @ heap(?:\/(\d+))?/;
/**
 * The MemStats block is about 70 lines: two 256-entry arrays (PauseNs, up to 10 digits a value, and
 * PauseEnd, 19 digits a value: under 8 KiB together) and some 30 scalars, under 10 KiB in all. Its
 * header is looked for in the file's last 12 KiB (every byte read before the header is searched for
 * it, ten thousand snapshots a week); a block that is not there (long values, or no block) is looked
 * for in the whole file.
 */
const TAIL_BYTES = 12 * 1024;

const WITH_PAUSE_END = { pauseEnd: true } as const;
const WITHOUT_PAUSE_END = { pauseEnd: false } as const;

/**
 * HEADER's second group (the in-use bytes) read from the first line's bytes when HEADER matches it,
 * else null (the caller then decodes the line and asks HEADER, for the message). The same answer as
 * Number(HEADER.exec(firstLine)[2]): HEADER is anchored at the start and its match is all ASCII.
 */
export function headerInuseBytes(b: Buffer): number | null {
  if (!bytesAt(b, 0, "heap profile: ") || !digitsThen(b, 14, ": ")) return null;
  const at = digitRunEnd + 2;
  const inuse = digitRun(b, at);
  if (digitRunEnd === at || !bytesAt(b, digitRunEnd, " [")) return null;
  if (!digitsThen(b, digitRunEnd + 2, ": ") || !digitsThen(b, digitRunEnd + 2, "] @ heap")) return null;
  return inuse;
}

/** One `\d+` of HEADER at `at` (one digit or more) and the literal `text` after it. */
function digitsThen(b: Buffer, at: number, text: string): boolean {
  digitRun(b, at);
  return digitRunEnd > at && bytesAt(b, digitRunEnd, text);
}

export const heapDebug1: Parser = {
  id: "heap-debug1",
  description: "heap or allocs profile, debug=1 text with the # runtime.MemStats block",
  sniff(file: CaptureFile): boolean {
    // on the bytes: the head's text is decoded only when a parser needs it (ASCII prefix, same answer),
    // compared here (Buffer.compare's argument checks cost more than the thirteen bytes, and every file
    // of an archive is offered here)
    return bytesAt(startOf(file), 0, "heap profile:");
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const start = startOf(file);
    let totalInuseBytes = headerInuseBytes(start);
    if (totalInuseBytes === null) {
      // the first line decoded alone (a newline byte never sits inside a UTF-8 sequence: same text)
      const firstLine = start.subarray(0, start.indexOf(0x0a) >>> 0).toString("utf8");
      const header = HEADER.exec(firstLine);
      if (!header) {
        return {
          kind: "malformed",
          format: this.id,
          line: 1,
          message: `header is not 'heap profile: N: N [N: N] @ heap/N': ${JSON.stringify(firstLine.slice(0, 80))}`,
        };
      }
      totalInuseBytes = Number(header[2]);
    }
    // The time from the file name when it states one; the PauseEnd bound is then never used, and
    // the block's longest line (256 19-digit PauseEnd entries) is not scanned for it.
    const named = stampFile(file, options, null);
    const memStatsOptions = named.prov === "filename" ? WITHOUT_PAUSE_END : WITH_PAUSE_END;
    let wholeFile = file.size <= TAIL_BYTES;
    // The usual block is read from the bytes (the file's tail, or all of a small file), undecoded;
    // anything else from the text.
    let block = file.readTailBytes
      ? parseMemStatsBlockBytes(await file.readTailBytes(TAIL_BYTES), wholeFile ? 1 : null, memStatsOptions)
      : null;
    let text = "";
    if (!block) {
      text = await file.readTail(TAIL_BYTES);
      // A tail's line numbers are unknown and not counted (a thousand record lines per snapshot); its
      // first line, cut anywhere, is dropped so that only a whole line can be the block's header.
      block = wholeFile
        ? parseMemStatsBlockText(text, 1, memStatsOptions)
        : parseMemStatsBlockText(text.slice(text.indexOf("\n") + 1), null, memStatsOptions);
    }
    if (!block || block.problems.length > 0) {
      // Re-read the whole file so that messages carry real line numbers.
      if (!wholeFile) text = await file.readText();
      wholeFile = true;
      block = parseMemStatsBlockText(text, 1, memStatsOptions);
    }
    if (!block) {
      const lines = text.split("\n");
      const lastLine = lines.length - (lines[lines.length - 1] === "" ? 1 : 0);
      if (isLegacySitesOnly(lines, text)) return sitesOnly(file, options, this.id, totalInuseBytes, lastLine);
      return {
        kind: "malformed",
        format: this.id,
        line: lastLine,
        message: `no '# runtime.MemStats' block: the file ends at line ${lastLine}${text.endsWith("\n") ? "" : " mid-line"} (truncated, or saved without MemStats)`,
      };
    }
    const fatal = block.problems.find((p) => p.message.startsWith("MemStats block ends without"));
    if (fatal)
      return {
        kind: "malformed",
        format: this.id,
        line: fatal.line,
        message: `${fatal.message} (truncated?)`,
      };

    const stamp =
      named.prov === "filename"
        ? named
        : stampFile(file, options, block.lastPauseEndMs ?? block.values.LastGCMs ?? null);
    const hints: Hint[] = [];
    if (block.keys.includes("MaxRSS")) {
      hints.push({
        kind: "go-version-min",
        value: "1.15",
        // the header's line only when the whole file was read (a tail's lines are not counted)
        src: wholeFile ? { path: file.path, line: block.headerLine } : { path: file.path },
        how: "MaxRSS line in the MemStats block (added in Go 1.15)",
      });
    }
    const ms = block.values;
    // one source object for the file's sample and profile reference (ten thousand files a week)
    const src = { path: file.path };
    const sample = {
      t: stamp.t,
      prov: stamp.prov,
      zoneAssumed: stamp.zoneAssumed || undefined,
      src,
      format: this.id,
      ms,
    };
    const outcome: ParseOutcome = {
      kind: "parsed",
      format: this.id,
      records: 1,
      data: {
        memstats: [sample],
        hints,
        heapProfiles: [
          {
            t: stamp.t,
            prov: stamp.prov,
            zoneAssumed: stamp.zoneAssumed || undefined,
            src,
            format: "heap-debug1",
            totalInuseBytes,
            sites: null,
          },
        ],
      },
    };
    if (block.problems.length > 0) {
      const p = block.problems[0]!;
      outcome.partial = { line: p.line, message: located(file.path, p.line, p.message) };
    } else {
      const cut = missingTail(block.keys);
      if (cut) {
        // the text is empty when the block was read from the bytes: decoded now
        const lines = (wholeFile && text !== "" ? text : await file.readText()).split("\n");
        let lastLine = lines.length;
        while (lastLine > 1 && lines[lastLine - 1]!.trim() === "") lastLine--;
        const message = `MemStats block ends after ${cut.after}: ${cut.missing.join(", ")} missing (truncated?)`;
        outcome.partial = { line: lastLine, message: located(file.path, lastLine, message) };
      }
    }
    return outcome;
  },
};

/**
 * The lines runtime/pprof writes after LastGC in every version from Go 1.9 to 1.25 (FORMATS.md §1.1).
 * A block that has LastGC but stops before them was cut (as the go1.23rc1 excerpt of golang/go#68136).
 */
const AFTER_LAST_GC = ["PauseNs", "PauseEnd", "NumGC", "NumForcedGC", "GCCPUFraction", "DebugGC"];

function missingTail(keys: readonly string[]): { after: string; missing: string[] } | null {
  if (!keys.includes("LastGC")) return null;
  const missing = AFTER_LAST_GC.filter((k) => !keys.includes(k));
  if (missing.length === 0) return null;
  const present = ["LastGC", ...AFTER_LAST_GC].filter((k) => keys.includes(k));
  return { after: present[present.length - 1]!, missing };
}

/**
 * True for an old heap profile text with records and no MemStats, as kept in google/pprof's
 * testdata (gobench.heap): records with bare addresses, no `#\t0x…` frame lines, complete last line.
 * The runtime/pprof debug=1 writer of every Go release we read writes frame lines and then MemStats,
 * so a file with frame lines and no MemStats was cut, not written that way.
 */
function isLegacySitesOnly(lines: string[], text: string): boolean {
  if (!text.endsWith("\n")) return false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "") continue;
    if (!RECORD.test(line)) return false;
  }
  return true;
}

/**
 * A heap profile without MemStats still gives allocation sites and a total in-use figure: parsed,
 * with a heap-profile reference and no MemStats sample.
 */
function sitesOnly(
  file: CaptureFile,
  options: IngestOptions,
  format: string,
  totalInuseBytes: number,
  lastLine: number,
): ParseOutcome {
  const stamp = stampFile(file, options, null);
  return {
    kind: "parsed",
    format,
    records: 1,
    data: {
      heapProfiles: [
        {
          t: stamp.t,
          prov: stamp.prov,
          zoneAssumed: stamp.zoneAssumed || undefined,
          src: { path: file.path },
          format: "heap-debug1",
          totalInuseBytes,
          sites: null,
        },
      ],
      issues: [
        {
          severity: "info",
          message: `${file.path}: heap profile text without a '# runtime.MemStats' block (old format, ${lastLine} lines): allocation sites only, no MemStats`,
          src: { path: file.path, line: 1 },
        },
      ],
    },
  };
}

/** runtime/pprof scaleHeapSample: a sample of `count` objects of total `size` at `rate` bytes per sample. */
function scaleHeapSample(count: number, size: number, rate: number): [number, number] {
  if (count === 0 || size === 0 || rate <= 1) return [count, size];
  const avg = size / count;
  const scale = 1 / (1 - Math.exp(-avg / rate));
  return [Math.round(count * scale), Math.round(size * scale)];
}

const RECORD = /^(\d+): (\d+) \[(\d+): (\d+)\] @/;
const FRAME = /^#\t+0x[0-9a-f]+\t+(.+?)\+0x[0-9a-f]+\t+(.+)$/;

/** Runtime and allocator frames are not where the program allocates: skip them to find the site. */
function isRuntimeFrame(func: string): boolean {
  return /^(runtime\.|runtime\/internal\/|internal\/|reflect\.|sync\.\(\*Pool\)|bytes\.growSlice|strings\.\(\*Builder\)\.grow)/.test(
    func,
  );
}

/**
 * The in-use bytes and objects per allocation site of a debug=1 heap text, in any record order
 * (descending in Go <= 1.22, ascending in 1.23+). Records with the same leaf site are summed.
 */
export function readAllocationSites(text: string): AllocationSite[] {
  const bySite = new Map<string, AllocationSite>();
  const lines = text.split("\n");
  // The header's heap/N is 2*MemProfileRate; debug=1 values are unscaled samples, so scale them the way
  // pprof does (runtime/pprof scaleHeapSample) to estimate true in-use bytes.
  const rate = Number(HEADER.exec(lines[0] ?? "")?.[5] ?? "0") / 2;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("# runtime.MemStats")) break;
    const rec = RECORD.exec(line);
    if (!rec) continue;
    const [objects, bytes] = scaleHeapSample(Number(rec[1]), Number(rec[2]), rate);
    const frames: { func: string; loc: string }[] = [];
    for (let j = i + 1; j < lines.length && lines[j]!.startsWith("#\t"); j++) {
      const f = FRAME.exec(lines[j]!);
      if (f) frames.push({ func: f[1]!, loc: f[2]!.trim() });
    }
    if (bytes === 0 && objects === 0) continue;
    if (frames.length === 0) {
      // Old or stripped text: bare addresses only. The address list is the site's identity.
      const addresses = line.slice(rec[0].length).trim().split(/\s+/).filter(Boolean);
      addSite(
        bySite,
        {
          func: addresses.length > 0 ? "(unsymbolized)" : "(no stack)",
          location: "",
          path: addresses.slice(0, 4).join(" < "),
          inuseBytes: bytes,
          inuseObjects: objects,
        },
        addresses.join(" "),
      );
      continue;
    }
    const leafIndex = frames.findIndex((f) => !isRuntimeFrame(f.func));
    const leaf = frames[leafIndex >= 0 ? leafIndex : 0] ?? { func: "(unknown)", loc: "" };
    const path = frames
      .slice(leafIndex >= 0 ? leafIndex : 0, (leafIndex >= 0 ? leafIndex : 0) + 4)
      .map((f) => f.func)
      .join(" < ");
    addSite(
      bySite,
      {
        func: leaf.func,
        location: leaf.loc.replace(/^.*\/(?=[^/]+\/[^/]+$)/, ""),
        path,
        inuseBytes: bytes,
        inuseObjects: objects,
      },
      `${leaf.func}\u0000${leaf.loc}`,
    );
  }
  return [...bySite.values()].sort((a, b) => b.inuseBytes - a.inuseBytes || a.func.localeCompare(b.func));
}

/** Sum a record into its site (records with the same site are summed). */
function addSite(bySite: Map<string, AllocationSite>, record: AllocationSite, key: string): void {
  const site = bySite.get(key);
  if (site) {
    site.inuseBytes += record.inuseBytes;
    site.inuseObjects += record.inuseObjects;
  } else bySite.set(key, record);
}
