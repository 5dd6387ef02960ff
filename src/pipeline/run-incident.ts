/**
 * One incident through every stage: ingest (reads the captures) -> timeline -> analysis -> report
 * model -> render (writes the outputs). The stages meet only at the plain data of src/model/.
 */
import type { Captures } from "../model/capture.js";
import type { Analysis } from "../model/analysis.js";
import type { RunOptions } from "../model/options.js";
import type { ReportJson, ReportView } from "../model/report.js";
import type { Timeline } from "../model/timeline.js";
import { ingestIncident } from "../ingest/ingest.js";
import { buildTimeline } from "../timeline/build-timeline.js";
import { analyze, ledgerAndPhases } from "../analysis/analyze.js";
import { selectGrowthSnapshots } from "../analysis/growth.js";
import { loadAllocationSites } from "../ingest/allocation-sites.js";
import { buildReportJson, buildReportView } from "../report/build-report.js";

export interface IncidentModels {
  captures: Captures;
  timeline: Timeline;
  analysis: Analysis;
  json: ReportJson;
  view: ReportView;
}

/** Everything up to the display-ready model; no output is written. */
export async function buildIncidentModels(
  incidentDir: string,
  incidentId: string,
  options: RunOptions,
): Promise<IncidentModels> {
  // Without --tz, incident.yaml's timezone (read by ingest) applies, else UTC.
  const captures = await ingestIncident({
    incidentDir,
    incidentId,
    zone: options.zoneExplicit ? options.zone : null,
  });
  const timeline = buildTimeline(captures);
  // Growth sites: the analysis picks the heap snapshots to compare; only their records are read.
  // The ledger and phases are computed once, here, and reused by the analysis.
  const basics = ledgerAndPhases(timeline);
  const growthRefs = selectGrowthSnapshots(timeline, basics.phases);
  const growthProfiles = growthRefs.length ? await loadAllocationSites(incidentDir, growthRefs) : [];
  const analysis = analyze(captures, timeline, options, growthProfiles, basics);
  const json = buildReportJson(captures, timeline, analysis, options);
  // The display model (charts over every sample) is built on first use: `--format json` never reads it.
  let view: ReportView | null = null;
  return {
    captures,
    timeline,
    analysis,
    json,
    get view(): ReportView {
      view ??= buildReportView(captures, timeline, analysis, options);
      return view;
    },
  };
}

/** report.json's model only: what the goldens and `--format json` need. */
export async function runIncidentToJson(
  incidentDir: string,
  incidentId: string,
  options: RunOptions,
): Promise<ReportJson> {
  return (await buildIncidentModels(incidentDir, incidentId, options)).json;
}
