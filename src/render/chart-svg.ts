/**
 * Vega-Lite spec -> inline SVG, in Node, with no browser and no network: the only file that imports
 * vega and vega-lite. The loader refuses every URL so a spec can never fetch data.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

const noNetworkLoader = vega.loader();
noNetworkLoader.load = async (uri: string): Promise<string> => {
  throw new Error(`memgap charts load no external resource (refused: ${uri.slice(0, 80)})`);
};

export async function renderChartSvg(spec: Record<string, unknown>): Promise<string> {
  const compiled = compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", loader: noNetworkLoader });
  try {
    const svg = await view.toSVG();
    // Drop the XML prolog-free root's fixed size so the chart scales to the page; keep the viewBox.
    return svg.replace(
      /^<svg([^>]*?) width="(\d+(?:\.\d+)?)" height="(\d+(?:\.\d+)?)"/,
      '<svg$1 width="100%" data-width="$2" data-height="$3"',
    );
  } finally {
    view.finalize();
  }
}
