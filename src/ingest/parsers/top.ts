/**
 * `top -b` batch output (FORMATS.md §6.4): snapshots that start with `top - HH:MM:SS up ...`, a
 * memory summary in one of three generations (`Mem:` procps 3.2, `KiB Mem :` procps-ng 3.3,
 * `MiB Mem :`/`GiB Mem :` 3.3.1x/4.x), then a task table whose RES is KiB unless suffixed (k/m/g/t/p,
 * 1024-based; a decimal comma under some locales). BusyBox top (`Mem: ... used`, `PID PPID USER STAT
 * VSZ`) is read when it has an RSS column; its plain table shows only VSZ, which is no resident size,
 * so such a file is ignored with that reason.
 *
 * top prints a time of day and no date. Method: a date line written before a snapshot (`date; top -b
 * -n1`) times it fully; otherwise the first snapshot is put on the day that places it nearest the
 * file-name stamps of the neighbouring captures (`referenceDate`), later ones follow with midnight
 * roll-over (time/time-of-day.ts), provenance "header-date"; with no neighbouring stamp, the last
 * snapshot is put nearest the file's mtime (provenance "mtime", weak). Rows are local time: the
 * configured zone is assumed and flagged.
 */
import type { DataIssue, Provenance, RssSample } from "../../model/capture.js";
import { chooseSubject, kibOrSuffixedToBytes, type ProcessRow, rowSample } from "../process-table.js";
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
import { DayClock, localDayOf, parseTimeOfDay, type TimeOfDay } from "../time/time-of-day.js";
import { rssSeriesOf } from "../../common/rss-series.js";

const DAY_MS = 86_400_000;
const TOP_LINE = /^top - (\d{1,2}:\d{2}:\d{2}) /;
const BUSYBOX_MEM = /^Mem: \d+[KMG]? used, \d+[KMG]? free/;
const TABLE_HEADER = /^\s*PID\s+(?:USER|PPID)\b/;
/**
 * procps top's task header, alone: what people paste (or `top -b | grep -A1 PID` keeps) without the
 * `top - HH:MM:SS` summary line. It has no time at all, so it is claimed to say so, not read.
 */
const PROCPS_TASK_HEADER =
  /^\s*PID\s+USER\s+PR\s+NI\s+VIRT\s+RES\s+SHR\s+S\s+%CPU\s+%MEM\s+TIME\+\s+COMMAND/m;

interface Snapshot {
  line: number;
  tod: TimeOfDay | null;
  stamp: { t: number; zoneAssumed: boolean } | null;
  rows: ProcessRow[];
}

