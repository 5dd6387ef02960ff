/**
 * The `# runtime.MemStats` block of a heap `debug=1` profile saved without the records before it
 * (FORMATS.md §1.1): what `curl -s .../heap?debug=1 | grep '^# '` or `sed -n '/runtime.MemStats/,$p'`
 * keep, and what people paste into tickets and posts. The file may start with the shell command that
 * produced it (`$ curl ...`), and values may carry a note the author typed after them
 * (`# Sys = 141271320 -- 134M`): the runtime never prints ` -- ` there, so the note is dropped and
 * counted. A block cut before the lines that follow LastGC is kept, flagged partial.
 *
 * No heap profile reference is produced (there are no records); the time comes from the file name,
 * else LastGC / the last PauseEnd (a lower bound), else the mtime.
 */
import type { DataIssue, Hint } from "../../model/capture.js";
import { located, type CaptureFile, type IngestOptions, type ParseOutcome, type Parser } from "../parser.js";
import { stampFile } from "../time/file-stamp.js";
import { parseMemStatsBlockText } from "./memstats-block.js";

const HEADER = "# runtime.MemStats";
/** A shell prompt and command line pasted above the output (`$ curl ...`, `# curl ...`, `> curl`). */
const COMMAND_LINE = /^\s*(?:[$>%]|\w+@[\w.-]+[:~][^$#]*[$#])\s*\S/;
/** Lines looked at before the header when sniffing: one command line and blanks. */
const SNIFF_LINES = 3;
/** `# Key = value -- note`: a note typed after the value. */
const PASTED_NOTE = /^(# \w+ = [^-]*?\S)\s+--\s.*$/;
/** The lines runtime/pprof writes after LastGC in Go 1.9 to 1.25. */
const AFTER_LAST_GC = ["PauseNs", "PauseEnd", "NumGC", "NumForcedGC", "GCCPUFraction", "DebugGC"];

function headerIndex(lines: string[], limit: number): number {
  for (let i = 0; i < Math.min(lines.length, limit); i++) {
    const line = lines[i]!.replace(/\r$/, "");
    if (line.trimEnd() === HEADER) return i;
    if (line.trim() !== "" && !COMMAND_LINE.test(line)) return -1;
  }
  return -1;
}

export const memstatsExcerpt: Parser = {
  id: "memstats-excerpt",
  description: "the # runtime.MemStats block of a heap debug=1 profile, saved or pasted alone",
  sniff(file: CaptureFile): boolean {
    if (file.head.includes(0)) return false;
    return headerIndex(file.headText.split("\n", SNIFF_LINES + 1), SNIFF_LINES + 1) >= 0;
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const text = await file.readText();
    const lines = text.split("\n");
    const at = headerIndex(lines, SNIFF_LINES + 1);
    if (at < 0) return { kind: "not-mine" };
    let notes = 0;
    let firstNote = 0;
    const cleaned = lines.map((raw, i) => {
      const m = PASTED_NOTE.exec(raw.replace(/\r$/, ""));
      if (!m) return raw;
      if (notes++ === 0) firstNote = i + 1;
      return m[1]!;
    });
    // Blank the command lines so that line numbers stay those of the file.
    for (let i = 0; i < at; i++) cleaned[i] = "";
    const block = parseMemStatsBlockText(cleaned.join("\n"), 1);
    if (!block) return { kind: "not-mine" };
    const fatal = block.problems.find((p) => p.message.startsWith("MemStats block ends without"));
    if (fatal || block.values.HeapAlloc === undefined)
      return {
        kind: "malformed",
        format: this.id,
        line: fatal?.line ?? block.headerLine,
        message: fatal?.message ?? "MemStats block without HeapAlloc",
      };
    const stamp = stampFile(file, options, block.lastPauseEndMs ?? block.values.LastGCMs ?? null);
    const issues: DataIssue[] = [];
    if (notes > 0)
      issues.push({
        severity: "info",
        message: located(
          file.path,
          firstNote,
          `${notes} value${notes === 1 ? "" : "s"} carried a note typed after them (' -- ...'); the notes were ignored`,
        ),
        src: { path: file.path, line: firstNote },
      });
    if (stamp.prov !== "filename")
      issues.push({
        severity: "warning",
        message: `${file.path}: the MemStats block carries no capture time; ${stamp.prov === "data-bound" ? "LastGC (a lower bound) is used" : "the file's mtime is used"}`,
        src: { path: file.path, line: block.headerLine },
      });
    const hints: Hint[] = [];
    if (block.keys.includes("MaxRSS"))
      hints.push({
        kind: "go-version-min",
        value: "1.15",
        src: { path: file.path, line: block.headerLine },
        how: "MaxRSS line in the MemStats block (added in Go 1.15)",
      });
    const outcome: ParseOutcome = {
      kind: "parsed",
      format: this.id,
      records: 1,
      data: {
        memstats: [
          {
            t: stamp.t,
            prov: stamp.prov,
            ...(stamp.zoneAssumed ? { zoneAssumed: true } : {}),
            src: { path: file.path, line: block.headerLine },
            format: "heap-debug1",
            ms: block.values,
          },
        ],
        hints,
        issues,
      },
    };
    const missing = block.keys.includes("LastGC") ? AFTER_LAST_GC.filter((k) => !block.keys.includes(k)) : [];
    const problem = block.problems[0];
    if (problem)
      outcome.partial = { line: problem.line, message: located(file.path, problem.line, problem.message) };
    else if (missing.length > 0) {
      let last = lines.length;
      while (last > 1 && lines[last - 1]!.trim() === "") last--;
      outcome.partial = {
        line: last,
        message: located(
          file.path,
          last,
          `MemStats block ends before ${missing.join(", ")} (cut when pasted?)`,
        ),
      };
    }
    return outcome;
  },
};
