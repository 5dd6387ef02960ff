/**
 * Timestamped `/proc/PID/status` lines: a capture loop's `grep VmRSS /proc/$PID/status` behind a
 * timestamp prefix (`date`, `ts`, ISO), one sample per line (FORMATS.md §6.1, §7). VmHWM lines on
 * the same stamp are kept as the peak. A line with the key but no readable stamp or value is a
 * located problem; lines without the key (other tools' output) are skipped.
 */
import type { RssSample } from "../../model/capture.js";
import { located, type CaptureFile, type IngestOptions, type ParseOutcome, type Parser } from "../parser.js";
import { splitLinePrefix } from "../time/line-prefix.js";

const KEY_LINE = /(?:^|\s)(VmRSS|VmHWM):\s+(\d+) kB\s*$/;
const PID_IN_PATH = /(?:^|[^0-9])(?:pid[-_.]?)(\d{1,7})(?![0-9])/i;

export const vmrssLog: Parser = {
  id: "vmrss-log",
  description: "timestamped VmRSS lines (grep VmRSS /proc/PID/status behind a date/ts prefix)",
  sniff(file: CaptureFile): boolean {
    const first = file.headText.split("\n", 8).filter((l) => l.trim() !== "");
    return first.some((l) => KEY_LINE.test(l) && !/^VmRSS:/.test(l));
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const text = await file.readText();
    const lines = text.split("\n");
    const rss: RssSample[] = [];
    const pidMatch = PID_IN_PATH.exec(file.path);
    const pid = pidMatch ? Number(pidMatch[1]) : undefined;
    let firstProblem: { line: number; message: string } | null = null;
    let problems = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === "") continue;
      const m = KEY_LINE.exec(line);
      if (!m) continue;
      const prefix = splitLinePrefix(line, { zone: options.zone, referenceYear: options.referenceYear });
      if (!prefix) {
        problems++;
        firstProblem ??= {
          line: i + 1,
          message: `no timestamp before ${m[1]}: ${JSON.stringify(line.slice(0, 60))}`,
        };
        continue;
      }
      const bytes = Number(m[2]) * 1024;
      if (m[1] === "VmHWM") {
        const last = rss[rss.length - 1];
        if (last && last.t === prefix.t) last.peakBytes = bytes;
        continue;
      }
      rss.push({
        t: prefix.t,
        prov: "record",
        zoneAssumed: prefix.zoneAssumed || undefined,
        src: { path: file.path, line: i + 1 },
        pid,
        kind: "vmrss",
        rssBytes: bytes,
      });
    }
    if (rss.length === 0) {
      return {
        kind: "malformed",
        format: this.id,
        line: firstProblem?.line ?? null,
        message: firstProblem?.message ?? "no timestamped VmRSS line",
      };
    }
    const out: ParseOutcome = { kind: "parsed", format: this.id, records: rss.length, data: { rss } };
    if (firstProblem)
      out.partial = {
        line: firstProblem.line,
        message: located(
          file.path,
          firstProblem.line,
          `${firstProblem.message} (${problems} such line${problems === 1 ? "" : "s"} skipped)`,
        ),
      };
    return out;
  },
};
