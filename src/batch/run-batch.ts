/**
 * `memgap batch`: many incident directories through the same pipeline, each in isolation.
 *
 * Shape: expand the arguments (globs) -> plan ids -> keep this shard's share -> a pool of worker
 * threads runs the incidents in parallel (each skips itself when its manifest says the inputs, tool
 * version and options are unchanged) -> the PDFs of all incidents are printed by ONE shared browser
 * in this thread, on the workers' request -> summary.json and index.html. A failing incident is recorded with its reason and never stops the others.
 */
import os from "node:os";
import path from "node:path";
import { UsageError } from "../cli/options.js";
import { expandIncidentArguments } from "../ingest/discover.js";
import type { BatchEntry, BatchSummary } from "../model/batch.js";
import type { RunOptions } from "../model/options.js";
import {
  findBrowser,
  INSTALL_HINT,
  PdfPrinter,
  printRecovering,
  PRINT_TIMEOUT_MS,
  type PdfMeta,
  type PrintResult,
  type RecoverablePrinter,
} from "../render/pdf.js";
import type { OutputFormat } from "../render/write-report.js";
import { failOnMatches, type FailOn } from "./fail-on.js";
import { planIncidents, selectShard, type Shard } from "./plan.js";
import type { IncidentJob, IncidentResult } from "./process-incident.js";
import type { ProgressReporter } from "./progress.js";
import { buildSummary, writeBatchOutputs } from "./summary.js";
import { IncidentPool } from "./worker-pool.js";

export interface BatchRequest {
  args: string[];
  outRoot: string;
  formats: OutputFormat[];
  paper: "a4" | "letter";
  /** worker threads; default os.availableParallelism() */
  concurrency?: number;
  force: boolean;
  shard: Shard | null;
  failOn: FailOn | null;
  options: RunOptions;
  env: NodeJS.ProcessEnv;
  progress: ProgressReporter;
  /**
   * The printer for every PDF of the batch; default a PdfPrinter on the browser found. Tests give a
   * printer that hangs or crashes, to prove one bad print fails only its incident.
   */
  printer?: RecoverablePrinter & { close(): Promise<void> };
  /** the bound on one print attempt (default PRINT_TIMEOUT_MS) */
  printTimeoutMs?: number;
}

export interface BatchOutcome {
  summary: BatchSummary;
  /** summary.json and index.html */
  written: string[];
  notes: string[];
  /** browsers launched for this run's PDFs: one shared by every incident, more only after a crash or hang */
  browsersLaunched: number;
  /** incidents whose report reached --fail-on */
  failOnHits: { id: string; matched: string[] }[];
}

/**
 * Print with the shared browser. PdfPrinter shares one launch among concurrent first prints; a print
 * that hangs or whose browser crashes is retried once on a fresh browser (printRecovering), and a
 * second failure rejects: that incident is recorded as failed with the reason, the batch goes on.
 */
function sharedPrint(
  printer: RecoverablePrinter,
  html: string,
  meta: PdfMeta,
  timeoutMs: number,
): Promise<PrintResult> {
  return printRecovering(printer, html, meta, timeoutMs);
}

export function defaultConcurrency(): number {
  return Math.max(1, os.availableParallelism());
}

/** What changes an incident's outputs; the generation time does not (it is not an input). */
function fingerprintOptions(req: BatchRequest): Record<string, unknown> {
  const o = req.options;
  return {
    formats: req.formats,
    paper: req.paper,
    zone: o.zone,
    goVersion: o.goVersion,
    kernel: o.kernel,
    godebug: o.godebug,
  };
}

function relativeOutputs(outRoot: string, outDir: string, names: string[]): string[] {
  return names.map((n) => path.relative(outRoot, path.join(outDir, n)).split(path.sep).join("/")).sort();
}

