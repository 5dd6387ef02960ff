/**
 * `ps` output saved by a capture loop (FORMATS.md §6.3): blocks of a date line (`date +%s`, `date -Is`,
 * `date`, ...) followed by `ps -o pid,rss,vsz,etime,comm -p $PID` (a header and a row), or a single
 * `ps aux` table timed by the file name. Columns are found from the header (PID, RSS/RSZ, VSZ,
 * ELAPSED, STARTED for lstart, COMMAND/CMD/COMM last); RSS and VSZ are KiB.
 *
 * A header with no row is a sample of "process absent" (the PID was gone when ps ran): it is not an
 * error, and the spans of absence are reported as data-quality notes. `etime` (`[[DD-]hh:]mm:ss`, or
 * seconds from `etimes`) gives a process start for each PID. Method: each sample bounds the start
 * to t - etime +- 1 s (etime is whole seconds rounded down, and `date +%s` is rounded down and runs
 * just before ps); the bounds of all the PID's samples are intersected and the middle is taken.
 */
import type { DataIssue, Hint, ProcessAbsence, Provenance, RssSample } from "../../model/capture.js";
import { chooseSubject, type ProcessRow, rowSample } from "../process-table.js";
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

const HEADER = /^\s*(?:USER\s+)?PID\s+.*\b(?:RSS|RSZ)\b/;
/** How far t - etime can be from the true start: etime and `date +%s` are both whole seconds. */
const ETIME_SLACK_MS = 1000;
/** lstart prints a ctime-style date of five tokens: `Thu May  9 09:54:12 2024`. */
const LSTART_TOKENS = 5;

interface PsRow extends ProcessRow {
  vszBytes?: number;
  etimeSec?: number;
}

interface Block {
  stamp: { t: number; zoneAssumed: boolean; prov: Provenance } | null;
  headerLine: number;
  rows: PsRow[];
}

/** `[[DD-]hh:]mm:ss` (etime) or plain seconds (etimes) to seconds; null when neither. */
export function parseEtime(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(?:(?:(\d+)-)?(\d{1,2}):)?(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return null;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3])) * 60 + Number(m[4]);
}

function columnsOf(header: string): string[] {
  return header.trim().split(/\s+/);
}

function parseRow(cols: string[], line: string, lineNo: number): PsRow | string {
  const tokens = line.trim().split(/\s+/);
  const value: Record<string, string> = {};
  let k = 0;
  for (let c = 0; c < cols.length; c++) {
    const name = cols[c]!;
    const last = c === cols.length - 1;
    if (last && /^(COMMAND|CMD|COMM|ARGS|UCOMM)$/.test(name)) {
      value[name] = tokens.slice(k).join(" ");
      k = tokens.length;
      break;
    }
    if (name === "STARTED" || name === "LSTART") {
      value[name] = tokens.slice(k, k + LSTART_TOKENS).join(" ");
      k += LSTART_TOKENS;
      continue;
    }
    value[name] = tokens[k++] ?? "";
  }
  const pid = value["PID"];
  const rss = value["RSS"] ?? value["RSZ"];
  if (!pid || !/^\d+$/.test(pid)) return `PID column is not a number: ${JSON.stringify(line.slice(0, 60))}`;
  if (!rss || !/^\d+$/.test(rss))
    return `RSS column is not a number of KiB: ${JSON.stringify(line.slice(0, 60))}`;
  const row: PsRow = {
    pid: Number(pid),
    command: value["COMMAND"] ?? value["CMD"] ?? value["COMM"] ?? value["ARGS"] ?? value["UCOMM"] ?? "",
    rssBytes: Number(rss) * 1024,
    line: lineNo,
  };
  const vsz = value["VSZ"] ?? value["VSIZE"];
  if (vsz && /^\d+$/.test(vsz)) row.vszBytes = Number(vsz) * 1024;
  const elapsed = value["ELAPSED"] ?? value["ETIME"] ?? value["ETIMES"];
  if (elapsed) {
    const s = parseEtime(elapsed);
    if (s !== null) row.etimeSec = s;
  }
  return row;
}

