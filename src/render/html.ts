/**
 * The HTML report: Handlebars (strict mode) over the display-ready view, with the CSS inlined and the
 * charts as inline SVG, so the page is self-contained and makes no request. The only file that
 * imports handlebars. Everything from the view is escaped by Handlebars' {{ }}; only the SVG charts,
 * which memgap generates, and the CSS are inserted raw.
 */
import Handlebars from "handlebars";
import { readFileSync } from "node:fs";
import type { ReportView, ViewChart } from "../model/report.js";

const TEMPLATES = new URL("../../templates/", import.meta.url);

let compiled: HandlebarsTemplateDelegate | null = null;

function template(): HandlebarsTemplateDelegate {
  if (!compiled) {
    const hb = Handlebars.create();
    hb.registerPartial("finding", readFileSync(new URL("finding.hbs", TEMPLATES), "utf8"));
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

export function renderHtml(view: ReportView, charts: RenderedChart[]): string {
  return template()({ ...view, charts, css: reportCss() });
}
