/**
 * Shared by the process-table parsers (ps, top, pidstat): choosing the process a memory incident is
 * about when a table lists several, and sizes with unit suffixes.
 *
 * Method (subject choice): a table with one row per snapshot is taken whole (a new PID between
 * snapshots is a restart, which the timeline must see). When a snapshot lists several processes
 * (`ps aux`, `top` without -p), the subject is the command of the row with the largest RSS in the file;
 * each snapshot then keeps its largest row of that command, so a restarted process (new PID, same
 * command) is followed. The processes left out are named in a data-quality note.
 */
import type { DataIssue, Provenance, RssKind, RssSample } from "../model/capture.js";

export interface ProcessRow {
  pid: number;
  command: string;
  rssBytes: number;
  line: number;
}

export interface SubjectChoice<R extends ProcessRow> {
  /** per snapshot: the subject's row, or null when the subject is absent */
  rows: (R | null)[];
  issue: DataIssue | null;
}

export function chooseSubject<R extends ProcessRow>(snapshots: R[][], path: string): SubjectChoice<R> {
  const multi = snapshots.some((s) => s.length > 1);
  if (!multi) return { rows: snapshots.map((s) => s[0] ?? null), issue: null };
  let biggest: R | null = null;
  for (const s of snapshots) for (const r of s) if (!biggest || r.rssBytes > biggest.rssBytes) biggest = r;
  if (!biggest) return { rows: snapshots.map(() => null), issue: null };
  const command = biggest.command;
  const others = new Set<string>();
  const rows = snapshots.map((s) => {
    let best: R | null = null;
    for (const r of s) {
      if (r.command !== command) {
        others.add(`${r.command}(${r.pid})`);
        continue;
      }
      if (!best || r.rssBytes > best.rssBytes) best = r;
    }
    return best;
  });
  const listed = [...others].slice(0, 5).join(", ");
  return {
    rows,
    issue: {
      severity: "info",
      message:
        `${path}: several processes listed; the one with the largest RSS (${command}, pid ${biggest.pid}) ` +
        `is taken as the subject, ${others.size} other process${others.size === 1 ? "" : "es"} left out` +
        (listed ? ` (${listed}${others.size > 5 ? ", ..." : ""})` : ""),
      src: { path, line: biggest.line },
    },
  };
}

const SUFFIX_POWER: Record<string, number> = { k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 };

/**
 * A size in KiB unless suffixed: `356712`, `3582.4m`, `1.2g`, `3582,4m` (decimal comma under de_DE),
 * `348.4M` (pidstat --human), `656m` (BusyBox). Suffixes are 1024-based (procps, sysstat, BusyBox).
 * Returns bytes, or null when the text is not a size.
 */
export function kibOrSuffixedToBytes(text: string): number | null {
  const m = /^(\d+(?:[.,]\d+)?)([kmgtpeKMGTPE])?(?:i?B)?$/.exec(text.trim());
  if (!m) return null;
  const value = Number(m[1]!.replace(",", "."));
  if (!Number.isFinite(value)) return null;
  const power = m[2] ? SUFFIX_POWER[m[2].toLowerCase()]! : 1;
  return Math.round(value * 1024 ** power);
}

/**
 * The RSS sample of one process-table row at one time, with the same own keys every time (no
 * undefined-valued keys): `pid` only when the table has one, `zoneAssumed` only when true.
 */
export function rowSample(
  time: { t: number; prov: Provenance; zoneAssumed?: boolean },
  path: string,
  row: { line: number; rssBytes: number; pid?: number },
  kind: RssKind,
  withPid = true,
): RssSample {
  const s: RssSample = {
    t: time.t,
    prov: time.prov,
    src: { path, line: row.line },
    kind,
    rssBytes: row.rssBytes,
  };
  if (time.zoneAssumed) s.zoneAssumed = true;
  if (withPid && row.pid !== undefined) s.pid = row.pid;
  return s;
}
