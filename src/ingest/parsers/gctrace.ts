/**
 * GODEBUG traces on stderr (FORMATS.md §5): `gctrace=1` lines, `scvg` (Go <= 1.13) and `scavtrace=1`
 * `scav` (1.14+) lines, interleaved with the program's own output, raw or behind a logger's timestamp
 * prefix (ts, date, journald, docker/kubectl --timestamps: see time/line-prefix.ts).
 *
 * Each line is matched after its prefix is split off. A prefixed line is timed by its prefix
 * (provenance "record"); a raw line keeps only `@secs` since process start and is placed later by the
 * timeline. scav lines carry neither, so they keep the number and offset of the preceding gc line.
 * The line shapes differ by Go version, which the parser reports as hints (DESIGN.md §2): `MB stacks`
 * means Go >= 1.18; a scav generation number 1.15-1.18; `work (bg)` 1.21+; `scvg` <= 1.13.
 * A line that starts like a gc line (`gc 12 @`) but fails the grammar is a located problem.
 */
import type { GcEvent, Hint, ScavEvent } from "../../model/capture.js";
import {
  linesOf,
  type CaptureFile,
  type IngestOptions,
  type ParseOutcome,
  type Parser,
  parsedUpTo,
} from "../parser.js";
import { splitLinePrefix } from "../time/line-prefix.js";

const MIB = 1024 * 1024;
const KIB = 1024;

/**
 * gctrace=1 (runtime/mgc.go gcMarkTermination). The clock and cpu groups are kept loose so that the
 * Go 1.5 five-phase form (`#+#+#+#+#`) parses too; 1.6+ prints three clock phases.
 */
const GC_LINE =
  /^gc #?(\d+) @(\d+(?:\.\d+)?)s (\d+)%: ([\d.]+(?:\+[\d.]+)+) ms clock, ([\d.]+(?:[+/][\d.]+)+) ms cpu, (\d+)->(\d+)->(\d+) MB, (\d+) MB goal, (?:(\d+) MB stacks, (\d+) MB globals, )?(\d+) P( \(forced\))?\s*$/;
/** The start of a gc line: anything that begins this way and fails GC_LINE is a broken gc line. */
const GC_START = /^gc #?\d+ @/;
/** scvg (<= 1.13): `scvg3: 12 MB released` and `scvg3: inuse: 1, idle: 2, sys: 3, released: 4, consumed: 5 (MB)`. */
const SCVG_RELEASED = /^scvg(-?\d+)?: (\d+) MB released\s*$/;
const SCVG_SUMMARY =
  /^scvg(-?\d+)?: inuse: (\d+), idle: (\d+), sys: (\d+), released: (\d+), consumed: (\d+) \(MB\)\s*$/;
/** scav (1.14+), all generations: optional gen (1.15-1.18), `(bg)` + eager (1.21+), `total` or `now`. */
const SCAV_LINE =
  /^scav (?:(\d+) )?(\d+) KiB work( \(bg\))?, (?:(\d+) KiB work \(eager\), )?(\d+) KiB (total|now), (\d+)% util( \(forced\)| \[controller reset\])?\s*$/;
const SCAV_START = /^scav \d/;

