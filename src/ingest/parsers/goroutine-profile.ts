/**
 * Goroutine profiles in text (`/debug/pprof/goroutine?debug=1` and `?debug=2`):
 *  - debug=1 starts with `goroutine profile: total N`, N being the goroutine count (the stacks below
 *    are grouped, so only the header is read: capture scripts often keep just the first lines);
 *  - debug=2 is a full dump, one `goroutine N [state]:` header per goroutine: they are counted.
 * A file may hold several profiles one after another (a loop appending): each debug=1 header, or a
 * line holding only a timestamp, starts a new one; that timestamp line gives its time.
 * Time otherwise: the file or folder name, else the mtime.
 */
import type { DataIssue, GoroutineSample } from "../../model/capture.js";
import type { CaptureFile, IngestOptions, ParseOutcome, Parser } from "../parser.js";
import { stampFile } from "../time/file-stamp.js";
import { splitLinePrefix } from "../time/line-prefix.js";

const DEBUG1_HEADER = /^goroutine profile: total (\d+)\s*$/;
/** `goroutine 18 [chan receive, 5 minutes]:`, `goroutine 1 [running]:`, 1.21+ `goroutine 7 gp=0x… m=nil [select]:` */
const DEBUG2_HEADER = /^goroutine (\d+)(?: [^[]*)? \[[^\]]*\]:\s*$/;

interface Dump {
  line: number;
  stamp: { t: number; zoneAssumed: boolean } | null;
  /** debug=1 header total, or the running count of debug=2 headers */
  count: number;
  kind: "debug=1" | "debug=2";
}

function firstMeaningfulLine(text: string): string {
  for (const raw of text.split("\n", 8)) {
    const line = raw.trim();
    if (line !== "") return line;
  }
  return "";
}

export const goroutineProfile: Parser = {
  id: "goroutine-profile",
  description: "goroutine profile text (debug=1 'goroutine profile: total N', debug=2 full dump)",
  sniff(file: CaptureFile): boolean {
    const first = firstMeaningfulLine(file.headText);
    if (DEBUG1_HEADER.test(first) || DEBUG2_HEADER.test(first)) return true;
    // A timestamp line written before the profile by a capture loop.
    const lines = file.headText.split("\n", 4).map((l) => l.trim());
    return lines.length > 1 && (DEBUG1_HEADER.test(lines[1]!) || DEBUG2_HEADER.test(lines[1]!));
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const text = await file.readText();
    const lines = text.split("\n");
    const dumps: Dump[] = [];
    let pendingStamp: Dump["stamp"] = null;
    let current: Dump | null = null;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/\r$/, "");
      const h1 = DEBUG1_HEADER.exec(line);
      if (h1) {
        current = { line: i + 1, stamp: pendingStamp, count: Number(h1[1]), kind: "debug=1" };
        pendingStamp = null;
        dumps.push(current);
        continue;
      }
      if (DEBUG2_HEADER.test(line)) {
        if (!current || current.kind !== "debug=2" || pendingStamp) {
          current = { line: i + 1, stamp: pendingStamp, count: 0, kind: "debug=2" };
          pendingStamp = null;
          dumps.push(current);
        }
        current.count++;
        continue;
      }
      // Stack lines start with a tab, `#` or a function name; a stamp line is only a timestamp.
      if (line !== "" && !line.startsWith("\t") && !line.startsWith("#")) {
        const prefix = splitLinePrefix(line.trim(), options);
        if (prefix && prefix.rest.trim() === "") {
          pendingStamp = { t: prefix.t, zoneAssumed: prefix.zoneAssumed };
          current = null;
        }
      }
    }
    if (dumps.length === 0)
      return { kind: "malformed", format: this.id, line: 1, message: "no goroutine profile header found" };
    const issues: DataIssue[] = [];
    const fileStamp = stampFile(file, options);
    if (dumps.length > 1 && dumps.some((d) => !d.stamp))
      issues.push({
        severity: "warning",
        message: `${file.path}: ${dumps.length} goroutine profiles but not every one has its own timestamp line; they share the file's time`,
        src: { path: file.path },
      });
    const samples: GoroutineSample[] = dumps.map((d) => ({
      t: d.stamp ? d.stamp.t : fileStamp.t,
      prov: d.stamp ? "record" : fileStamp.prov,
      zoneAssumed: (d.stamp ? d.stamp.zoneAssumed : fileStamp.zoneAssumed) || undefined,
      src: { path: file.path, line: d.line },
      count: d.count,
      format: this.id,
    }));
    return {
      kind: "parsed",
      format: this.id,
      records: samples.length,
      data: { goroutines: samples, issues },
    };
  },
};
