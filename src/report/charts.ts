/**
 * Vega-Lite specs for the report's charts, with their data inlined. Plain JSON: the render stage
 * turns each into inline SVG (src/render/chart-svg.ts). Each chart is built only when its data
 * exists. Long series are downsampled for drawing only (min/max per bucket, so peaks and troughs
 * survive), never for analysis, to at most MAX_POINTS_PER_CHART rows per chart.
 *
 * Every chart of the report shares one time axis (the capture span), so they line up when printed.
 */
import type { Analysis, Finding, LedgerPoint, Phase, SiteGrowth } from "../model/analysis.js";
import type { Timeline } from "../model/timeline.js";
import type { IncidentEvent } from "../model/capture.js";
import type { ViewChart } from "../model/report.js";
import {
  formatBytes,
  formatClock,
  formatCount,
  formatPercent,
  formatPerMinute,
  timeAxisFormat,
} from "../common/format.js";

/**
 * About 2,000 drawn points per chart: an A4 page's plot area is ~170 mm, ~2,000 device pixels at
 * 300 dpi, so more points cannot show more detail; it also keeps each inline SVG small.
 */
export const MAX_POINTS_PER_CHART = 2000;
/** kept for callers of the first version: the budget of a chart with a single series */
export const MAX_POINTS_PER_SERIES = MAX_POINTS_PER_CHART;

/** The growth-site chart shows the sites that explain most growth; ten bars fit a half page. */
export const TOP_GROWTH_SITES = 10;
/** Function names longer than this are cut with an ellipsis in bar labels (the table has them whole). */
const SITE_LABEL_CHARS = 60;

const MiB = 1024 * 1024;
const FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif";
const PLOT_WIDTH = 640;
const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

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

/** One drawn row: time, value (already in display units), series name, process lifetime. */
export interface ChartRow {
  t: number;
  v: number;
  series: string;
  lifetime: number;
}

interface RawPoint {
  t: number;
  v: number | null;
  lifetime: number;
}

/** Clean (finite values only), downsample to `budget` rows and scale into display units. */
function seriesRows(name: string, points: RawPoint[], budget: number, scale = 1 / MiB): ChartRow[] {
  const clean = points.filter(
    (p): p is { t: number; v: number; lifetime: number } => p.v !== null && Number.isFinite(p.v),
  );
  return downsampleMinMax(clean, budget).map((p) => ({
    t: p.t,
    v: round(p.v * scale),
    series: name,
    lifetime: p.lifetime,
  }));
}

/** Values rounded to 4 decimals: the SVG cannot show more, and the spec stays small and stable. */
function round(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

/**
 * One point per instant, for drawing: two captures of the same snapshot (a heap profile and an expvar
 * dump taken together) would otherwise stack twice in the ledger and draw vertical ticks on lines.
 * The first in the stage's order is kept.
 */
export function onePerInstant<T extends { t: number }>(points: T[]): T[] {
  const out: T[] = [];
  const seen = new Set<number>();
  for (const p of points) {
    if (seen.has(p.t)) continue;
    seen.add(p.t);
    out.push(p);
  }
  return out;
}

function budgetFor(seriesCount: number): number {
  return Math.max(2, Math.floor(MAX_POINTS_PER_CHART / Math.max(1, seriesCount)));
}

/** The shared time axis: the capture span, a tick format fitted to its length. */
function timeX(timeline: Timeline, title: string | null = "time (UTC)"): Record<string, unknown> {
  const start = timeline.start ?? 0;
  const end = timeline.end ?? start;
  return {
    field: "t",
    type: "temporal",
    title,
    axis: { format: timeAxisFormat(end - start), labelOverlap: true, grid: true },
    // domainMin/domainMax rather than `domain`: vega-lite 6 reports a conflict between a temporal
    // `domain` and the x2 channel of ranged marks (phase shading, GC buckets)
    scale: {
      type: "utc",
      domainMin: end > start ? start : start - 1000,
      domainMax: end > start ? end : end + 1000,
    },
  };
}

const CONFIG = {
  font: FONT,
  // no per-mark ARIA attributes: the SVG as a whole gets role="img" and the chart's text alternative
  aria: false,
  axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: "normal" },
  legend: { labelFontSize: 10, symbolStrokeWidth: 2, labelLimit: 420 },
  title: { fontSize: 12, anchor: "start" },
  view: { stroke: "#d5d9de" },
};

