/**
 * cgroup memory files (FORMATS.md §6.6), copied one per file or concatenated by `head`/`tail`
 * (`==> /sys/fs/cgroup/memory.current <==` sections):
 *  - v1: memory.usage_in_bytes, memory.max_usage_in_bytes, memory.limit_in_bytes, memory.stat;
 *  - v2: memory.current, memory.peak, memory.max (`max` = no limit), memory.stat, memory.events.
 * One snapshot per file (or per section group), timed by the file name; a usage file may also be a
 * loop's `<stamp> <bytes>` lines. The sample (kind "cgroup") is what Kubernetes calls the working set,
 * usage - inactive_file, when memory.stat is in the same snapshot, else the usage; a memory.stat
 * alone gives the working set as anon + file - inactive_file (v2) or total_rss + total_cache -
 * total_inactive_file (v1), since usage is those plus kernel memory the stat does not list.
 * Both are container figures (page cache included), not a process RSS.
 * v1 prints "no limit" as LONG_MAX rounded down to a page (9223372036854771712 with 4 KiB pages):
 * read with BigInt, anything at or above 2^62 is no limit. OOM kills from memory.events are noted.
 */
import type { DataIssue, Hint, RssSample } from "../../model/capture.js";
import { type CaptureFile, type IngestOptions, type ParseOutcome, type Parser } from "../parser.js";
import { stampFile } from "../time/file-stamp.js";
import { splitLinePrefix } from "../time/line-prefix.js";
import { rssSeriesOf } from "../../common/rss-series.js";

/** v1's unlimited is PAGE_COUNTER_MAX * PAGE_SIZE, near 2^63 for every page size; no real limit is this big. */
const UNLIMITED_AT_LEAST = 1n << 62n;

type FileKind =
  "usage_in_bytes" | "max_usage_in_bytes" | "limit_in_bytes" | "stat" | "current" | "peak" | "max" | "events";
const NAME =
  /memory\.(max_usage_in_bytes|usage_in_bytes|limit_in_bytes|stat|current|peak|max|events)(?![a-z_])/;
const SECTION = /^==> (.*) <==$/;

function kindOf(name: string): FileKind | null {
  const m = NAME.exec(name);
  return m ? (m[1] as FileKind) : null;
}

interface Section {
  kind: FileKind;
  /** false for a `==> other-file <==` section of a concatenation (memory.pressure, cpu.stat...) */
  known: boolean;
  line: number;
  lines: { text: string; line: number }[];
}

