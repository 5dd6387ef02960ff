/** `memgap report <incident-dir>`: one incident to HTML, PDF, JSON and Markdown. */
import { stat } from "node:fs/promises";
import path from "node:path";
import { findBrowser, INSTALL_HINT, PdfPrinter } from "../render/pdf.js";
import { writeReport, type OutputFormat } from "../render/write-report.js";
import { assertOutsideInput, incidentIdOf, runOptionsFrom, UsageError, type CommonFlags } from "./options.js";

export interface ReportFlags extends CommonFlags {
  out?: string;
  formats: OutputFormat[];
  paper: "a4" | "letter";
}

export interface ReportOutcome {
  outDir: string;
  written: string[];
  notes: string[];
  verdict: string;
  headline: string;
}

export async function runReportCommand(
  incidentDir: string,
  flags: ReportFlags,
  env: NodeJS.ProcessEnv,
): Promise<ReportOutcome> {
  const st = await stat(incidentDir).catch(() => null);
  if (!st || !st.isDirectory())
    throw new UsageError(
      `${incidentDir}: not a directory (memgap report takes the incident's capture directory)`,
    );
  const options = runOptionsFrom(flags, env);
  const id = incidentIdOf(incidentDir);
  const outDir = path.resolve(flags.out ?? path.join("out", id));
  assertOutsideInput(outDir, incidentDir);
  let printer: PdfPrinter | null = null;
  const notes: string[] = [];
  // Chromium is started now, while the captures are read and analysed: its half second of start-up
  // overlaps that work instead of following it. A browser that fails to start is no browser.
  let launched: Promise<string | null> = Promise.resolve(null);
  if (flags.formats.includes("pdf")) {
    const exe = findBrowser(env);
    if (exe) {
      const p = new PdfPrinter(exe);
      printer = p;
      launched = p.open().then(
        () => null,
        (err: unknown) =>
          `${exe} did not start (${err instanceof Error ? err.message : String(err)}); ${INSTALL_HINT}`,
      );
    } else notes.push(INSTALL_HINT);
  }
  try {
    // The pipeline's modules are loaded only now, after Chromium was spawned: their loading is work
    // the browser's start-up can overlap, rather than a wait before it begins.
    const { buildIncidentModels } = await import("../pipeline/run-incident.js");
    const models = await buildIncidentModels(incidentDir, id, options);
    // The browser is waited for only when the page is rendered and ready to print (writeReport).
    const ready = launched.then(async (launchFailure) => {
      if (!launchFailure) return printer;
      notes.push(launchFailure);
      await printer?.close().catch(() => undefined);
      printer = null;
      return null;
    });
    const res = await writeReport({
      outDir,
      formats: flags.formats,
      // A getter: the display model is built only when html, pdf or md asks for it.
      get view() {
        return models.view;
      },
      json: models.json,
      printer: ready,
      paper: flags.paper,
    });
    return {
      outDir,
      written: res.written,
      notes: [...notes, ...res.notes.filter((n) => !n.startsWith("PDF skipped"))],
      verdict: models.json.verdict.primary,
      headline: models.json.verdict.headline,
    };
  } finally {
    await printer?.close();
  }
}