function baseSpec(
  id: string,
  title: string,
  description: string,
  body: Record<string, unknown>,
): Record<string, unknown> {
  return {
    $schema: SCHEMA,
    description,
    background: "white",
    padding: 6,
    ...body,
    config: CONFIG,
    usermeta: { memgapChart: id, title },
  };
}

function chart(
  id: string,
  title: string,
  description: string,
  body: Record<string, unknown>,
  points: number,
): ViewChart {
  return { id, title, description, spec: baseSpec(id, title, description, body), points };
}

/** Colours that read in print and for the common colour-vision deficiencies (Okabe-Ito based). */
const SERIES_COLOURS = {
  rss: "#c0392b",
  goResident: "#0072b2",
  heapInuse: "#009e73",
  heapAlloc: "#7a4fa0",
  lazyFree: "#e69f00",
  gap: "#c0392b",
};

const PHASE_FILL: Record<Phase["kind"], string> = {
  ramp: "#f6c28b",
  plateau: "#a9c8e8",
  release: "#a8dba0",
  steady: "#dcdcdc",
  decline: "#cbbfe0",
};

interface Marker {
  t: number;
  label: string;
  kind: "restart" | "event";
  /** label row, so neighbouring labels do not overlap */
  row: number;
}

function markers(timeline: Timeline, events: IncidentEvent[]): Marker[] {
  const list: Omit<Marker, "row">[] = [
    ...timeline.restarts.map((r) => ({
      t: r.at,
      label: r.kind === "exit" ? "process gone" : "restart",
      kind: "restart" as const,
    })),
    ...events.map((e) => ({ t: e.at, label: e.label, kind: "event" as const })),
  ].sort((a, b) => a.t - b.t || a.label.localeCompare(b.label));
  // Three label rows, assigned in turn: a label ~100 px wide then never touches its neighbours
  // unless four markers fall within ~100 px, which the rules themselves still show.
  return list.map((m, i) => ({ ...m, row: i % 3 }));
}

/** Layers drawing restarts and incident.yaml events as vertical rules with a label near the top. */
function markerLayers(list: Marker[], timeline: Timeline): Record<string, unknown>[] {
  if (list.length === 0) return [];
  const x = { ...timeX(timeline), title: "time (UTC)" };
  return [
    {
      data: { values: list },
      mark: { type: "rule", strokeWidth: 1.2 },
      encoding: {
        x,
        color: {
          field: "kind",
          type: "nominal",
          scale: { domain: ["restart", "event"], range: ["#222222", "#d35400"] },
          legend: null,
        },
        strokeDash: {
          field: "kind",
          type: "nominal",
          scale: {
            domain: ["restart", "event"],
            range: [
              [4, 3],
              [1, 0],
            ],
          },
          legend: null,
        },
      },
    },
    {
      data: { values: list },
      transform: [{ calculate: "6 + 11 * datum.row", as: "labelY" }],
      mark: { type: "text", align: "left", dx: 3, baseline: "top", fontSize: 9, limit: 140 },
      encoding: {
        x,
        y: { field: "labelY", type: "quantitative", scale: null },
        text: { field: "label", type: "nominal" },
        color: {
          field: "kind",
          type: "nominal",
          scale: { domain: ["restart", "event"], range: ["#222222", "#d35400"] },
          legend: null,
        },
      },
    },
  ];
}

/** Layers shading the phases (found on RSS or the Go resident estimate) with their kind as a label. */
function phaseLayers(phases: Phase[], timeline: Timeline): Record<string, unknown>[] {
  if (phases.length === 0) return [];
  const values = [...phases]
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .map((p) => ({ t: p.start, t2: p.end, kind: p.kind, fill: PHASE_FILL[p.kind] ?? "#dddddd" }));
  const span = Math.max(1, (timeline.end ?? 0) - (timeline.start ?? 0));
  // a phase narrower than MIN_LABEL_PX on the plot is shaded but not labelled: its label would overlap
  const labelled = values.filter((v) => ((v.t2 - v.t) / span) * PLOT_WIDTH >= MIN_LABEL_PX);
  const x = timeX(timeline);
  return [
    {
      data: { values },
      mark: { type: "rect", opacity: 0.35 },
      encoding: {
        x,
        x2: { field: "t2" },
        color: { field: "fill", type: "nominal", scale: null, legend: null },
      },
    },
    ...(labelled.length > 0
      ? [
          {
            data: { values: labelled },
            mark: {
              type: "text",
              align: "left",
              baseline: "bottom",
              dx: 2,
              dy: -2,
              fontSize: 8,
              fill: "#5b636e",
            },
            encoding: { x, y: { value: 260 }, text: { field: "kind", type: "nominal" } },
          },
        ]
      : []),
  ];
}

