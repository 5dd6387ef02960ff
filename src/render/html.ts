/**
 * The HTML report: Handlebars (strict mode) over the display-ready view, with the CSS inlined and the
 * charts as inline SVG, so the page is self-contained and makes no request. The only file that
 * imports handlebars. Everything from the view is escaped by Handlebars' {{ }}; only the SVG charts,
 * which memgap generates (vega escapes the text in them), and the CSS are inserted raw.
 */
import type HandlebarsApi from "handlebars";
import { readFileSync } from "node:fs";
import type { ReportView, ViewChart } from "../model/report.js";
import type { IndexView } from "../model/batch.js";

type Handlebars = typeof HandlebarsApi;
type Spec = TemplateSpecification;

const TEMPLATES = new URL("../../templates/", import.meta.url);

/** The templates (templates/*.hbs) and the partials of the report's. */
const TEMPLATE_NAMES = ["report", "finding", "rich", "index"] as const;
type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** Strict: a field the template names and the view lacks is an error, not an empty string. */
const COMPILE_OPTIONS = { strict: true, noEscape: false } as const;

/**
 * The templates precompiled by the build (scripts/bundle.mjs writes precompiledTemplatesModule() to
 * dist/templates.js, beside the compiled code): handlebars' runtime loads and instantiates them in
 * ~10 ms, where loading its compiler and compiling the templates at the first render took ~45 ms of
 * every HTML and PDF report. Without that file (the sources run as they are, in the tests) the
 * templates are compiled from templates/ at the first render, with the same options.
 */
const PRECOMPILED = new URL("../templates.js", import.meta.url);

export interface Templates {
  report: HandlebarsTemplateDelegate;
  index: HandlebarsTemplateDelegate;
}

function source(name: TemplateName): string {
  return readFileSync(new URL(`${name}.hbs`, TEMPLATES), "utf8");
}

/** The templates from precompiled specifications, on handlebars' runtime. */
function templatesFromSpecs(runtime: Handlebars, specs: Record<TemplateName, Spec>): Templates {
  const hb = runtime.create();
  hb.registerPartial("finding", hb.template(specs.finding));
  hb.registerPartial("rich", hb.template(specs.rich));
  return { report: hb.template(specs.report), index: runtime.create().template(specs.index) };
}

/** The templates compiled from templates/ (the partials compile with the report's options). */
export async function compiledTemplates(): Promise<Templates> {
  const full = (await import("handlebars")).default;
  const hb = full.create();
  hb.registerPartial("finding", source("finding"));
  hb.registerPartial("rich", source("rich"));
  return {
    report: hb.compile(source("report"), COMPILE_OPTIONS),
    index: full.create().compile(source("index"), COMPILE_OPTIONS),
  };
}

/** dist/templates.js: every template precompiled with COMPILE_OPTIONS, as an ES module of specifications. */
export async function precompiledTemplatesModule(): Promise<string> {
  const full = (await import("handlebars")).default;
  const lines = ["// Written by scripts/bundle.mjs from templates/*.hbs (src/render/html.ts); do not edit."];
  for (const name of TEMPLATE_NAMES) {
    lines.push(`export const ${name} = ${full.precompile(source(name), COMPILE_OPTIONS) as string};`);
  }
  return lines.join("\n") + "\n";
}

let templates: Promise<Templates> | null = null;

/** The templates of a module precompiledTemplatesModule() wrote, or null when there is none at `url`. */
export async function precompiledTemplates(url: URL): Promise<Templates | null> {
  const specs = (await import(url.href).catch(() => null)) as Record<TemplateName, Spec> | null;
  if (!specs) return null;
  const runtime = (await import("handlebars/runtime.js")).default as unknown as Handlebars;
  return templatesFromSpecs(runtime, specs);
}

/** The templates, loaded once: precompiled when the build wrote them, else compiled now. */
export function loadTemplates(): Promise<Templates> {
  templates ??= precompiledTemplates(PRECOMPILED).then((t) => t ?? compiledTemplates());
  return templates;
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

export async function renderHtml(
  view: ReportView,
  charts: RenderedChart[],
  paper: Paper = "a4",
): Promise<string> {
  const { report } = await loadTemplates();
  return neutraliseBidi(report({ ...view, charts, css: reportCss(), pageSize: PAGE_SIZE[paper] }));
}

/** The batch index page (templates/index.hbs): self-contained, every value escaped. */
export async function renderIndexHtml(view: IndexView): Promise<string> {
  const { index } = await loadTemplates();
  return neutraliseBidi(index(view));
}
