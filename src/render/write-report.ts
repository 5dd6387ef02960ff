/**
 * The render stage's edge: write report.{json,md,html,pdf} into the output directory, each atomically.
 */
import path from "node:path";
import type { ReportJson, ReportView } from "../model/report.js";
import type { RenderedChart } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import type { ReportPrinter } from "./pdf.js";
import { writeFileAtomic } from "./write-atomic.js";

export type OutputFormat = "html" | "pdf" | "json" | "md";
export const ALL_FORMATS: OutputFormat[] = ["html", "pdf", "json", "md"];

export interface WriteRequest {
  outDir: string;
  formats: OutputFormat[];
  view: ReportView;
  json: ReportJson;
  /**
   * null when no browser is available: the PDF is skipped with a note. Only print() is used: a
   * PdfPrinter, or the batch worker's proxy to the batch's shared browser. A promise (a browser still
   * starting) is awaited only once the HTML is rendered, so that the rendering overlaps the start.
   */
  printer: ReportPrinter | null | Promise<ReportPrinter | null>;
  paper: "a4" | "letter";
}

export interface WriteResult {
  written: string[];
  notes: string[];
  blockedRequests: string[];
}

/** Stable JSON: two-space indent, newline at the end. */
export function stringifyReport(json: ReportJson): string {
  return JSON.stringify(json, null, 2) + "\n";
}

/**
 * Vega (charts) and Handlebars (HTML) are loaded on first use: together they are half a second of
 * module loading that `--format json` and `--format md` never need.
 */
export async function renderCharts(view: ReportView): Promise<RenderedChart[]> {
  const { renderChartSvg } = await import("./chart-svg.js");
  const out: RenderedChart[] = [];
  for (const c of view.charts) {
    out.push({ ...c, svg: await renderChartSvg(c.spec, { title: c.title, description: c.description }) });
    // Back to the event loop between charts: a chart is tens of milliseconds of synchronous work, and
    // the browser being prepared for the PDF meanwhile waits on this thread to read its answers.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

export async function writeReport(req: WriteRequest): Promise<WriteResult> {
  const written: string[] = [];
  const notes: string[] = [];
  let blockedRequests: string[] = [];
  const target = (name: string): string => path.join(req.outDir, name);
  if (req.formats.includes("json")) {
    await writeFileAtomic(target("report.json"), stringifyReport(req.json));
    written.push(target("report.json"));
  }
  if (req.formats.includes("md")) {
    await writeFileAtomic(target("report.md"), renderMarkdown(req.view));
    written.push(target("report.md"));
  }
  if (req.formats.includes("html") || req.formats.includes("pdf")) {
    const { renderHtml } = await import("./html.js");
    const html = await renderHtml(req.view, await renderCharts(req.view), req.paper);
    // report.html is written while Chromium prints: both are waits on something other than this thread.
    const work: Promise<string>[] = [];
    if (req.formats.includes("html"))
      work.push(writeFileAtomic(target("report.html"), html).then(() => target("report.html")));
    if (req.formats.includes("pdf")) {
      const printer = await req.printer;
      if (!printer) {
        notes.push("PDF skipped: no browser");
      } else {
        const meta = {
          title: req.view.title,
          header: `${req.view.title} · ${req.view.verdictLabel}`,
          paper: req.paper,
        };
        work.push(
          printer.print(html, meta).then(async (res) => {
            blockedRequests = res.blockedRequests;
            await writeFileAtomic(target("report.pdf"), res.pdf);
            return target("report.pdf");
          }),
        );
      }
    }
    // both settle before anything is reported: a failure never leaves the other half-way
    const settled = await Promise.allSettled(work);
    for (const s of settled) if (s.status === "rejected") throw s.reason;
    for (const s of settled) if (s.status === "fulfilled") written.push(s.value);
  }
  return { written, notes, blockedRequests };
}