/** the width a phase label ("plateau" at 8 px) needs */
const MIN_LABEL_PX = 48;

function lineLayer(
  rows: ChartRow[],
  order: string[],
  colours: string[],
  timeline: Timeline,
  yTitle: string,
  dashed: string[] = [],
): Record<string, unknown> {
  return {
    data: { values: rows },
    mark: { type: "line", interpolate: "linear", strokeWidth: 1.5 },
    encoding: {
      x: timeX(timeline),
      y: { field: "v", type: "quantitative", title: yTitle },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        sort: order,
        scale: { domain: order, range: colours },
        legend: { orient: "bottom", columns: 2, direction: "vertical", labelLimit: 420 },
      },
      strokeDash: {
        field: "series",
        type: "nominal",
        // the same field as colour: vega-lite merges both into one legend with dashed symbols
        sort: order,
        scale: { domain: order, range: order.map((s) => (dashed.includes(s) ? [5, 3] : [1, 0])) },
        title: null,
      },
      detail: { field: "lifetime", type: "nominal" },
    },
  };
}

function peakOf(points: { t: number; v: number | null }[]): { t: number; v: number } | null {
  let best: { t: number; v: number } | null = null;
  for (const p of points)
    if (p.v !== null && Number.isFinite(p.v) && (!best || p.v > best.v)) best = { t: p.t, v: p.v };
  return best;
}

function rssPoints(timeline: Timeline): RawPoint[] {
  const rss = timeline.rss;
  const out = new Array<RawPoint>(rss.t.length);
  for (let i = 0; i < rss.t.length; i++)
    out[i] = { t: rss.t[i]!, v: rss.rssBytes[i]!, lifetime: rss.lifetime[i]! };
  return out;
}

