/**
 * A short free-text note left beside the captures by whoever ran them, e.g.
 * `catalogd pid 20855 started Tue Nov 24 05:30:46 2026 (box clock), GODEBUG=gctrace=1,madvdontneed=0`.
 * What it states becomes hints: the pid, the process start (anchors raw gctrace `@secs`), GODEBUG,
 * GOGC and GOMEMLIMIT. The sniff is narrow (a small text file that names a pid with a start, or a
 * GODEBUG setting) so that ordinary notes are not claimed; a note stating none of these is not mine.
 */
import type { Hint } from "../../model/capture.js";
import type { CaptureFile, IngestOptions, ParseOutcome, Parser } from "../parser.js";
import { splitLinePrefix } from "../time/line-prefix.js";

/** A note is a few lines; a bigger file is a log or a capture, not a note. */
const MAX_NOTE_BYTES = 4096;

const PID = /\bpid\s*[:=#]?\s*(\d{1,7})\b/i;
const START = /\b(?:process[ _])?(?:started|start(?:ed)?[ _]?time|lstart|start)(?:\s+at)?\s*[:=]?\s*/gi;
const GODEBUG = /\bGODEBUG\s*=\s*["']?((?:[\w.]+=[\w.]+)(?:,[\w.]+=[\w.]+)*)/;
const GOGC = /\bGOGC\s*=\s*["']?(off|\d+)\b/;
const GOMEMLIMIT = /\bGOMEMLIMIT\s*=\s*["']?(\d+)(B|KiB|MiB|GiB|TiB)?\b/;
const UNIT: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 };

export const captureMeta: Parser = {
  id: "capture-meta",
  description: "short note stating the pid, the process start and/or GODEBUG of the captured process",
  sniff(file: CaptureFile): boolean {
    if (file.size > MAX_NOTE_BYTES || file.head.includes(0)) return false;
    const text = file.headText;
    return GODEBUG.test(text) || (PID.test(text) && /\bstart/i.test(text));
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const text = await file.readText();
    const lines = text.split("\n");
    const hints: Hint[] = [];
    // IngestOptions carries exactly what the prefix and time-of-day readers need.
    const ctx = options;
    let pid: number | undefined;
    for (let i = 0; i < lines.length && pid === undefined; i++) {
      const m = PID.exec(lines[i]!);
      if (m) {
        pid = Number(m[1]);
        hints.push({
          kind: "pid",
          value: pid,
          src: { path: file.path, line: i + 1 },
          how: "stated in a note",
        });
      }
    }
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const src = { path: file.path, line: i + 1 };
      if (!hints.some((h) => h.kind === "process-start")) {
        for (const m of line.matchAll(START)) {
          // Notes punctuate: "started 2024-05-09T09:54:12Z, GODEBUG=..." (a comma before a space ends the stamp).
          const after = line.slice(m.index + m[0].length).replace(/[,;)](?=\s|$)/, " ");
          const stamp = splitLinePrefix(after, ctx);
          if (!stamp) continue;
          hints.push({
            kind: "process-start",
            value: stamp.t,
            src,
            how: stamp.zoneAssumed
              ? `process start stated in a note (no zone: ${options.zone} assumed)`
              : "process start stated in a note",
            pid,
          });
          break;
        }
      }
      const dbg = GODEBUG.exec(line);
      if (dbg) hints.push({ kind: "godebug", value: dbg[1]!, src, how: "GODEBUG stated in a note", pid });
      const gogc = GOGC.exec(line);
      if (gogc) hints.push({ kind: "gogc", value: gogc[1]!, src, how: "GOGC stated in a note", pid });
      const lim = GOMEMLIMIT.exec(line);
      if (lim) {
        const bytes = Number(lim[1]) * (UNIT[lim[2] ?? "B"] ?? 1);
        hints.push({ kind: "gomemlimit", value: bytes, src, how: "GOMEMLIMIT stated in a note", pid });
      }
    }
    const useful = hints.filter((h) => h.kind !== "pid");
    if (useful.length === 0 && !hints.some((h) => h.kind === "pid" && /\bstart/i.test(text))) {
      return { kind: "not-mine" };
    }
    return { kind: "parsed", format: this.id, records: hints.length, data: { hints } };
  },
};
