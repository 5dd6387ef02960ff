/**
 * `pidstat -r` (sysstat; FORMATS.md §6.5), in its interval form (a header per report, rows starting
 * with the time, `Average:` rows at the end) and its `-h` form (one `# Time ...` header, one line per
 * task). The first line `Linux <kernel> (<host>)  <date>  _<arch>_  (<n> CPU)` gives the kernel (a
 * hint) and the date in the locale's format; each row gives a time of day (`09:54:12`, `09:54:12 AM`)
 * or, in older sysstat's -h form, epoch seconds. Columns are found from the header (PID, VSZ, RSS,
 * Command last); sizes are KiB, or suffixed with `--human` (`348.4M`).
 *
 * Dating: the header date, with midnight roll-over between rows (time/time-of-day.ts), provenance
 * "header-date". A date whose day and month are both <= 12 is ambiguous (MM/DD/YY in the C and
 * en_US locales, DD/MM/YY in most others): the reading nearest the neighbouring captures' file-name
 * stamps wins; with none, the C locale's MM/DD is assumed and said. Rows are local time: the
 * configured zone is assumed and flagged.
 */
import type { DataIssue, Hint, Provenance, RssSample } from "../../model/capture.js";
import { chooseSubject, kibOrSuffixedToBytes, type ProcessRow, rowSample } from "../process-table.js";
import {
  located,
  linesOf,
  type CaptureFile,
  type IngestOptions,
  type ParseOutcome,
  type Parser,
} from "../parser.js";
import { DayClock, localDayOf, nearestInstant, parseTimeOfDay, type TimeOfDay } from "../time/time-of-day.js";
import { localToEpoch } from "../time/zone.js";
import { rssSeriesOf } from "../../common/rss-series.js";

const BANNER = /^Linux\s+(\S+)\s+\(([^)]*)\)\s+(\S+)\s/;
const ROW_TIME = /^\s*(?:(\d{1,2}:\d{2}:\d{2})(?:\s+([AP]M))?|(\d{9,11}))\s+/i;
/** The years a two-digit year can mean for a capture (sysstat prints %y in the C locale). */
const CENTURY = 2000;

interface Day {
  y: number;
  mo: number;
  d: number;
}

function validDay(d: Day): boolean {
  return d.mo >= 1 && d.mo <= 12 && d.d >= 1 && d.d <= 31 && d.y >= 1990 && d.y < 2100;
}

/** Readings of a banner date, most likely first. */
export function readingsOfDate(text: string): { day: Day; ambiguous: boolean }[] {
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m) return [{ day: { y: Number(m[1]), mo: Number(m[2]), d: Number(m[3]) }, ambiguous: false }];
  m = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})$/.exec(text);
  if (!m) return [];
  const a = Number(m[1]);
  const b = Number(m[3]);
  const y = m[4]!.length === 2 ? CENTURY + Number(m[4]) : Number(m[4]);
  const mdy: Day = { y, mo: a, d: b };
  const dmy: Day = { y, mo: b, d: a };
  // A dot separator is the German/Russian DD.MM.YYYY convention.
  const first = m[2] === "." ? [dmy, mdy] : [mdy, dmy];
  const valid = first.filter(validDay);
  const ambiguous = valid.length === 2 && a !== b;
  return valid.map((day) => ({ day, ambiguous }));
}

interface PidstatRow extends ProcessRow {
  tod: TimeOfDay | null;
  epochMs: number | null;
  timeText: string;
}

