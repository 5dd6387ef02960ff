/**
 * Copies of `/proc/PID/status` (FORMATS.md §6.1): `Key:\t<spaces>value[ kB]` lines whose set and order
 * vary by kernel, so they are read key by key. VmRSS is the sample, VmHWM its peak, RssAnon the
 * anonymous part (kernel 4.5+). A copy has no time of its own: it is timed by the file or folder name.
 * A file may also hold several copies appended by a loop (`date; cat /proc/$PID/status`): each copy
 * starts at `Name:` and takes the stamp of a date line before it. The PID comes from the `Pid:` line,
 * else from the path (`/proc/1234/status`, `status-1234-...`, `pid1234`). A kernel thread's status has
 * no Vm lines: there is no RSS to read, so such a file is ignored with that reason.
 */
import type { RssSample } from "../../model/capture.js";
import {
  located,
  linesOf,
  type CaptureFile,
  type IngestOptions,
  type ParseOutcome,
  type Parser,
} from "../parser.js";
import { stampFile } from "../time/file-stamp.js";
import { splitLinePrefix } from "../time/line-prefix.js";
import { rssSeriesOf } from "../../common/rss-series.js";

const KV = /^([A-Za-z_][\w()]*):\s*(.*?)\s*$/;
const KB = /^(\d+) kB$/;
const PID_IN_PATH = [
  /(?:^|\/)(\d{1,7})\/status[^/]*$/,
  /status[-_.](\d{1,7})(?![0-9])/i,
  /(?:^|[^0-9a-z])pid[-_.]?(\d{1,7})(?![0-9])/i,
];

function pidFromPath(path: string): number | undefined {
  for (const re of PID_IN_PATH) {
    const m = re.exec(path);
    if (m) return Number(m[1]);
  }
  return undefined;
}

interface Copy {
  line: number;
  values: Map<string, string>;
  rssLine: number;
  stamp: { t: number; zoneAssumed: boolean } | null;
}

export const procStatus: Parser = {
  id: "proc-status",
  description: "copy of /proc/PID/status (VmRSS, VmHWM, RssAnon), timed by the file name",
  sniff(file: CaptureFile): boolean {
    if (file.head.includes(0)) return false;
    const text = file.headText;
    return /^Name:\s/m.test(text) && /^(Pid|Tgid|State|Umask):\s/m.test(text);
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    // IngestOptions carries exactly what the prefix and time-of-day readers need.
    const ctx = options;
    const copies: Copy[] = [];
    let pendingStamp: Copy["stamp"] = null;
    // streamed line by line: memory follows the samples kept, not the size of the file
    let i = -1;
    for await (const line of linesOf(file)) {
      i++;
      if (line.trim() === "") continue;
      const kv = KV.exec(line);
      if (kv && !splitLinePrefix(line, ctx)) {
        if (kv[1] === "Name" || copies.length === 0) {
          copies.push({ line: i + 1, values: new Map(), rssLine: 0, stamp: pendingStamp });
          pendingStamp = null;
        }
        const copy = copies[copies.length - 1]!;
        copy.values.set(kv[1]!, kv[2]!);
        if (kv[1] === "VmRSS") copy.rssLine = i + 1;
        continue;
      }
      const stamp = splitLinePrefix(line, ctx);
      if (stamp && stamp.rest.trim() === "") pendingStamp = { t: stamp.t, zoneAssumed: stamp.zoneAssumed };
    }
    const fileStamp = stampFile(file, options);
    const pathPid = pidFromPath(file.path);
    const rss: RssSample[] = [];
    let kernelThreads = 0;
    let firstProblem: { line: number; message: string } | null = null;
    for (const c of copies) {
      const vmrss = c.values.get("VmRSS");
      const pidText = c.values.get("Pid");
      const pid = pidText && /^\d+$/.test(pidText) ? Number(pidText) : pathPid;
      if (vmrss === undefined) {
        if (!c.values.has("VmSize") && c.values.has("Threads")) kernelThreads++;
        else firstProblem ??= { line: c.line, message: "status copy without a VmRSS line (cut short?)" };
        continue;
      }
      const kb = KB.exec(vmrss);
      if (!kb) {
        firstProblem ??= { line: c.rssLine, message: `VmRSS is not 'N kB': ${JSON.stringify(vmrss)}` };
        continue;
      }
      const kbOf = (key: string): number | undefined => {
        const m = KB.exec(c.values.get(key) ?? "");
        return m ? Number(m[1]) * 1024 : undefined;
      };
      // Several copies in one file need their own stamps; the file's name can time only one.
      if (!c.stamp && copies.length > 1 && rss.length > 0) {
        firstProblem ??= { line: c.line, message: "second status copy without a date line before it" };
        continue;
      }
      rss.push({
        t: c.stamp ? c.stamp.t : fileStamp.t,
        prov: c.stamp ? "record" : fileStamp.prov,
        zoneAssumed: (c.stamp ? c.stamp.zoneAssumed : fileStamp.zoneAssumed) || undefined,
        src: { path: file.path, line: c.rssLine },
        pid,
        kind: "vmrss",
        rssBytes: Number(kb[1]) * 1024,
        peakBytes: kbOf("VmHWM"),
        anonBytes: kbOf("RssAnon"),
      });
    }
    if (rss.length === 0) {
      if (kernelThreads > 0 && !firstProblem) {
        return {
          kind: "ignored",
          format: this.id,
          message: "status of a kernel thread (no Vm lines): no resident set to read",
        };
      }
      return {
        kind: "malformed",
        format: this.id,
        line: firstProblem?.line ?? null,
        message: firstProblem?.message ?? "no VmRSS line",
      };
    }
    const out: ParseOutcome = {
      kind: "parsed",
      format: this.id,
      records: rss.length,
      data: { rss: rssSeriesOf(rss) },
    };
    if (firstProblem) {
      out.partial = {
        line: firstProblem.line,
        message: located(file.path, firstProblem.line, firstProblem.message),
      };
    }
    return out;
  },
};
