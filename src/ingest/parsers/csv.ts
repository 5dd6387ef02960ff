/**
 * CSV/TSV RSS series written by a capture script: a header naming a time column
 * (timestamp|time|ts|date|datetime|epoch...) and an RSS column (rss, rss_kb, rss_bytes, rss_mb,
 * memory, working_set...), then one row per sample. The delimiter is `,`, tab or `;`.
 *
 * Units come from the header: kb/kib, mb/mib, gb/gib, bytes (or a `_bytes`/`_b` suffix). A column
 * without a unit is read as `ps`/`/proc` report it (KiB) when named rss/rsz/vmrss, and as bytes when
 * named memory/working_set (cAdvisor, Prometheus conventions); the assumption is stated in a note.
 * Times: epoch seconds (with a fraction), ms, us or ns, ISO 8601 with a zone, or a zone-less
 * `YYYY-mm-dd HH:MM:SS` read in the configured zone and flagged. A row that does not parse is a
 * located problem (the file is kept up to it: partial).
 */
import type { DataIssue, RssSample } from "../../model/capture.js";
import {
  linesOf,
  type CaptureFile,
  type IngestOptions,
  type ParseOutcome,
  type Parser,
  parsedUpTo,
} from "../parser.js";
import { splitLinePrefix } from "../time/line-prefix.js";
import { isPlausibleEpochMs } from "../time/zone.js";
import { rssSeriesOf } from "../../common/rss-series.js";

const TIME_HEADER =
  /^(?:timestamp|time|ts|date|datetime|date_?time|epoch|unix(?:_?time)?|t)(?:[_ (]*(?:s|ms|us|ns|sec|secs|seconds|millis|utc|iso)\)?)?$/i;
const RSS_HEADER = /(?:^|[_ (])(?:rss|rsz|vmrss|resident|memory|mem|working_?set)(?:$|[_ (])/i;
const PID_HEADER = /^pid$/i;

const UNITS: [RegExp, number, string][] = [
  [/(?:^|[_ (])(?:bytes|b)\)?$/i, 1, "bytes"],
  [/(?:^|[_ (])(?:kb|kib|k)\)?$/i, 1024, "KiB"],
  [/(?:^|[_ (])(?:mb|mib|m)\)?$/i, 1024 ** 2, "MiB"],
  [/(?:^|[_ (])(?:gb|gib|g)\)?$/i, 1024 ** 3, "GiB"],
];

function splitRow(line: string, delim: string): string[] {
  return line.split(delim).map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
}

function delimiterOf(header: string): string | null {
  for (const d of ["\t", ",", ";"]) if (header.includes(d)) return d;
  return null;
}

interface Layout {
  delim: string;
  timeCol: number;
  rssCol: number;
  pidCol: number;
  scale: number;
  unitNote: string | null;
}

function layoutOf(header: string): Layout | null {
  const delim = delimiterOf(header);
  if (!delim) return null;
  const cols = splitRow(header, delim);
  const timeCol = cols.findIndex((c) => TIME_HEADER.test(c));
  const rssCol = cols.findIndex((c, i) => i !== timeCol && RSS_HEADER.test(c) && !/%|pct|percent/i.test(c));
  if (timeCol < 0 || rssCol < 0) return null;
  const name = cols[rssCol]!;
  let scale = 0;
  let unitNote: string | null = null;
  for (const [re, s] of UNITS) if (re.test(name)) scale = s;
  if (scale === 0) {
    if (/rss|rsz|resident/i.test(name)) {
      scale = 1024;
      unitNote = `column ${JSON.stringify(name)} names no unit: KiB assumed (what ps and /proc report)`;
    } else {
      scale = 1;
      unitNote = `column ${JSON.stringify(name)} names no unit: bytes assumed`;
    }
  }
  return { delim, timeCol, rssCol, pidCol: cols.findIndex((c) => PID_HEADER.test(c)), scale, unitNote };
}

function parseTime(cell: string, options: IngestOptions): { t: number; zoneAssumed: boolean } | null {
  const long = /^(\d{16}|\d{19})$/.exec(cell);
  if (long) {
    const t = Number(BigInt(cell) / (cell.length === 16 ? 1000n : 1_000_000n));
    return isPlausibleEpochMs(t) ? { t, zoneAssumed: false } : null;
  }
  const p = splitLinePrefix(cell, {
    zone: options.zone,
    referenceYear: options.referenceYear,
    referenceDate: options.referenceDate,
  });
  if (!p || p.rest.trim() !== "") return null;
  return { t: p.t, zoneAssumed: p.zoneAssumed };
}

export const csv: Parser = {
  id: "csv",
  description: "CSV/TSV RSS series (a time column and an RSS column named in the header)",
  sniff(file: CaptureFile): boolean {
    if (file.head.includes(0)) return false;
    const header = file.headText.split("\n", 1)[0]!.replace(/\r$/, "");
    return layoutOf(header) !== null;
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    // streamed line by line: memory follows the samples kept, not the size of the file
    const lines = linesOf(file)[Symbol.asyncIterator]();
    const header = await lines.next();
    const layout = layoutOf(header.done ? "" : header.value);
    if (!layout) {
      await lines.return?.();
      return { kind: "not-mine" };
    }
    const rss: RssSample[] = [];
    const issues: DataIssue[] = [];
    if (layout.unitNote)
      issues.push({
        severity: "info",
        message: `${file.path}: ${layout.unitNote}`,
        src: { path: file.path, line: 1 },
      });
    let firstProblem: { line: number; message: string } | null = null;
    let problems = 0;
    let zoneAssumed = false;
    let lineNo = 1;
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      const line = next.value;
      lineNo++;
      if (line.trim() === "" || line.startsWith("#")) continue;
      const cells = splitRow(line, layout.delim);
      const time = parseTime(cells[layout.timeCol] ?? "", options);
      const valueText = cells[layout.rssCol] ?? "";
      const value = /^\d+(?:\.\d+)?$/.test(valueText) ? Number(valueText) : NaN;
      if (!time || Number.isNaN(value)) {
        problems++;
        firstProblem ??= {
          line: lineNo,
          message: !time
            ? `unreadable time ${JSON.stringify(cells[layout.timeCol] ?? "")}`
            : `RSS is not a number: ${JSON.stringify(valueText)}`,
        };
        continue;
      }
      zoneAssumed ||= time.zoneAssumed;
      const pidText = layout.pidCol >= 0 ? cells[layout.pidCol] : undefined;
      rss.push({
        t: time.t,
        prov: "record",
        zoneAssumed: time.zoneAssumed || undefined,
        src: { path: file.path, line: lineNo },
        pid: pidText && /^\d+$/.test(pidText) ? Number(pidText) : undefined,
        kind: "csv",
        rssBytes: Math.round(value * layout.scale),
      });
    }
    if (zoneAssumed) {
      issues.push({
        severity: "info",
        message: `${file.path}: times carry no zone; ${options.zone} assumed`,
        src: { path: file.path, line: 2 },
      });
    }
    if (rss.length === 0) {
      return {
        kind: "malformed",
        format: this.id,
        line: firstProblem?.line ?? null,
        message: firstProblem?.message ?? "header without a data row",
      };
    }
    return parsedUpTo(
      file,
      this.id,
      rss.length,
      { rss: rssSeriesOf(rss), issues },
      firstProblem && { ...firstProblem, skipped: { count: problems, what: "bad row" } },
    );
  },
};