/** 1. RSS against the Go resident estimate and the heap lines, phases shaded, restarts and events marked. */
export function memoryChart(
  timeline: Timeline,
  analysis: Analysis,
  events: IncidentEvent[] = [],
): ViewChart | null {
  const ledger = onePerInstant(analysis.ledger);
  const rss = rssPoints(timeline);
  if (rss.length + ledger.length === 0) return null;
  const names = {
    rss: "RSS",
    go: "Go resident (Sys - HeapReleased)",
    inuse: "HeapInuse",
    alloc: "HeapAlloc (live + unswept)",
  };
  const present = [
    rss.length > 0 ? names.rss : null,
    ledger.length > 0 ? names.go : null,
    ledger.length > 0 ? names.inuse : null,
    ledger.length > 0 ? names.alloc : null,
  ].filter((s): s is string => s !== null);
  const budget = budgetFor(present.length);
  const rows = [
    ...seriesRows(names.rss, rss, budget),
    ...seriesRows(
      names.go,
      ledger.map((p) => ({ t: p.t, v: p.goResident, lifetime: p.lifetime })),
      budget,
    ),
    ...seriesRows(
      names.inuse,
      ledger.map((p) => ({ t: p.t, v: p.heapInuse, lifetime: p.lifetime })),
      budget,
    ),
    ...seriesRows(
      names.alloc,
      ledger.map((p) => ({ t: p.t, v: p.heapAlloc, lifetime: p.lifetime })),
      budget,
    ),
  ];
  const colourOf: Record<string, string> = {
    [names.rss]: SERIES_COLOURS.rss,
    [names.go]: SERIES_COLOURS.goResident,
    [names.inuse]: SERIES_COLOURS.heapInuse,
    [names.alloc]: SERIES_COLOURS.heapAlloc,
  };
  const marks = markers(timeline, events);
  // RSS is drawn once more underneath, wide, so where the Go lines coincide with it it still shows
  const halo = rows.filter((r) => r.series === names.rss);
  const layers = [
    ...phaseLayers(analysis.phases, timeline),
    ...(halo.length > 0
      ? [
          {
            data: { values: halo },
            mark: { type: "line", strokeWidth: 3.4, color: SERIES_COLOURS.rss, opacity: 0.75 },
            encoding: {
              x: timeX(timeline),
              y: { field: "v", type: "quantitative" },
              detail: { field: "lifetime", type: "nominal" },
            },
          },
        ]
      : []),
    lineLayer(
      rows,
      present,
      present.map((s) => colourOf[s]!),
      timeline,
      "MiB",
      [names.alloc],
    ),
    ...markerLayers(marks, timeline),
  ];
  const peakRss = peakOf(rss);
  const peakGo = peakOf(ledger.map((p) => ({ t: p.t, v: p.goResident })));
  const parts: string[] = [];
  if (peakRss) parts.push(`RSS peaks at ${formatBytes(peakRss.v)} at ${formatClock(peakRss.t)}`);
  if (peakGo)
    parts.push(`the Go resident estimate peaks at ${formatBytes(peakGo.v)} at ${formatClock(peakGo.t)}`);
  const last = ledger[ledger.length - 1];
  if (last) parts.push(`at the end HeapAlloc is ${formatBytes(last.heapAlloc)}`);
  if (analysis.phases.length > 0) parts.push(`${analysis.phases.length} phases shaded`);
  if (timeline.restarts.length > 0) parts.push(`${timeline.restarts.length} restarts marked`);
  if (events.length > 0) parts.push(`${events.length} incident events marked`);
  return chart(
    "memory",
    "Memory over time",
    `RSS as the OS sees it against Go's resident estimate (Sys - HeapReleased), heap in use and live heap, MiB over time (UTC): ${parts.join("; ")}.`,
    {
      width: PLOT_WIDTH,
      height: 260,
      layer: layers,
      resolve: { scale: { color: "independent", strokeDash: "independent" } },
    },
    rows.length + marks.length,
  );
}

/** The ledger's parts at one instant; they sum to the Go resident estimate plus the positive gap. */
export function ledgerParts(p: LedgerPoint): { name: string; bytes: number }[] {
  const other = p.goResident - p.heapInuse - p.retainedIdle;
  const split = p.stacks !== null && p.metadata !== null;
  const gapPos = p.gap !== null && p.gap > 0 ? p.gap : 0;
  const lazy = p.lazyFree !== null ? Math.min(gapPos, Math.max(0, p.lazyFree)) : 0;
  return [
    { name: "heap in use (HeapInuse)", bytes: p.heapInuse },
    { name: "retained idle (HeapIdle - HeapReleased)", bytes: Math.max(0, p.retainedIdle) },
    ...(split
      ? [
          { name: "stacks (StackSys)", bytes: Math.max(0, p.stacks!) },
          { name: "runtime metadata", bytes: Math.max(0, p.metadata!) },
        ]
      : [{ name: "stacks + runtime metadata", bytes: Math.max(0, other) }]),
    { name: "LazyFree (released, still in RSS)", bytes: lazy },
    { name: "gap: non-Go / not Go's", bytes: gapPos - lazy },
  ];
}

const LEDGER_COLOURS: Record<string, string> = {
  "heap in use (HeapInuse)": "#009e73",
  "retained idle (HeapIdle - HeapReleased)": "#56b4e9",
  "stacks (StackSys)": "#7a4fa0",
  "runtime metadata": "#999999",
  "stacks + runtime metadata": "#999999",
  "LazyFree (released, still in RSS)": "#e69f00",
  "gap: non-Go / not Go's": "#c0392b",
};

