/**
 * Copies of `/proc/PID/smaps_rollup` (kernel 4.14+; FORMATS.md §6.2): a `[rollup]` pseudo-VMA
 * header, then `Key:  N kB` lines. Rss and LazyFree (4.12+: MADV_FREE'd pages that RSS still counts)
 * are what memgap needs. One snapshot per file, timed by the file name.
 */
import { type CaptureFile, type IngestOptions, type ParseOutcome, type Parser } from "../parser.js";
import { stampFile } from "../time/file-stamp.js";
import { rssSeriesOf } from "../../common/rss-series.js";

const KV = /^(\w+):\s+(\d+) kB$/;

export const smapsRollup: Parser = {
  id: "smaps-rollup",
  description: "copy of /proc/PID/smaps_rollup (Rss, LazyFree)",
  sniff(file: CaptureFile): boolean {
    const first = file.headText.split("\n", 1)[0] ?? "";
    return (
      /\[rollup\]\s*$/.test(first) ||
      (/^Rss:\s+\d+ kB$/m.test(file.headText) && /^Pss:\s+\d+ kB$/m.test(file.headText))
    );
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const text = await file.readText();
    const lines = text.split("\n");
    const values = new Map<string, number>();
    let rssLine = 0;
    for (let i = 0; i < lines.length; i++) {
      const m = KV.exec(lines[i]!.trimEnd());
      if (!m) continue;
      values.set(m[1]!, Number(m[2]) * 1024);
      if (m[1] === "Rss") rssLine = i + 1;
    }
    const rss = values.get("Rss");
    if (rss === undefined) {
      return {
        kind: "malformed",
        format: this.id,
        line: lines.length,
        message: "no 'Rss:' line (truncated copy?)",
      };
    }
    const stamp = stampFile(file, options);
    const pid = /(?:^|\/)(\d{1,7})\/smaps_rollup$/.exec(file.path)?.[1];
    return {
      kind: "parsed",
      format: this.id,
      records: 1,
      data: {
        rss: rssSeriesOf([
          {
            t: stamp.t,
            prov: stamp.prov,
            zoneAssumed: stamp.zoneAssumed || undefined,
            src: { path: file.path, line: rssLine },
            pid: pid ? Number(pid) : undefined,
            kind: "smaps",
            rssBytes: rss,
            lazyFreeBytes: values.get("LazyFree"),
            anonBytes: values.get("Anonymous"),
          },
        ]),
      },
    };
  },
};
