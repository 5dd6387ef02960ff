/**
 * pprofplus dump files (q191201771/pprofplus; FORMATS.md §8.1): an in-process sampler appends one
 * JSON object per line to `<service>_<pid>_<yyyymmddhhmmss>.dump`:
 *   {"Timestamp":1584409234,"sys":…,"heapsys":…,"heapalloc":…,"heapinuse":…,"heapreleased":…,
 *    "heapidle":…,"vms":…,"rss":…}
 * `Timestamp` is Unix seconds (the record's own time); `rss` and `vms` are bytes from gopsutil. Each
 * line gives the MemStats core fields and an RSS sample. The file name gives the PID and the process
 * start (Go layout 20060102150405, the process's local time: read in the configured zone, flagged).
 * A restart starts a new file. The values are far below 2^53, so JSON.parse is safe here.
 */
import type { DataIssue, Hint, MemStatsSample, RssSample } from "../../model/capture.js";
import type { CaptureFile, IngestOptions, ParseOutcome, Parser } from "../parser.js";
import { isPlausibleEpochMs, localToEpoch } from "../time/zone.js";
import { rssSeriesOf } from "../../common/rss-series.js";

const FILE_NAME = /(?:^|\/)([^/]+)_(\d+)_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\.dump$/;
const FIRST_RECORD = /^\s*\{\s*"Timestamp"\s*:\s*\d+\s*,\s*"sys"\s*:/;

const FIELDS = ["sys", "heapsys", "heapalloc", "heapinuse", "heapreleased", "heapidle"] as const;

export const pprofplus: Parser = {
  id: "pprofplus",
  description: "pprofplus dump: JSON lines of MemStats core fields and RSS (<service>_<pid>_<start>.dump)",
  sniff(file: CaptureFile): boolean {
    return (
      FIRST_RECORD.test(file.headText) ||
      (FILE_NAME.test(file.path) && file.headText.trimStart().startsWith("{"))
    );
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const name = FILE_NAME.exec(file.path);
    const pid = name ? Number(name[2]) : undefined;
    const hints: Hint[] = [];
    const issues: DataIssue[] = [];
    if (name) {
      const [y, mo, d, h, mi, s] = [3, 4, 5, 6, 7, 8].map((i) => Number(name[i]));
      const start = localToEpoch(y!, mo!, d!, h!, mi!, s!, 0, options.zone);
      if (isPlausibleEpochMs(start)) {
        hints.push({
          kind: "process-start",
          value: start,
          src: { path: file.path },
          how: `pprofplus file name stamp ${name.slice(3, 9).join("")} (process local time, read in ${options.zone})`,
          pid,
        });
      }
      hints.push({ kind: "pid", value: pid!, src: { path: file.path }, how: "pprofplus file name", pid });
      hints.push({
        kind: "service",
        value: name[1]!,
        src: { path: file.path },
        how: "pprofplus file name",
        pid,
      });
    }
    const text = await file.readText();
    const lines = text.split("\n");
    const memstats: MemStatsSample[] = [];
    const rss: RssSample[] = [];
    let partial: { line: number; message: string } | undefined;
    // The last line with content, found once: a killed writer leaves only that one cut.
    let lastNonEmpty = lines.length - 1;
    while (lastNonEmpty > 0 && lines[lastNonEmpty]!.trim() === "") lastNonEmpty--;
    for (let i = 0; i < lines.length; i++) {
      const lineNo = i + 1;
      const raw = lines[i]!.trim();
      if (raw === "") continue;
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // The last line of a killed process is often cut mid-write.
        const last = i === lastNonEmpty;
        const message = `${last ? "last line cut mid-record" : "not a JSON record"}: ${JSON.stringify(raw.slice(0, 60))}`;
        if (memstats.length === 0 && last)
          return { kind: "malformed", format: this.id, line: lineNo, message };
        partial ??= { line: lineNo, message: `${file.path}:${lineNo}: ${message}` };
        continue;
      }
      const ts = rec.Timestamp;
      const missing = FIELDS.filter((f) => typeof rec[f] !== "number");
      if (typeof ts !== "number" || !isPlausibleEpochMs(ts * 1000) || missing.length > 0) {
        const what =
          typeof ts !== "number" || !isPlausibleEpochMs(ts * 1000)
            ? `Timestamp is not Unix seconds (${JSON.stringify(ts)})`
            : `lacks ${missing.join(", ")}`;
        if (memstats.length === 0 && i === 0)
          return { kind: "malformed", format: this.id, line: lineNo, message: `record ${what}` };
        issues.push({
          severity: "warning",
          message: `${file.path}:${lineNo}: record ${what}, skipped`,
          src: { path: file.path, line: lineNo },
        });
        continue;
      }
      const n = (k: string): number => rec[k] as number;
      const stamped = { t: ts * 1000, prov: "record" as const, src: { path: file.path, line: lineNo }, pid };
      memstats.push({
        ...stamped,
        format: this.id,
        ms: {
          Sys: n("sys"),
          HeapSys: n("heapsys"),
          HeapAlloc: n("heapalloc"),
          HeapInuse: n("heapinuse"),
          HeapReleased: n("heapreleased"),
          HeapIdle: n("heapidle"),
        },
      });
      if (typeof rec.rss === "number") rss.push({ ...stamped, kind: "pprofplus", rssBytes: rec.rss });
    }
    if (memstats.length === 0)
      return { kind: "malformed", format: this.id, line: 1, message: "no pprofplus records" };
    return {
      kind: "parsed",
      format: this.id,
      records: memstats.length,
      data: { memstats, rss: rssSeriesOf(rss), hints, issues },
      ...(partial ? { partial } : {}),
    };
  },
};