/** 2. The RSS ledger as a stacked area, with RSS drawn over it. */
export function ledgerChart(timeline: Timeline, analysis: Analysis): ViewChart | null {
  const ledger = onePerInstant(analysis.ledger);
  if (ledger.length === 0) return null;
  const names = ledgerParts(ledger[0]!).map((p) => p.name);
  const hasGap = ledger.some((p) => p.gap !== null);
  const order = names.filter((n) => hasGap || (!n.startsWith("gap") && !n.startsWith("LazyFree")));
  // Downsample on the instants (by the total), so every part is drawn at the same instants and stacks.
  const totals = ledger.map((p, i) => ({ t: p.t, v: p.goResident + Math.max(0, p.gap ?? 0), i }));
  const kept = downsampleMinMax(totals, budgetFor(order.length + 1));
  const rows: ChartRow[] = [];
  for (const k of kept) {
    const p = ledger[k.i]!;
    for (const part of ledgerParts(p))
      if (order.includes(part.name))
        rows.push({ t: p.t, v: round(part.bytes / MiB), series: part.name, lifetime: p.lifetime });
  }
  const rssRows = seriesRows("RSS", rssPoints(timeline), budgetFor(order.length + 1));
  const x = timeX(timeline);
  const last = ledger[ledger.length - 1]!;
  const lastParts = ledgerParts(last)
    .filter((p) => order.includes(p.name))
    .map((p) => `${p.name} ${formatBytes(p.bytes)}`);
  return chart(
    "ledger",
    "RSS ledger",
    `Where the resident memory is, stacked in MiB over time (UTC), with RSS as a line; at ${formatClock(last.t)}: ${lastParts.join(", ")}${last.rss !== null ? `; RSS ${formatBytes(last.rss)}` : ""}.`,
    {
      width: PLOT_WIDTH,
      height: 240,
      layer: [
        {
          data: { values: rows },
          // stacked in the colour sort order (heap at the bottom, the gap on top); an `order` channel
          // would instead reorder the points along each area's path
          mark: { type: "area", interpolate: "linear", opacity: 0.85 },
          encoding: {
            x,
            y: { field: "v", type: "quantitative", stack: "zero", title: "MiB" },
            color: {
              field: "series",
              type: "nominal",
              title: null,
              sort: order,
              scale: { domain: order, range: order.map((n) => LEDGER_COLOURS[n] ?? "#cccccc") },
              legend: { orient: "bottom", columns: 2, direction: "vertical", labelLimit: 420 },
            },
          },
        },
        ...(rssRows.length > 0
          ? [
              {
                data: { values: rssRows },
                mark: { type: "line", strokeWidth: 1.4, color: "#1b1f24", strokeDash: [4, 2] },
                encoding: {
                  x,
                  y: { field: "v", type: "quantitative" },
                  detail: { field: "lifetime", type: "nominal" },
                },
              },
            ]
          : []),
      ],
    },
    rows.length + rssRows.length,
  );
}

/** 3. The gap (RSS - Go resident) against LazyFree from smaps_rollup. */
export function gapChart(timeline: Timeline, analysis: Analysis): ViewChart | null {
  const gapPts = onePerInstant(analysis.ledger).map((p) => ({ t: p.t, v: p.gap, lifetime: p.lifetime }));
  if (!gapPts.some((p) => p.v !== null)) return null;
  const lf = timeline.lazyFree;
  const lazy: RawPoint[] = lf.lazyFreeBytes
    ? lf.t.map((t, i) => ({ t, v: lf.lazyFreeBytes![i]!, lifetime: 0 }))
    : [];
  const names = { gap: "gap: RSS - (Sys - HeapReleased)", lazy: "LazyFree (smaps_rollup)" };
  const order = lazy.length > 0 ? [names.gap, names.lazy] : [names.gap];
  const budget = budgetFor(order.length);
  const rows = [...seriesRows(names.gap, gapPts, budget), ...seriesRows(names.lazy, lazy, budget)];
  const peakGap = peakOf(gapPts);
  const peakLazy = peakOf(lazy);
  const desc = [
    peakGap ? `the gap peaks at ${formatBytes(peakGap.v)} at ${formatClock(peakGap.t)}` : "",
    peakLazy
      ? `LazyFree peaks at ${formatBytes(peakLazy.v)} at ${formatClock(peakLazy.t)}`
      : "no LazyFree figure was captured (smaps_rollup)",
  ].filter(Boolean);
  return chart(
    "gap",
    "The gap and LazyFree",
    `RSS not accounted for by Go's resident estimate, against the MADV_FREE'd pages still counted in RSS, MiB over time (UTC): ${desc.join("; ")}. Where LazyFree covers the gap, the kernel can take those pages back at any time.`,
    {
      width: PLOT_WIDTH,
      height: 200,
      layer: [
        {
          data: { values: [{ zero: 0 }] },
          mark: { type: "rule", color: "#5b636e", strokeWidth: 0.8 },
          encoding: { y: { field: "zero", type: "quantitative" } },
        },
        lineLayer(
          rows,
          order,
          order.map((n) => (n === names.gap ? SERIES_COLOURS.gap : SERIES_COLOURS.lazyFree)),
          timeline,
          "MiB",
          [names.lazy],
        ),
      ],
    },
    rows.length,
  );
}