export const ps: Parser = {
  id: "ps",
  description: "ps output (date line + ps -o pid,rss,...; ps aux), RSS per PID",
  sniff(file: CaptureFile): boolean {
    if (file.head.includes(0)) return false;
    const lines = file.headText.split("\n", 40);
    return lines.some((l) => HEADER.test(l) && !/minflt|\bRES\b|%VSZ/.test(l));
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    // IngestOptions carries exactly what the prefix and time-of-day readers need.
    const ctx = options;
    const blocks: Block[] = [];
    let cols: string[] | null = null;
    let pendingStamp: Block["stamp"] = null;
    let firstProblem: { line: number; message: string } | null = null;
    // streamed line by line: memory follows the samples kept, not the size of the file
    let i = -1;
    for await (const line of linesOf(file)) {
      i++;
      if (line.trim() === "") continue;
      if (HEADER.test(line)) {
        cols = columnsOf(line);
        blocks.push({ stamp: pendingStamp, headerLine: i + 1, rows: [] });
        pendingStamp = null;
        continue;
      }
      const stamp = splitLinePrefix(line, ctx);
      if (stamp && stamp.rest.trim() === "") {
        pendingStamp = { t: stamp.t, zoneAssumed: stamp.zoneAssumed, prov: "record" };
        continue;
      }
      if (!cols || blocks.length === 0) continue;
      const row = parseRow(cols, line, i + 1);
      if (typeof row === "string") {
        firstProblem ??= { line: i + 1, message: row };
        continue;
      }
      blocks[blocks.length - 1]!.rows.push(row);
    }
    if (blocks.length === 0) return { kind: "not-mine" };

    // Blocks without a date line of their own: one block is timed by the file name; several cannot be.
    const undated = blocks.filter((b) => !b.stamp);
    if (undated.length === 1 && blocks.length === 1) {
      const s = stampFile(file, options);
      blocks[0]!.stamp = { t: s.t, zoneAssumed: s.zoneAssumed, prov: s.prov };
    } else if (undated.length > 0) {
      firstProblem ??= {
        line: undated[0]!.headerLine,
        message: "ps table without a date line before it (cannot be timed; skipped)",
      };
    }
    const timed = blocks.filter((b) => b.stamp);
    const choice = chooseSubject(
      timed.map((b) => b.rows),
      file.path,
    );
    const rss: RssSample[] = [];
    const issues: DataIssue[] = choice.issue ? [choice.issue] : [];
    const startByPid = new Map<number, { lo: number; hi: number; line: number }>();
    const absences: ProcessAbsence[] = [];
    // The PID a header-only block was looking for: the one last listed (`ps -p $PID`).
    let pidAsked: number | undefined;
    let absentFrom: number | null = null;
    let absentCount = 0;
    let absentLine = 0;
    const closeAbsence = (): void => {
      if (absentFrom === null) return;
      issues.push({
        severity: "info",
        message: `${file.path}: no process listed in ${absentCount} ps sample${absentCount === 1 ? "" : "s"} from ${new Date(absentFrom).toISOString()} (the process was gone)`,
        src: { path: file.path, line: absentLine },
      });
      absentFrom = null;
      absentCount = 0;
    };
    timed.forEach((b, idx) => {
      const stamp = b.stamp!;
      const row = choice.rows[idx];
      if (!row) {
        absences.push({
          t: stamp.t,
          prov: stamp.prov,
          src: { path: file.path, line: b.headerLine },
          ...(pidAsked !== undefined ? { pid: pidAsked } : {}),
          how: "ps listed no process",
        });
        if (absentFrom === null) [absentFrom, absentLine] = [stamp.t, b.headerLine];
        absentCount++;
        return;
      }
      closeAbsence();
      pidAsked = row.pid;
      rss.push(rowSample(stamp, file.path, row, "ps"));
      if (row.etimeSec !== undefined) {
        const start = stamp.t - row.etimeSec * 1000;
        const cur = startByPid.get(row.pid);
        const lo = start - ETIME_SLACK_MS;
        const hi = start + ETIME_SLACK_MS;
        if (!cur) startByPid.set(row.pid, { lo, hi, line: row.line });
        else if (Math.max(cur.lo, lo) <= Math.min(cur.hi, hi)) {
          [cur.lo, cur.hi] = [Math.max(cur.lo, lo), Math.min(cur.hi, hi)];
        }
      }
    });
    closeAbsence();
    const hints: Hint[] = [...startByPid].map(([pid, s]) => ({
      kind: "process-start",
      value: Math.round((s.lo + s.hi) / 2),
      src: { path: file.path, line: s.line },
      how: "ps sample time minus the process's elapsed time (etime)",
      pid,
    }));
    if (rss.length === 0 && timed.length === 0) {
      return {
        kind: "malformed",
        format: this.id,
        line: firstProblem?.line ?? blocks[0]!.headerLine,
        message: firstProblem?.message ?? "no ps table could be timed",
      };
    }
    const out: ParseOutcome = {
      kind: "parsed",
      format: this.id,
      records: rss.length,
      data: { rss: rssSeriesOf(rss), hints, issues, absences },
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
