/**
 * The batch's own outputs: `summary.json` (one entry per incident, sorted by id) and `index.html`
 * (the incidents with verdict, headline, peak RSS and links to their reports).
 */
import path from "node:path";
import { formatBytes } from "../common/format.js";
import type { BatchEntry, BatchSummary, IndexRow, IndexView } from "../model/batch.js";
import { renderIndexHtml } from "../render/html.js";
import { writeFileAtomic } from "../render/write-atomic.js";

const STATUS_TEXT: Record<BatchEntry["status"], string> = {
  ok: "written",
  skipped: "unchanged (skipped)",
  failed: "failed",
};

/** Which report a row's id links to, in order of preference. */
const MAIN_REPORT = ["report.html", "report.json", "report.md", "report.pdf"];

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function href(outputPath: string): string {
  return outputPath.split("/").map(encodeURIComponent).join("/");
}

export function indexRow(e: BatchEntry): IndexRow {
  const peak = e.figures?.peakRssBytes;
  const links = [...e.outputs]
    .sort((a, b) => MAIN_REPORT.indexOf(path.posix.basename(a)) - MAIN_REPORT.indexOf(path.posix.basename(b)))
    .map((o) => ({ label: path.posix.extname(o).slice(1).toUpperCase(), href: href(o) }));
  const main = MAIN_REPORT.map((name) => e.outputs.find((o) => path.posix.basename(o) === name)).find(
    (o) => o !== undefined,
  );
  return {
    id: e.id,
    status: e.status,
    statusText: STATUS_TEXT[e.status],
    verdict: e.verdict ?? "-",
    headline: e.headline ?? "",
    peakRss: typeof peak === "number" ? formatBytes(peak) : "-",
    error: e.error,
    mainHref: main ? href(main) : null,
    links,
  };
}

export function buildSummary(
  entries: BatchEntry[],
  meta: { generatedAt: string; toolVersion: string; shard: { index: number; count: number } | null },
): BatchSummary {
  const incidents = [...entries].sort(byId);
  return {
    schemaVersion: 1,
    generatedAt: meta.generatedAt,
    tool: { name: "memgap", version: meta.toolVersion },
    counts: {
      total: incidents.length,
      ok: incidents.filter((e) => e.status === "ok").length,
      skipped: incidents.filter((e) => e.status === "skipped").length,
      failed: incidents.filter((e) => e.status === "failed").length,
    },
    shard: meta.shard,
    incidents,
  };
}

export function buildIndexView(summary: BatchSummary): IndexView {
  const c = summary.counts;
  const parts = [`${c.total} incident${c.total === 1 ? "" : "s"}`, `${c.ok} written`];
  if (c.skipped) parts.push(`${c.skipped} unchanged`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (summary.shard) parts.push(`shard ${summary.shard.index}/${summary.shard.count}`);
  return {
    generatedAt: summary.generatedAt,
    toolVersion: summary.tool.version,
    countText: parts.join(", "),
    rows: summary.incidents.map(indexRow),
  };
}

/**
 * summary.json and index.html; a shard writes summary.shard-I-of-N.json and index.shard-I-of-N.html so
 * that shards sharing one output volume never overwrite each other's lists (see docs/batch.md).
 */
export async function writeBatchOutputs(
  outRoot: string,
  summary: BatchSummary,
  shard: { index: number; count: number } | null,
): Promise<string[]> {
  const suffix = shard && shard.count > 1 ? `.shard-${shard.index}-of-${shard.count}` : "";
  const json = path.join(outRoot, `summary${suffix}.json`);
  const html = path.join(outRoot, `index${suffix}.html`);
  await writeFileAtomic(json, JSON.stringify(summary, null, 2) + "\n");
  await writeFileAtomic(html, await renderIndexHtml(buildIndexView(summary)));
  return [json, html];
}