/**
 * GC counts per time bucket. Method: every NumGC increase between two snapshots of one lifetime is
 * counted at the later snapshot (or, without MemStats NumGC, every timed gctrace line counts one);
 * counts are summed into fixed buckets of the capture span and scaled to GCs per minute.
 */
export function gcRate(timeline: Timeline): { t: number; perMin: number; widthMs: number }[] {
  const start = timeline.start;
  const end = timeline.end;
  if (start === null || end === null || end <= start) return [];
  const counted: { t: number; n: number }[] = [];
  const snaps = onePerInstant(timeline.aligned.filter((a) => a.memstats.ms.NumGC !== undefined));
  if (snaps.length >= 2) {
    for (let i = 1; i < snaps.length; i++) {
      const a = snaps[i - 1]!;
      const b = snaps[i]!;
      if (a.lifetime !== b.lifetime) continue;
      const d = b.memstats.ms.NumGC! - a.memstats.ms.NumGC!;
      if (d >= 0) counted.push({ t: b.t, n: d });
    }
  } else {
    for (const g of timeline.gc) if (g.t !== null) counted.push({ t: g.t, n: 1 });
  }
  if (counted.length === 0) return [];
  const bucketMs = gcBucketMs(end - start);
  const first = Math.floor(start / bucketMs) * bucketMs;
  const sums = new Map<number, number>();
  for (const c of counted) {
    const b = first + Math.floor((c.t - first) / bucketMs) * bucketMs;
    sums.set(b, (sums.get(b) ?? 0) + c.n);
  }
  const out: { t: number; perMin: number; widthMs: number }[] = [];
  for (let b = first; b <= end; b += bucketMs) {
    // a bucket with no counted sample is unknown, not zero: leave it out
    const n = sums.get(b);
    if (n !== undefined)
      out.push({ t: b + bucketMs / 2, perMin: (n * 60_000) / bucketMs, widthMs: bucketMs });
  }
  return out;
}

/**
 * Bucket width for the GC rate: about 60 buckets over the span (a readable bar density), never below
 * 10 s, since at a 1 s capture cadence a shorter bucket holds 0 or 1 GCs and the rate is all noise.
 */
function gcBucketMs(spanMs: number): number {
  const nice = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400].map(
    (s) => s * 1000,
  );
  const target = spanMs / 60;
  return nice.find((n) => n >= target) ?? nice[nice.length - 1]!;
}

