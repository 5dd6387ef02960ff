/**
 * One incident of a batch, in isolation: check whether its recorded report still stands, else run
 * the pipeline and write its reports through the same writer as `memgap report`. Every failure becomes a `failed` result with its reason; nothing
 * here throws, so one incident never stops the others. Runs inside a worker thread (or inline).
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { assertOutsideInput } from "../cli/options.js";
import type { RunOptions } from "../model/options.js";
import type { ReportJson } from "../model/report.js";
import { buildIncidentModels } from "../pipeline/run-incident.js";
import type { ReportPrinter } from "../render/pdf.js";
import { writeFileAtomic } from "../render/write-atomic.js";
import { writeReport, type OutputFormat } from "../render/write-report.js";
import {
  checkFreshness,
  hashInputs,
  MANIFEST_NAME,
  type InputManifest,
  type ManifestResult,
} from "./input-manifest.js";

export interface IncidentJob {
  id: string;
  dir: string;
  outDir: string;
  formats: OutputFormat[];
  paper: "a4" | "letter";
  options: RunOptions;
  /** the options recorded in the manifest (what changes the output; never the generation time) */
  fingerprintOptions: Record<string, unknown>;
  force: boolean;
}

export type IncidentResult =
  | { status: "skipped"; id: string; outDir: string; reason: string; manifest: InputManifest }
  | {
      status: "ok";
      id: string;
      outDir: string;
      written: string[];
      manifest: InputManifest;
    }
  | { status: "failed"; id: string; outDir: string; error: string };

export function resultOf(json: ReportJson): ManifestResult {
  return {
    verdict: json.verdict.primary,
    secondary: [...json.verdict.secondary],
    headline: json.verdict.headline,
    firedSeverities: json.findings.filter((f) => f.status === "fired").map((f) => f.severity),
    figures: { ...json.figures },
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * `printer` prints the PDF: in a worker thread, a proxy to the batch's one shared browser
 * (src/batch/incident-worker.ts); inline, a PdfPrinter.
 */
export async function processIncident(
  job: IncidentJob,
  printer: ReportPrinter | null,
): Promise<IncidentResult> {
  const base = { id: job.id, outDir: job.outDir };
  try {
    const st = await stat(job.dir).catch((err: unknown) => {
      throw new Error(`cannot be read: ${message(err)}`);
    });
    if (!st.isDirectory()) throw new Error("not a directory (an incident is a directory of captures)");
    assertOutsideInput(job.outDir, job.dir);

    const freshness = await checkFreshness(
      job.dir,
      job.outDir,
      job.options.toolVersion,
      job.fingerprintOptions,
    );
    if (freshness.fresh && !job.force) {
      return {
        ...base,
        status: "skipped",
        reason: "inputs, tool version and options unchanged",
        manifest: freshness.manifest,
      };
    }

    const models = await buildIncidentModels(job.dir, job.id, job.options);
    const res = await writeReport({
      outDir: job.outDir,
      formats: job.formats,
      view: models.view,
      json: models.json,
      printer: job.formats.includes("pdf") ? printer : null,
      paper: job.paper,
    });
    if (job.formats.includes("pdf") && !res.written.some((w) => path.basename(w) === "report.pdf"))
      throw new Error(`PDF not written: ${res.notes.join("; ") || "no printer"}`);
    const written = res.written;

    const contentHash = freshness.contentHash ?? (await hashInputs(job.dir, freshness.listing.files));
    const manifest: InputManifest = {
      manifestVersion: 1,
      toolVersion: job.options.toolVersion,
      options: job.fingerprintOptions,
      files: freshness.listing.files,
      contentHash,
      outputs: written.map((w) => path.basename(w)).sort(),
      result: resultOf(models.json),
    };
    // Written last: a manifest exists only beside a complete set of outputs.
    await writeFileAtomic(path.join(job.outDir, MANIFEST_NAME), JSON.stringify(manifest, null, 2) + "\n");
    return { ...base, status: "ok", written, manifest };
  } catch (err) {
    return { ...base, status: "failed", error: message(err) };
  }
}
