/**
 * Vega-Lite specs for the report's charts, with their data inlined. Plain JSON: the render stage
 * turns each into inline SVG. Long series are downsampled for drawing only (min/max per bucket, so
 * peaks and troughs survive), never for analysis.
 */
import type { Analysis } from "../model/analysis.js";
import type { Timeline } from "../model/timeline.js";
import type { ViewChart } from "../model/report.js";

/** About 2,000 points per chart line keeps the SVG light and still shows every peak at A4 width. */
export const MAX_POINTS_PER_SERIES = 2000;

const MiB = 1024 * 1024;

/**
 * Min/max bucket downsampling: split the series into buckets and keep, in time order, the lowest and
 * highest point of each, so a spike one sample wide still reaches the chart.
 */
export function downsampleMinMax<T extends { t: number; v: number }>(points: T[], maxPoints: number): T[] {
  if (points.length <= maxPoints) return points;
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const size = points.length / buckets;
  const out: T[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor(b * size);
    const hi = Math.min(points.length, Math.floor((b + 1) * size));
    let min: T | null = null;
    let max: T | null = null;
    for (let i = lo; i < hi; i++) {
      const p = points[i]!;
      if (!min || p.v < min.v) min = p;
      if (!max || p.v > max.v) max = p;
    }
    if (min && max) {
      if (min === max) out.push(min);
      else if (min.t <= max.t) out.push(min, max);
      else out.push(max, min);
    }
  }
  return out;
}

interface Row {
  t: number;
  v: number;
  series: string;
}

function series(name: string, points: { t: number; v: number | null }[]): Row[] {
  const clean = points.filter((p): p is { t: number; v: number } => p.v !== null && Number.isFinite(p.v));
  return downsampleMinMax(clean, MAX_POINTS_PER_SERIES).map((p) => ({ t: p.t, v: p.v / MiB, series: name }));
}

export function memoryChart(timeline: Timeline, analysis: Analysis): ViewChart {
  const ledger = analysis.ledger;
  const rows: Row[] = [
    ...series(
      "RSS",
      timeline.rss.map((s) => ({ t: s.t, v: s.rssBytes })),
    ),
    ...series(
      "Go resident (Sys - HeapReleased)",
      ledger.map((p) => ({ t: p.t, v: p.goResident })),
    ),
    ...series(
      "HeapInuse",
      ledger.map((p) => ({ t: p.t, v: p.heapInuse })),
    ),
    ...series(
      "HeapAlloc",
      ledger.map((p) => ({ t: p.t, v: p.heapAlloc })),
    ),
  ];
  const order = ["RSS", "Go resident (Sys - HeapReleased)", "HeapInuse", "HeapAlloc"];
  return {
    id: "memory",
    title: "Memory over time",
    description:
      "RSS as the OS sees it against Go's resident estimate (Sys - HeapReleased), heap in use and live heap, in MiB over time (UTC).",
    spec: {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      width: 640,
      height: 260,
      background: "white",
      data: { values: rows },
      mark: { type: "line", strokeWidth: 1.5, interpolate: "step-after" },
      encoding: {
        x: {
          field: "t",
          type: "temporal",
          title: "time (UTC)",
          axis: { format: "%H:%M:%S" },
          scale: { type: "utc" },
        },
        y: { field: "v", type: "quantitative", title: "MiB" },
        color: {
          field: "series",
          type: "nominal",
          title: null,
          sort: order,
          scale: { domain: order, range: ["#d62728", "#1f77b4", "#2ca02c", "#9467bd"] },
          legend: { orient: "bottom", columns: 2 },
        },
      },
      config: {
        font: "DejaVu Sans, Liberation Sans, Arial, sans-serif",
        axis: { labelFontSize: 10, titleFontSize: 11 },
        legend: { labelFontSize: 10 },
      },
    },
  };
}