/** Names that say the file is a GODEBUG trace even when no line of it matches. */
const TRACE_NAME = /(gc[-_.]?trace|scav[-_.]?trace|godebug|scvg)/i;
const SNIFF_LINE = /(?:^|\s)(?:gc #?\d+ @\d+(?:\.\d+)?s \d+%: |scvg-?\d*: |scav \d+ )/m;

interface Shapes {
  stacks: boolean;
  noStacks: boolean;
  fivePhase: boolean;
  scavGen: boolean;
  scavBg: boolean;
  scavTotalNoGen: boolean;
  scvgNumbered: boolean;
  scvgBare: boolean;
  firstLine: Partial<Record<keyof Omit<Shapes, "firstLine">, number>>;
}

function versionHints(path: string, s: Shapes): Hint[] {
  const hints: Hint[] = [];
  const add = (kind: Hint["kind"], value: string, key: keyof Shapes["firstLine"], how: string): void => {
    hints.push({ kind, value, src: { path, line: s.firstLine[key] }, how });
  };
  if (s.stacks)
    add("go-version-min", "1.18", "stacks", "gctrace lines print `MB stacks, MB globals` (Go 1.18+)");
  if (s.noStacks && !s.stacks && !s.fivePhase)
    add("go-version-max", "1.17", "noStacks", "gctrace lines without `MB stacks` (Go <= 1.17)");
  if (s.fivePhase) add("go-version-max", "1.5", "fivePhase", "gctrace lines with five clock phases (Go 1.5)");
  if (s.scavBg) add("go-version-min", "1.21", "scavBg", "scav lines print `KiB work (bg)` (Go 1.21+)");
  if (s.scavGen) {
    add("go-version-min", "1.15", "scavGen", "scav lines carry a generation number (Go 1.15-1.18)");
    add("go-version-max", "1.18", "scavGen", "scav lines carry a generation number (Go 1.15-1.18)");
  }
  if (s.scavTotalNoGen) {
    if (s.stacks)
      add(
        "go-version-min",
        "1.19",
        "scavTotalNoGen",
        "scav lines `KiB work, KiB total` without a generation beside gc lines with `MB stacks` (Go 1.19-1.20)",
      );
    else
      add(
        "go-version-min",
        "1.14",
        "scavTotalNoGen",
        "scav lines `KiB work, KiB total` (Go 1.14 or 1.19-1.20)",
      );
    add(
      "go-version-max",
      "1.20",
      "scavTotalNoGen",
      "scav lines print `KiB total`, not `work (bg)` (Go <= 1.20)",
    );
  }
  if (s.scvgNumbered) add("go-version-max", "1.12", "scvgNumbered", "numbered `scvgN:` lines (Go <= 1.12)");
  if (s.scvgBare) {
    add("go-version-min", "1.13", "scvgBare", "`scvg:` lines without a number (Go 1.13)");
    add("go-version-max", "1.13", "scvgBare", "`scvg:` lines without a number (Go 1.13)");
  }
  return hints;
}

export const gctrace: Parser = {
  id: "gctrace",
  description: "GODEBUG gctrace=1 / scvg / scavtrace=1 lines, raw or behind timestamp prefixes",
  sniff(file: CaptureFile): boolean {
    if (file.head.includes(0)) return false;
    return TRACE_NAME.test(file.path.split("/").pop() ?? "") || SNIFF_LINE.test(file.headText);
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    // IngestOptions carries exactly what the prefix and time-of-day readers need.
    const ctx = options;
    const gc: GcEvent[] = [];
    const scav: ScavEvent[] = [];
    const shapes: Shapes = {
      stacks: false,
      noStacks: false,
      fivePhase: false,
      scavGen: false,
      scavBg: false,
      scavTotalNoGen: false,
      scvgNumbered: false,
      scvgBare: false,
      firstLine: {},
    };
    const seen = (key: keyof Shapes["firstLine"], line: number): void => {
      (shapes as unknown as Record<string, boolean>)[key] = true;
      shapes.firstLine[key] ??= line;
    };
    let firstBroken: { line: number; message: string } | null = null;
    let broken = 0;
    let lastGc: GcEvent | null = null;
    /** bytes of a `scvgN: N MB released` line, joined to the summary line that follows it */
    let pendingScvgRelease: number | null = null;

    // streamed line by line: memory follows the events kept, not the size of the log
    let lineNo = 0;
    for await (const raw of linesOf(file)) {
      lineNo++;
      if (raw.trim() === "") continue;
      const prefix = splitLinePrefix(raw, ctx);
      const msg = (prefix ? prefix.rest : raw).trimStart();
      const timing = {
        t: prefix ? prefix.t : null,
        prov: prefix ? ("record" as const) : null,
        zoneAssumed: prefix?.zoneAssumed || undefined,
        src: { path: file.path, line: lineNo },
      };
      if (msg.startsWith("gc ")) {
        const m = GC_LINE.exec(msg);
        if (!m) {
          if (GC_START.test(msg)) {
            broken++;
            firstBroken ??= {
              line: lineNo,
              message: `gc line does not follow the gctrace grammar: ${JSON.stringify(msg.slice(0, 80))}`,
            };
          }
          continue;
        }
        // The first and last clock phases are the stop-the-world ones (sweep termination, mark termination).
        const clock = m[4]!.split("+");
        const stw = Number(clock[0]) + Number(clock[clock.length - 1]);
        if (clock.length > 3) seen("fivePhase", lineNo);
        if (m[10] !== undefined) seen("stacks", lineNo);
        else seen("noStacks", lineNo);
        // Spelled out, not `...timing`: an object built by spread then extended takes ~3x the heap
        // (726 vs 258 bytes measured), and a log's gc events are what a streamed parse keeps.
        const event: GcEvent = {
          t: timing.t,
          prov: timing.prov,
          zoneAssumed: timing.zoneAssumed,
          src: timing.src,
          gcNum: Number(m[1]),
          offsetSec: Number(m[2]),
          cpuPercent: Number(m[3]),
          heapStartBytes: Number(m[6]) * MIB,
          heapEndBytes: Number(m[7]) * MIB,
          heapLiveBytes: Number(m[8]) * MIB,
          goalBytes: Number(m[9]) * MIB,
          procs: Number(m[12]),
          forced: Boolean(m[13]),
          pauseMs: Math.round(stw * 1000) / 1000,
        };
        if (m[10] !== undefined) {
          event.stacksBytes = Number(m[10]) * MIB;
          event.globalsBytes = Number(m[11]) * MIB;
        }
        // gctrace=2 prints each collection twice: keep one.
        if (lastGc && lastGc.gcNum === event.gcNum && lastGc.offsetSec === event.offsetSec) continue;
        gc.push(event);
        lastGc = event;
        continue;
      }
      const after = lastGc ? { afterGcNum: lastGc.gcNum, afterGcOffsetSec: lastGc.offsetSec } : {};
      if (msg.startsWith("scav ")) {
        const m = SCAV_LINE.exec(msg);
        if (!m) {
          if (SCAV_START.test(msg)) {
            broken++;
            firstBroken ??= {
              line: lineNo,
              message: `scav line does not follow the scavtrace grammar: ${JSON.stringify(msg.slice(0, 80))}`,
            };
          }
          continue;
        }
        if (m[3]) seen("scavBg", lineNo);
        else if (m[1] !== undefined) seen("scavGen", lineNo);
        else if (m[6] === "total") seen("scavTotalNoGen", lineNo);
        const work = Number(m[2]) + Number(m[4] ?? "0");
        scav.push({
          ...timing,
          form: "scav",
          releasedBytes: work * KIB,
          totalReleasedBytes: Number(m[5]) * KIB,
          forced: m[8] === " (forced)",
          ...after,
        });
        continue;
      }
      if (msg.startsWith("scvg")) {
        const rel = SCVG_RELEASED.exec(msg);
        if (rel) {
          pendingScvgRelease = Number(rel[2]) * MIB;
          continue;
        }
        const sum = SCVG_SUMMARY.exec(msg);
        if (!sum) continue;
        if (sum[1] === undefined) seen("scvgBare", lineNo);
        else seen("scvgNumbered", lineNo);
        scav.push({
          ...timing,
          form: "scvg",
          releasedBytes: pendingScvgRelease ?? 0,
          totalReleasedBytes: Number(sum[5]) * MIB,
          // scvg-1 is debug.FreeOSMemory (mheap.go scavenge(-1, ...)).
          forced: sum[1] === "-1",
          ...after,
        });
        pendingScvgRelease = null;
        continue;
      }
    }

    const records = gc.length + scav.length;
    if (records === 0) {
      if (firstBroken) {
        return {
          kind: "malformed",
          format: this.id,
          line: firstBroken.line,
          message: `${firstBroken.message} (${broken} such line${broken === 1 ? "" : "s"}, none readable)`,
        };
      }
      if (TRACE_NAME.test(file.path.split("/").pop() ?? "")) {
        return {
          kind: "ignored",
          format: this.id,
          message:
            "named like a GODEBUG trace but holds no gc, scvg or scav line (was GODEBUG=gctrace=1 set?)",
        };
      }
      return { kind: "not-mine" };
    }
    return parsedUpTo(
      file,
      this.id,
      records,
      { gc, scav, hints: versionHints(file.path, shapes) },
      firstBroken && { ...firstBroken, skipped: { count: broken, what: "such line" } },
    );
  },
};
