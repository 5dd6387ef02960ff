/**
 * Vega-Lite spec -> inline SVG, in Node, with no browser and no network: the only file that imports
 * vega and vega-lite. The loader refuses every URL so a spec can never fetch data, and the result is
 * checked to hold no external reference. Deterministic: the same spec gives the same bytes (vega's
 * SVG string renderer has no random ids; text is measured by a fixed estimate, not a font).
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

const noNetworkLoader = vega.loader();
noNetworkLoader.load = async (uri: string): Promise<string> => {
  throw new Error(`memgap charts load no external resource (refused: ${uri.slice(0, 80)})`);
};

/** Escape text for SVG/XML content and attribute values ("=" too, like Handlebars, so no text reads as an attribute). */
export function escapeXml(s: string): string {
  return s.replace(
    /[&<>"'=`]/g,
    (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "=": "&#61;", "`": "&#96;" })[
        c
      ]!,
  );
}

/**
 * An external reference inside an SVG: an href/src attribute whose value is not an in-document
 * fragment, a url() that is not a fragment in any attribute or <style>, or an @import. Attributes are
 * parsed, so text in attribute values or content (an escaped function name or event label that reads
 * "src=http://...") is not mistaken for one. Namespace declarations (xmlns="http://www.w3.org/...")
 * are names, not references.
 */
export function hasExternalReference(svg: string): boolean {
  for (const tag of svg.match(/<[^>]*>/g) ?? []) {
    for (const a of tag.matchAll(/\s([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/g)) {
      const name = a[1]!.toLowerCase();
      const value = (a[2] ?? a[3] ?? a[4] ?? "").trim();
      if ((name === "href" || name === "src" || name.endsWith(":href")) && !value.startsWith("#"))
        return true;
      if (/url\(\s*["']?(?!#)/i.test(value) && name !== "aria-label") return true;
    }
  }
  return /<style[^>]*>[^<]*(?:url\(\s*["']?(?!#)|@import)/i.test(svg);
}

export interface ChartText {
  title: string;
  description: string;
}

/**
 * vega-lite and vega report spec warnings on the console; a report run must not write to the user's
 * terminal from inside a renderer, so they are collected here (and the tests assert there are none).
 */
export const chartWarnings: string[] = [];

const quietLogger = {
  level(): number {
    return 0;
  },
  error(...args: unknown[]) {
    chartWarnings.push(args.map(String).join(" "));
    return this;
  },
  warn(...args: unknown[]) {
    chartWarnings.push(args.map(String).join(" "));
    return this;
  },
  info() {
    return this;
  },
  debug() {
    return this;
  },
};

export async function renderChartSvg(spec: Record<string, unknown>, text?: ChartText): Promise<string> {
  const compiled = compile(spec as unknown as TopLevelSpec, { logger: quietLogger as never }).spec;
  const view = new vega.View(vega.parse(compiled), {
    renderer: "none",
    loader: noNetworkLoader,
    logLevel: vega.Warn,
    logger: quietLogger as never,
  });
  try {
    const svg = await view.toSVG();
    if (hasExternalReference(svg)) throw new Error("a chart SVG holds an external reference: refused");
    // Drop the root's fixed size so the chart scales to the page (the viewBox keeps its proportions),
    // and give it a text alternative: role img, an aria-label and <title>/<desc> children.
    const label = text ? ` role="img" aria-label="${escapeXml(`${text.title}. ${text.description}`)}"` : "";
    const children = text
      ? `<title>${escapeXml(text.title)}</title><desc>${escapeXml(text.description)}</desc>`
      : "";
    return (
      svg
        .replace(
          /^<svg([^>]*?) width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"([^>]*)>/,
          `<svg$1 width="100%" data-width="$2" data-height="$3"$4${label}>${children}`,
        )
        // vega escapes < > & in text but not "=": write it as a character reference too, so capture
        // text such as `<img src=x onerror=...>` reads as inert as it is, even to a naive scanner
        .replace(/>([^<]+)</g, (_m, text: string) => `>${text.replace(/=/g, "&#61;")}<`)
    );
  } finally {
    view.finalize();
  }
}