export const cgroup: Parser = {
  id: "cgroup",
  description: "cgroup v1/v2 memory files (usage, stat, limit, events)",
  sniff(file: CaptureFile): boolean {
    if (file.head.includes(0)) return false;
    const base = file.path.split("/").pop() ?? "";
    if (kindOf(base)) return true;
    const first = file.headText.split("\n", 1)[0] ?? "";
    const sec = SECTION.exec(first);
    return sec !== null && kindOf(sec[1]!) !== null;
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const text = await file.readText();
    const lines = text.split("\n");
    const sections: Section[] = [];
    const baseKind = kindOf(file.path.split("/").pop() ?? "");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/\r$/, "").trim();
      const sec = SECTION.exec(line);
      if (sec) {
        const k = kindOf(sec[1]!);
        sections.push({ kind: k ?? "stat", known: k !== null, line: i + 1, lines: [] });
        continue;
      }
      if (line === "") continue;
      if (sections.length === 0) {
        if (!baseKind) return { kind: "not-mine" };
        sections.push({ kind: baseKind, known: true, line: 1, lines: [] });
      }
      sections[sections.length - 1]!.lines.push({ text: line, line: i + 1 });
    }
    const known = sections.filter((s) => s.known);
    const stamp = stampFile(file, options);
    // IngestOptions carries exactly what the prefix and time-of-day readers need.
    const ctx = options;
    const stat = new Map<string, bigint>();
    let statLine = 0;
    let usage: { bytes: bigint; line: number } | null = null;
    let peak: bigint | null = null;
    const series: RssSample[] = [];
    const hints: Hint[] = [];
    const issues: DataIssue[] = [];
    for (const s of known) {
      if (s.kind === "stat" || s.kind === "events") {
        for (const l of s.lines) {
          const m = /^(\w+) (\d+)$/.exec(l.text);
          if (!m) {
            return {
              kind: "malformed",
              format: this.id,
              line: l.line,
              message: `not a 'key value' line: ${JSON.stringify(l.text.slice(0, 60))}`,
            };
          }
          if (s.kind === "stat") {
            stat.set(m[1]!, BigInt(m[2]!));
            statLine ||= l.line;
          } else if ((m[1] === "oom_kill" || m[1] === "oom") && m[2] !== "0") {
            issues.push({
              severity: "warning",
              message: `${file.path}: memory.events reports ${m[1]} ${m[2]} (the cgroup hit its limit)`,
              src: { path: file.path, line: l.line },
            });
          }
        }
        continue;
      }
      // Single-value files, or a loop's `<stamp> <value>` lines.
      for (const l of s.lines) {
        const bare = /^(\d+|max)$/.exec(l.text);
        const stamped = bare ? null : splitLinePrefix(l.text, ctx);
        const valueText = bare
          ? bare[1]!
          : stamped && /^\d+$/.test(stamped.rest.trim())
            ? stamped.rest.trim()
            : null;
        if (valueText === null) {
          return {
            kind: "malformed",
            format: this.id,
            line: l.line,
            message: `memory.${s.kind}: expected a number of bytes, got ${JSON.stringify(l.text.slice(0, 60))}`,
          };
        }
        if (s.kind === "limit_in_bytes" || s.kind === "max") {
          if (valueText === "max" || BigInt(valueText) >= UNLIMITED_AT_LEAST) continue;
          hints.push({
            kind: "cgroup-limit",
            value: Number(BigInt(valueText)),
            src: { path: file.path, line: l.line },
            how: `cgroup memory.${s.kind}`,
          });
          continue;
        }
        if (valueText === "max") {
          return {
            kind: "malformed",
            format: this.id,
            line: l.line,
            message: `memory.${s.kind} cannot be 'max'`,
          };
        }
        const bytes = BigInt(valueText);
        if (s.kind === "max_usage_in_bytes" || s.kind === "peak") {
          peak = bytes;
          continue;
        }
        if (stamped) {
          series.push({
            t: stamped.t,
            prov: "record",
            zoneAssumed: stamped.zoneAssumed || undefined,
            src: { path: file.path, line: l.line },
            kind: "cgroup",
            rssBytes: Number(bytes),
          });
        } else usage = { bytes, line: l.line };
      }
    }
    const rss: RssSample[] = [...series];
    const inactiveFile = stat.get("total_inactive_file") ?? stat.get("inactive_file");
    const anon = stat.get("anon") ?? stat.get("total_rss") ?? stat.get("rss");
    let workingSet: bigint | null = null;
    let line = 0;
    if (usage) {
      workingSet =
        inactiveFile !== undefined && inactiveFile <= usage.bytes ? usage.bytes - inactiveFile : usage.bytes;
      line = usage.line;
    } else if (stat.size > 0) {
      const file_ = stat.get("file") ?? stat.get("total_cache") ?? stat.get("cache");
      if (anon !== undefined && file_ !== undefined) {
        const total = anon + file_;
        workingSet = inactiveFile !== undefined && inactiveFile <= total ? total - inactiveFile : total;
        line = statLine;
      }
    }
    if (workingSet !== null) {
      const sample: RssSample = {
        t: stamp.t,
        prov: stamp.prov,
        zoneAssumed: stamp.zoneAssumed || undefined,
        src: { path: file.path, line },
        kind: "cgroup",
        rssBytes: Number(workingSet),
      };
      if (anon !== undefined) sample.anonBytes = Number(anon);
      if (peak !== null) sample.peakBytes = Number(peak);
      rss.push(sample);
    }
    if (rss.length === 0 && hints.length === 0 && issues.length === 0) {
      if (stat.size > 0) {
        return {
          kind: "ignored",
          format: this.id,
          message: "memory.stat without anon/rss and file/cache lines: no working set to compute",
        };
      }
      return { kind: "malformed", format: this.id, line: null, message: "no value in the cgroup file" };
    }
    return {
      kind: "parsed",
      format: this.id,
      records: rss.length,
      data: { rss: rssSeriesOf(rss), hints, issues },
    };
  },
};
