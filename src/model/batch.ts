/**
 * `memgap batch` outputs: summary.json (one entry per incident, the contract CI scripts read) and the
 * display-ready model of index.html. Plain JSON data.
 */

export type BatchStatus = "ok" | "failed" | "skipped";

export interface BatchEntry {
  id: string;
  /** the incident directory as given */
  dir: string;
  status: BatchStatus;
  /** primary verdict class; null when the incident failed */
  verdict: string | null;
  secondary: string[];
  headline: string | null;
  /** report.json's figures; null when the incident failed */
  figures: Record<string, unknown> | null;
  /** why the incident failed, else null */
  error: string | null;
  /** why it was skipped (unchanged inputs), else null */
  skipReason: string | null;
  /** output files, relative to the batch's --out directory */
  outputs: string[];
  /** what --fail-on matched in this incident */
  failOn: string[];
}

export interface BatchSummary {
  schemaVersion: 1;
  generatedAt: string;
  tool: { name: "memgap"; version: string };
  counts: { total: number; ok: number; skipped: number; failed: number };
  /** `--shard i/n` when the run covered a share of the incidents */
  shard: { index: number; count: number } | null;
  incidents: BatchEntry[];
}

export interface IndexRow {
  id: string;
  status: BatchStatus;
  statusText: string;
  verdict: string;
  headline: string;
  peakRss: string;
  error: string | null;
  /** relative link to the incident's main report (HTML, else JSON, else Markdown, else PDF) */
  mainHref: string | null;
  links: { label: string; href: string }[];
}

export interface IndexView {
  generatedAt: string;
  toolVersion: string;
  countText: string;
  rows: IndexRow[];
}
