/**
 * The HTML report: Handlebars (strict mode) over the display-ready view, with the CSS inlined and the
 * charts as inline SVG, so the page is self-contained and makes no request. The only file that
 * imports handlebars. Everything from the view is escaped by Handlebars' {{ }}; only the SVG charts,
 * which memgap generates (vega escapes the text in them), and the CSS are inserted raw.
 */
import Handlebars from "handlebars";
import { readFileSync } from "node:fs";
import type { ReportView, ViewChart } from "../model/report.js";
import type { IndexView } from "../model/batch.js";

const TEMPLATES = new URL("../../templates/", import.meta.url);

let compiled: HandlebarsTemplateDelegate | null = null;

function template(): HandlebarsTemplateDelegate {
  if (!compiled) {
    const hb = Handlebars.create();
    hb.registerPartial("finding", readFileSync(new URL("finding.hbs", TEMPLATES), "utf8"));
    hb.registerPartial("rich", readFileSync(new URL("rich.hbs", TEMPLATES), "utf8"));
    compiled = hb.compile(readFileSync(new URL("report.hbs", TEMPLATES), "utf8"), {
      strict: true,
      noEscape: false,
    });
  }
  return compiled;
}

export function reportCss(): string {
  return readFileSync(new URL("report.css", TEMPLATES), "utf8");
}

export type RenderedChart = ViewChart & { svg: string };

export type Paper = "a4" | "letter";

/** The CSS `@page { size }` value for a paper name: the PDF takes its page size from the page's CSS. */
export const PAGE_SIZE: Record<Paper, string> = { a4: "A4", letter: "letter" };

/**
 * Unicode direction controls (U+202A-U+202E, U+2066-U+2069, U+200E/U+200F) from captured text could
 * display a name reversed (a "Trojan Source" spoof); memgap never writes them itself, so every one in
 * the page is shown as a visible marker instead.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f]/g;

export function neutraliseBidi(html: string): string {
  return html.replace(BIDI_CONTROLS, (c) => `\u27e8U+${c.charCodeAt(0).toString(16).toUpperCase()}\u27e9`);
}

export function renderHtml(view: ReportView, charts: RenderedChart[], paper: Paper = "a4"): string {
  return neutraliseBidi(template()({ ...view, charts, css: reportCss(), pageSize: PAGE_SIZE[paper] }));
}

let compiledIndex: HandlebarsTemplateDelegate | null = null;

/** The batch index page (templates/index.hbs): self-contained, every value escaped. */
export function renderIndexHtml(view: IndexView): string {
  compiledIndex ??= Handlebars.create().compile(readFileSync(new URL("index.hbs", TEMPLATES), "utf8"), {
    strict: true,
    noEscape: false,
  });
  return neutraliseBidi(compiledIndex(view));
}