export async function runBatch(req: BatchRequest): Promise<BatchOutcome> {
  const outRoot = path.resolve(req.outRoot);
  const notes: string[] = [];
  const plan = planIncidents(await expandIncidentArguments(req.args));
  notes.push(...plan.notes);
  if (plan.incidents.length === 0)
    throw new UsageError(`no incident directory in ${req.args.map((a) => JSON.stringify(a)).join(" ")}`);
  const incidents = selectShard(plan.incidents, req.shard);

  const wantPdf = req.formats.includes("pdf");
  let printer: (RecoverablePrinter & { close(): Promise<void> }) | null = null;
  let pdfPrinter: PdfPrinter | null = null;
  if (wantPdf && incidents.length > 0) {
    if (req.printer) printer = req.printer;
    else {
      const exe = findBrowser(req.env);
      if (exe) printer = pdfPrinter = new PdfPrinter(exe);
      else notes.push(INSTALL_HINT);
    }
  }
  const printTimeoutMs = req.printTimeoutMs ?? PRINT_TIMEOUT_MS;
  const formats = wantPdf && !printer ? req.formats.filter((f) => f !== "pdf") : req.formats;
  const pool = new IncidentPool(
    Math.max(1, Math.min(req.concurrency ?? defaultConcurrency(), incidents.length)),
    printer ? (html, meta) => sharedPrint(printer, html, meta, printTimeoutMs) : null,
  );
  const entries: BatchEntry[] = [];
  const failOnHits: { id: string; matched: string[] }[] = [];

  const finish = (job: IncidentJob, dir: string, result: IncidentResult): BatchEntry => {
    const entry: BatchEntry = {
      id: job.id,
      dir,
      status: result.status,
      verdict: null,
      secondary: [],
      headline: null,
      figures: null,
      error: null,
      skipReason: null,
      outputs: [],
      failOn: [],
    };
    if (result.status === "failed") {
      entry.error = result.error;
      return entry;
    }
    const manifest = result.manifest;
    if (result.status === "skipped") entry.skipReason = result.reason;
    const r = manifest.result;
    entry.verdict = r.verdict;
    entry.secondary = r.secondary;
    entry.headline = r.headline;
    entry.figures = r.figures;
    entry.outputs = relativeOutputs(outRoot, job.outDir, manifest.outputs);
    if (req.failOn) {
      entry.failOn = failOnMatches(req.failOn, r);
      if (entry.failOn.length > 0) failOnHits.push({ id: job.id, matched: entry.failOn });
    }
    return entry;
  };

  req.progress.start(incidents.length);
  try {
    await Promise.all(
      incidents.map(async (inc) => {
        const job: IncidentJob = {
          id: inc.id,
          dir: path.resolve(inc.dir),
          outDir: path.join(outRoot, inc.id),
          formats,
          paper: req.paper,
          options: req.options,
          fingerprintOptions: fingerprintOptions(req),
          force: req.force,
        };
        let entry: BatchEntry;
        try {
          entry = await finish(job, inc.dir, await pool.run(job));
        } catch (err) {
          entry = {
            id: inc.id,
            dir: inc.dir,
            status: "failed",
            verdict: null,
            secondary: [],
            headline: null,
            figures: null,
            error: (err as Error).message,
            skipReason: null,
            outputs: [],
            failOn: [],
          };
        }
        entries.push(entry);
        req.progress.done(
          entry.id,
          entry.status,
          entry.status === "failed" ? (entry.error ?? "") : (entry.verdict ?? ""),
        );
      }),
    );
  } finally {
    req.progress.stop();
    await pool.close();
    await printer?.close();
  }

  const summary = buildSummary(entries, {
    generatedAt: req.options.generatedAt,
    toolVersion: req.options.toolVersion,
    shard: req.shard,
  });
  const written = await writeBatchOutputs(outRoot, summary, req.shard);
  return { summary, written, notes, failOnHits, browsersLaunched: pdfPrinter?.launches ?? 0 };
}