export const top: Parser = {
  id: "top",
  description: "top -b batch output (procps 3.2 to 4.x, BusyBox with an RSS column)",
  sniff(file: CaptureFile): boolean {
    if (file.head.includes(0)) return false;
    const text = file.headText;
    return (
      /^top - \d{1,2}:\d{2}:\d{2} /m.test(text) ||
      (/^Mem: \d+[KMG]? used, /m.test(text) && /^\s*PID\s+PPID\s+USER\s+STAT\s+/m.test(text)) ||
      PROCPS_TASK_HEADER.test(text.slice(0, 1024))
    );
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    // IngestOptions carries exactly what the prefix and time-of-day readers need.
    const ctx = options;
    const snapshots: Snapshot[] = [];
    let pendingStamp: Snapshot["stamp"] = null;
    let cols: string[] | null = null;
    let rssCol = -1;
    let sawBusyboxWithoutRss = false;
    let firstProblem: { line: number; message: string } | null = null;
    // streamed line by line: memory follows the samples kept, not the size of the file
    let i = -1;
    for await (const line of linesOf(file)) {
      i++;
      if (line.trim() === "") continue;
      const topLine = TOP_LINE.exec(line);
      if (topLine || BUSYBOX_MEM.test(line)) {
        snapshots.push({
          line: i + 1,
          tod: topLine ? parseTimeOfDay(topLine[1]!) : null,
          stamp: pendingStamp,
          rows: [],
        });
        pendingStamp = null;
        cols = null;
        continue;
      }
      if (TABLE_HEADER.test(line)) {
        cols = line.trim().split(/\s+/);
        rssCol = cols.findIndex((c) => c === "RES" || c === "RSS");
        if (rssCol < 0 && cols.includes("VSZ")) sawBusyboxWithoutRss = true;
        continue;
      }
      const stamp = splitLinePrefix(line, ctx);
      if (stamp && stamp.rest.trim() === "" && !cols) {
        pendingStamp = { t: stamp.t, zoneAssumed: stamp.zoneAssumed };
        continue;
      }
      if (stamp && stamp.rest.trim() === "") {
        // A date line after a table: it belongs to the next snapshot.
        pendingStamp = { t: stamp.t, zoneAssumed: stamp.zoneAssumed };
        cols = null;
        continue;
      }
      if (!cols || rssCol < 0 || snapshots.length === 0) continue;
      const tokens = line.trim().split(/\s+/);
      const pidCol = cols.indexOf("PID");
      if (!/^\d+$/.test(tokens[pidCol] ?? "")) continue;
      const bytes = kibOrSuffixedToBytes(tokens[rssCol] ?? "");
      if (bytes === null) {
        firstProblem ??= {
          line: i + 1,
          message: `${cols[rssCol]} is not a size: ${JSON.stringify(tokens[rssCol] ?? "")}`,
        };
        continue;
      }
      snapshots[snapshots.length - 1]!.rows.push({
        pid: Number(tokens[pidCol]),
        command: tokens.slice(cols.length - 1).join(" "),
        rssBytes: bytes,
        line: i + 1,
      });
    }
    if (snapshots.length === 0) {
      if (cols && rssCol >= 0 && PROCPS_TASK_HEADER.test(file.headText.slice(0, 1024)))
        return {
          kind: "ignored",
          format: this.id,
          message:
            "a top task table without its 'top - HH:MM:SS' summary line: no time to place its RES values (capture `top -b -d 1 -p PID` whole, or log `date -Is` before each run)",
        };
      return { kind: "not-mine" };
    }
    if (snapshots.every((s) => s.rows.length === 0) && sawBusyboxWithoutRss) {
      return {
        kind: "ignored",
        format: this.id,
        message: "BusyBox top lists VSZ only (no RSS column): no resident set size to read",
      };
    }

    // Time each snapshot: its own date line, else its time of day dated from other evidence.
    const times: { t: number; prov: Provenance; zoneAssumed: boolean }[] = [];
    const reference = options.referenceDate ?? null;
    const firstTod = snapshots.find((s) => s.tod)?.tod ?? null;
    const clockStart = firstTod
      ? reference !== null
        ? DayClock.near(firstTod, reference, options.zone)
        : new DayClock(localDayOf(file.mtimeMs, options.zone), options.zone)
      : null;
    for (const s of snapshots) {
      if (s.stamp) times.push({ t: s.stamp.t, prov: "record", zoneAssumed: s.stamp.zoneAssumed });
      else if (s.tod && clockStart)
        times.push({ t: clockStart.at(s.tod), prov: "header-date", zoneAssumed: true });
      else {
        const f = stampFile(file, options);
        times.push({ t: f.t, prov: f.prov, zoneAssumed: f.zoneAssumed });
      }
    }
    if (reference === null && clockStart) {
      // No neighbouring stamp: shift whole days so that the last dated snapshot lands nearest the mtime.
      const lastIdx = times.map((x) => x.prov).lastIndexOf("header-date");
      if (lastIdx >= 0) {
        const shift = Math.round((file.mtimeMs - times[lastIdx]!.t) / DAY_MS) * DAY_MS;
        for (const x of times) if (x.prov === "header-date") [x.t, x.prov] = [x.t + shift, "mtime"];
      }
    }
    const undatedByName = snapshots.filter((s) => !s.stamp && !s.tod).length;
    if (undatedByName > 1) {
      firstProblem ??= {
        line: snapshots.find((s) => !s.stamp && !s.tod)!.line,
        message: "several snapshots without a time of their own share the file's time",
      };
    }

    const choice = chooseSubject(
      snapshots.map((s) => s.rows),
      file.path,
    );
    const issues: DataIssue[] = choice.issue ? [choice.issue] : [];
    const rss: RssSample[] = [];
    snapshots.forEach((_s, idx) => {
      const row = choice.rows[idx];
      if (!row) return;
      const time = times[idx]!;
      rss.push(rowSample(time, file.path, row, "top"));
    });
    if (rss.length === 0) {
      return {
        kind: "malformed",
        format: this.id,
        line: firstProblem?.line ?? snapshots[0]!.line,
        message: firstProblem?.message ?? "top snapshots without a task row (was top run with -p PID?)",
      };
    }
    if (times.some((x) => x.prov === "mtime")) {
      issues.push({
        severity: "warning",
        message: `${file.path}: top prints no date; with no stamped capture beside it the date comes from the file's mtime`,
        src: { path: file.path, line: snapshots[0]!.line },
      });
    }
    const out: ParseOutcome = {
      kind: "parsed",
      format: this.id,
      records: rss.length,
      data: { rss: rssSeriesOf(rss), issues },
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