/** 4. GC activity: GCs per minute, GCCPUFraction, NextGC against HeapAlloc; each panel when its data exists. */
export function gcChart(timeline: Timeline, analysis: Analysis): ViewChart | null {
  const panels: Record<string, unknown>[] = [];
  const desc: string[] = [];
  let points = 0;
  const x = timeX(timeline, null);
  const rate = gcRate(timeline);
  if (rate.length > 0) {
    const rows = downsampleMinMax(
      rate.map((r) => ({ t: r.t - r.widthMs / 2, t2: r.t + r.widthMs / 2, v: round(r.perMin) })),
      budgetFor(4),
    );
    points += rows.length;
    const peak = peakOf(rate.map((r) => ({ t: r.t, v: r.perMin })));
    desc.push(`up to ${formatPerMinute(peak?.v)} GCs (at ${formatClock(peak?.t)})`);
    panels.push({
      width: PLOT_WIDTH,
      height: 90,
      data: { values: rows },
      mark: { type: "rect", color: "#0072b2", stroke: "white", strokeWidth: 0.5, clip: true },
      encoding: {
        x,
        x2: { field: "t2" },
        y: { field: "v", type: "quantitative", title: "GCs/min", scale: { zero: true } },
        y2: { datum: 0 },
      },
    });
  }
  const cpu = onePerInstant(timeline.aligned.filter((a) => a.memstats.ms.GCCPUFraction !== undefined)).map(
    (a) => ({ t: a.t, v: a.memstats.ms.GCCPUFraction! * 100, lifetime: a.lifetime }),
  );
  if (cpu.length > 0) {
    const rows = seriesRows("GCCPUFraction", cpu, budgetFor(4), 1);
    points += rows.length;
    const peak = peakOf(cpu);
    const peakFraction = (peak?.v ?? 0) / 100;
    desc.push(
      `GCCPUFraction (an average since process start) up to ${formatPercent(peakFraction, peakFraction < 0.01 ? 2 : 1)}`,
    );
    panels.push(linePanel(rows, x, 70, "#d35400", 1.4, "GC CPU %"));
  }
  const ledger = onePerInstant(analysis.ledger);
  const withGoal = ledger.filter((p) => p.nextGC !== null);
  if (withGoal.length > 0) {
    const order = ["NextGC (heap goal)", "HeapAlloc"];
    const budget = budgetFor(4);
    const rows = [
      ...seriesRows(
        order[0]!,
        withGoal.map((p) => ({ t: p.t, v: p.nextGC, lifetime: p.lifetime })),
        budget,
      ),
      ...seriesRows(
        order[1]!,
        ledger.map((p) => ({ t: p.t, v: p.heapAlloc, lifetime: p.lifetime })),
        budget,
      ),
    ];
    points += rows.length;
    const peakGoal = peakOf(withGoal.map((p) => ({ t: p.t, v: p.nextGC })));
    desc.push(`the heap goal (NextGC) up to ${formatBytes(peakGoal?.v)}`);
    panels.push({
      ...lineLayer(rows, order, ["#0072b2", SERIES_COLOURS.heapAlloc], timeline, "MiB", [order[0]!]),
      width: PLOT_WIDTH,
      height: 110,
    });
  }
  if (panels.length === 0) return null;
  // the last panel carries the time axis title
  const lastPanel = panels[panels.length - 1]!;
  const enc = lastPanel.encoding as Record<string, Record<string, unknown>>;
  enc.x = { ...enc.x, title: "time (UTC)" };
  return chart(
    "gc",
    "GC activity",
    `Garbage collection over time (UTC): ${desc.join("; ")}.`,
    { vconcat: panels, spacing: 8 },
    points,
  );
}

/** 5. Goroutines and stack memory. */
export function goroutineChart(timeline: Timeline, analysis: Analysis): ViewChart | null {
  const fromSamples: RawPoint[] = timeline.goroutines.map((g) => ({ t: g.t, v: g.count, lifetime: 0 }));
  const fromLedger: RawPoint[] = onePerInstant(analysis.ledger).map((p) => ({
    t: p.t,
    v: p.goroutines,
    lifetime: p.lifetime,
  }));
  const goroutines = fromSamples.length > 0 ? fromSamples : fromLedger.filter((p) => p.v !== null);
  const stacks: RawPoint[] = onePerInstant(
    timeline.aligned.filter((a) => a.memstats.ms.StackInuse !== undefined),
  ).map((a) => ({ t: a.t, v: a.memstats.ms.StackInuse!, lifetime: a.lifetime }));
  if (goroutines.length < 2 && stacks.length < 2) return null;
  const panels: Record<string, unknown>[] = [];
  const desc: string[] = [];
  let points = 0;
  const x = timeX(timeline, null);
  if (goroutines.length >= 2) {
    const rows = seriesRows("goroutines", goroutines, budgetFor(2), 1);
    points += rows.length;
    const peak = peakOf(goroutines);
    desc.push(
      `goroutines from ${formatCount(goroutines[0]!.v)} to ${formatCount(goroutines[goroutines.length - 1]!.v)}, peak ${formatCount(peak?.v)} at ${formatClock(peak?.t)}`,
    );
    panels.push(linePanel(rows, x, 100, "#7a4fa0", 1.5, "goroutines"));
  }
  if (stacks.length >= 2) {
    const rows = seriesRows("StackInuse", stacks, budgetFor(2));
    points += rows.length;
    const peak = peakOf(stacks);
    desc.push(
      `StackInuse from ${formatBytes(stacks[0]!.v)} to ${formatBytes(stacks[stacks.length - 1]!.v)}, peak ${formatBytes(peak?.v)}`,
    );
    panels.push(linePanel(rows, x, 100, "#009e73", 1.5, "StackInuse MiB"));
  }
  const lastPanel = panels[panels.length - 1]!;
  const enc = lastPanel.encoding as Record<string, Record<string, unknown>>;
  enc.x = { ...enc.x, title: "time (UTC)" };
  return chart(
    "goroutines",
    "Goroutines and stacks",
    `Goroutine count and stack memory over time (UTC): ${desc.join("; ")}.`,
    { vconcat: panels, spacing: 8 },
    points,
  );
}