export const pidstat: Parser = {
  id: "pidstat",
  description: "pidstat -r output (interval and -h forms), RSS per PID",
  sniff(file: CaptureFile): boolean {
    if (file.head.includes(0)) return false;
    const text = file.headText;
    return /\bminflt\/s\b/.test(text) && /\bRSS\b/.test(text) && /\bPID\b/.test(text);
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const hints: Hint[] = [];
    const issues: DataIssue[] = [];
    let day: Day | null = null;
    let cols: string[] | null = null;
    let firstProblem: { line: number; message: string } | null = null;
    const snapshots: PidstatRow[][] = [];
    let lastTimeText: string | null = null;

    // streamed line by line: memory follows the samples kept, not the size of the file
    let i = -1;
    for await (const line of linesOf(file)) {
      i++;
      if (line.trim() === "") continue;
      const banner = BANNER.exec(line);
      if (banner) {
        hints.push({
          kind: "kernel",
          value: banner[1]!,
          src: { path: file.path, line: i + 1 },
          how: "pidstat banner line",
        });
        const readings = readingsOfDate(banner[3]!);
        if (readings.length === 0) continue;
        let chosen = readings[0]!;
        const ref = options.referenceDate ?? null;
        if (chosen.ambiguous && readings.length > 1) {
          if (ref !== null) {
            const dist = (r: Day): number =>
              Math.abs(localToEpoch(r.y, r.mo, r.d, 12, 0, 0, 0, options.zone) - ref);
            chosen = readings.reduce((a, b) => (dist(b.day) < dist(a.day) ? b : a));
          } else {
            issues.push({
              severity: "warning",
              message: `${file.path}: the date ${banner[3]} could be month/day or day/month; month/day (C locale) assumed`,
              src: { path: file.path, line: i + 1 },
            });
          }
        }
        day = chosen.day;
        continue;
      }
      if (/^Average:/i.test(line)) continue;
      if (/\bPID\b/.test(line) && /\bRSS\b/.test(line)) {
        // `# Time UID PID ...` (-h) or `09:54:12 AM UID PID ...` (interval): drop the time/marker tokens.
        cols = line
          .replace(/^#/, "")
          .replace(ROW_TIME, "")
          .trim()
          .split(/\s+/)
          .filter((c) => c !== "Time");
        continue;
      }
      if (!cols) continue;
      const tm = ROW_TIME.exec(line);
      if (!tm) continue;
      const tokens = line.slice(tm[0].length).trim().split(/\s+/);
      const at = (name: string): string | undefined => {
        const idx = cols!.findIndex((c) => c.toUpperCase() === name);
        return idx >= 0 ? tokens[idx] : undefined;
      };
      const pidText = at("PID");
      const rssText = at("RSS");
      if (!pidText || !/^\d+$/.test(pidText)) continue;
      const bytes = rssText === undefined ? null : kibOrSuffixedToBytes(rssText);
      if (bytes === null) {
        firstProblem ??= { line: i + 1, message: `RSS is not a size: ${JSON.stringify(rssText ?? "")}` };
        continue;
      }
      const cmdIdx = cols.findIndex((c) => c.toUpperCase() === "COMMAND");
      const timeText = tm[0].trim();
      const row: PidstatRow = {
        pid: Number(pidText),
        command: cmdIdx >= 0 ? tokens.slice(cmdIdx).join(" ") : "",
        rssBytes: bytes,
        line: i + 1,
        tod: tm[1] ? parseTimeOfDay(tm[1], tm[2]) : null,
        epochMs: tm[3] ? Number(tm[3]) * 1000 : null,
        timeText,
      };
      if (row.tod === null && row.epochMs === null) {
        firstProblem ??= { line: i + 1, message: `not a time of day: ${JSON.stringify(timeText)}` };
        continue;
      }
      if (timeText !== lastTimeText || snapshots.length === 0) snapshots.push([]);
      lastTimeText = timeText;
      snapshots[snapshots.length - 1]!.push(row);
    }
    if (snapshots.length === 0) {
      if (!cols) return { kind: "not-mine" };
      return {
        kind: "malformed",
        format: this.id,
        line: firstProblem?.line ?? null,
        message: firstProblem?.message ?? "pidstat header without a row",
      };
    }
    const needsDay = snapshots.some((s) => s[0]!.tod !== null);
    let clockDay: Day | null = day;
    const prov: Provenance = "header-date";
    if (needsDay && !clockDay) {
      const ref = options.referenceDate ?? null;
      if (ref === null) {
        return {
          kind: "malformed",
          format: this.id,
          line: 1,
          message:
            "rows carry a time of day but the banner line with the date is missing, and no other capture dates them",
        };
      }
      const first = snapshots.find((s) => s[0]!.tod)![0]!.tod!;
      clockDay = localDayOf(nearestInstant(first, ref, options.zone), options.zone);
    }
    const clock = clockDay ? new DayClock(clockDay, options.zone) : null;
    const choice = chooseSubject(snapshots, file.path);
    if (choice.issue) issues.push(choice.issue);
    const rss: RssSample[] = [];
    snapshots.forEach((snap, idx) => {
      const row = choice.rows[idx];
      const head = snap[0]!;
      // Advance the clock on every snapshot so that roll-over is seen even where the subject is absent.
      const t = head.epochMs ?? (clock && head.tod ? clock.at(head.tod) : null);
      if (!row || t === null) return;
      const stamp = head.epochMs !== null ? { t, prov: "record" as const } : { t, prov, zoneAssumed: true };
      rss.push(rowSample(stamp, file.path, row, "pidstat"));
    });
    const out: ParseOutcome = {
      kind: "parsed",
      format: this.id,
      records: rss.length,
      data: { rss: rssSeriesOf(rss), hints, issues },
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
