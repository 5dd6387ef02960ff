/**
 * `kubectl top pod [--containers]` output (FORMATS.md §6.7): `NAME CPU(cores) MEMORY(bytes)` or, with
 * --containers, `POD NAME CPU(cores) MEMORY(bytes)`. Memory is the metrics-server working set of the
 * container(s) in Ki/Mi/Gi (binary), or plain bytes. There is no timestamp: a single table is timed by
 * the file name; a loop's file (`date; kubectl top pod; sleep 15`) times each table by its date line.
 *
 * Subject: when several pods are listed, the workload is the pod name without its ReplicaSet hash
 * and pod suffix (`api-7d9c8b6f5-x2k4q` -> `api`), so that a restarted pod (new name, same workload) is
 * followed; process-table.ts keeps, per table, the largest row of the workload with the largest memory.
 */
import type { DataIssue, Provenance, RssSample } from "../../model/capture.js";
import { chooseSubject, type ProcessRow, rowSample } from "../process-table.js";
import {
  parsedUpTo,
  type CaptureFile,
  type IngestOptions,
  type ParseOutcome,
  type Parser,
} from "../parser.js";
import { stampFile } from "../time/file-stamp.js";
import { splitLinePrefix } from "../time/line-prefix.js";
import { rssSeriesOf } from "../../common/rss-series.js";

const HEADER = /^(POD\s+)?NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/;
const QUANTITY: Record<string, number> = {
  "": 1,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
};

/** A Kubernetes quantity (`345Mi`, `2Gi`, `1500000`) in bytes; null when it is not one. */
export function quantityToBytes(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(text);
  if (!m) return null;
  return Math.round(Number(m[1]) * QUANTITY[m[2] ?? ""]!);
}

/** `api-7d9c8b6f5-x2k4q` -> `api` (Deployment pods); `db-0` -> `db` (StatefulSet); else the name. */
function workloadOf(pod: string): string {
  const deployment = /^(.+)-[a-z0-9]{6,10}-[a-z0-9]{5}$/.exec(pod);
  if (deployment) return deployment[1]!;
  const stateful = /^(.+)-\d+$/.exec(pod);
  return stateful ? stateful[1]! : pod;
}

interface Table {
  stamp: { t: number; zoneAssumed: boolean; prov: Provenance } | null;
  line: number;
  rows: ProcessRow[];
}

export const kubectl: Parser = {
  id: "kubectl",
  description: "kubectl top pod [--containers] output (working set per pod/container)",
  sniff(file: CaptureFile): boolean {
    if (file.head.includes(0)) return false;
    return file.headText.split("\n", 20).some((l) => HEADER.test(l.replace(/\r$/, "")));
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const text = await file.readText();
    const lines = text.split("\n");
    // IngestOptions carries exactly what the prefix and time-of-day readers need.
    const ctx = options;
    const tables: Table[] = [];
    let containers = false;
    let pending: Table["stamp"] = null;
    let firstProblem: { line: number; message: string } | null = null;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.replace(/\r$/, "");
      if (line.trim() === "") continue;
      const h = HEADER.exec(line);
      if (h) {
        containers = Boolean(h[1]);
        tables.push({ stamp: pending, line: i + 1, rows: [] });
        pending = null;
        continue;
      }
      const stamp = splitLinePrefix(line, ctx);
      if (stamp && stamp.rest.trim() === "") {
        pending = { t: stamp.t, zoneAssumed: stamp.zoneAssumed, prov: "record" };
        continue;
      }
      if (tables.length === 0) continue;
      const tokens = line.trim().split(/\s+/);
      const expected = containers ? 4 : 3;
      const bytes = tokens.length === expected ? quantityToBytes(tokens[expected - 1]!) : null;
      if (bytes === null) {
        firstProblem ??= {
          line: i + 1,
          message: `not a kubectl top row: ${JSON.stringify(line.slice(0, 60))}`,
        };
        continue;
      }
      const pod = tokens[0]!;
      tables[tables.length - 1]!.rows.push({
        pid: 0,
        command: containers ? `${workloadOf(pod)}/${tokens[1]}` : workloadOf(pod),
        rssBytes: bytes,
        line: i + 1,
      });
    }
    if (tables.length === 0) return { kind: "not-mine" };
    const undated = tables.filter((t) => !t.stamp);
    if (undated.length === 1 && tables.length === 1) {
      const s = stampFile(file, options);
      tables[0]!.stamp = { t: s.t, zoneAssumed: s.zoneAssumed, prov: s.prov };
    } else if (undated.length > 0) {
      firstProblem ??= {
        line: undated[0]!.line,
        message: "kubectl top table without a date line before it (skipped)",
      };
    }
    const timed = tables.filter((t) => t.stamp);
    const choice = chooseSubject(
      timed.map((t) => t.rows),
      file.path,
    );
    const issues: DataIssue[] = choice.issue ? [choice.issue] : [];
    const rss: RssSample[] = [];
    timed.forEach((t, idx) => {
      const row = choice.rows[idx];
      if (!row) return;
      rss.push(rowSample(t.stamp!, file.path, row, "kubectl", false));
    });
    if (rss.length === 0) {
      return {
        kind: "malformed",
        format: this.id,
        line: firstProblem?.line ?? tables[0]!.line,
        message: firstProblem?.message ?? "kubectl top header without a row",
      };
    }
    return parsedUpTo(file, this.id, rss.length, { rss: rssSeriesOf(rss), issues }, firstProblem);
  },
};