function shorten(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** The finding whose growth sites are charted: a fired heap-leak first, then any finding that has some. */
export function growthFinding(findings: Finding[]): Finding | null {
  const withSites = findings.filter((f) => (f.growthSites ?? []).length > 0);
  return (
    withSites.find((f) => f.id === "heap-leak" && f.status === "fired") ??
    withSites.find((f) => f.status === "fired") ??
    null
  );
}

/** 6. Top growth sites from the heap-leak finding, as horizontal bars. */
export function growthSitesChart(analysis: Analysis): ViewChart | null {
  const finding = growthFinding(analysis.findings);
  if (!finding) return null;
  const sites: SiteGrowth[] = [...(finding.growthSites ?? [])]
    .filter((s) => s.growthBytes > 0)
    .sort(
      (a, b) =>
        b.growthBytes - a.growthBytes || a.func.localeCompare(b.func) || a.location.localeCompare(b.location),
    )
    .slice(0, TOP_GROWTH_SITES);
  if (sites.length === 0) return null;
  const dupes = new Set(sites.map((s) => s.func).filter((f, i, all) => all.indexOf(f) !== i));
  const rows = sites.map((s, i) => ({
    rank: i,
    // the same function at two lines is told apart by file:line (the file's base name is enough)
    site: shorten(
      dupes.has(s.func) ? `${s.func} @ ${s.location.split("/").pop()}` : s.func,
      SITE_LABEL_CHARS,
    ),
    growth: round(s.growthBytes / MiB),
    last: round(s.lastBytes / MiB),
  }));
  const top = sites[0]!;
  return chart(
    "growth-sites",
    "Top growth sites",
    `In-use bytes gained per allocation site between the first and last compared heap profile, top ${sites.length}: ${top.func} grew ${formatBytes(top.growthBytes)} to ${formatBytes(top.lastBytes)}.`,
    {
      width: PLOT_WIDTH - 200,
      height: { step: 18 },
      data: { values: rows },
      mark: { type: "bar", color: "#c0392b" },
      encoding: {
        y: {
          field: "site",
          type: "nominal",
          sort: { field: "rank", order: "ascending" },
          title: null,
          axis: { labelLimit: 480, labelFontSize: 9 },
        },
        x: { field: "growth", type: "quantitative", title: "growth (MiB)" },
      },
    },
    rows.length,
  );
}

/** Every chart whose data exists, in report order. */
export function buildCharts(timeline: Timeline, analysis: Analysis, events: IncidentEvent[]): ViewChart[] {
  return [
    memoryChart(timeline, analysis, events),
    ledgerChart(timeline, analysis),
    gapChart(timeline, analysis),
    gcChart(timeline, analysis),
    goroutineChart(timeline, analysis),
    growthSitesChart(analysis),
  ].filter((c): c is ViewChart => c !== null);
}

/** One line panel of a stacked chart: value `v` over time, one line per process lifetime. */
function linePanel(
  rows: unknown[],
  x: unknown,
  height: number,
  color: string,
  strokeWidth: number,
  title: string,
): Record<string, unknown> {
  return {
    width: PLOT_WIDTH,
    height,
    data: { values: rows },
    mark: { type: "line", color, strokeWidth },
    encoding: {
      x,
      y: { field: "v", type: "quantitative", title },
      detail: { field: "lifetime", type: "nominal" },
    },
  };
}
