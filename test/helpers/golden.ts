/**
 * Golden report models: report.json of every bundled sample under fixed options, compared by
 * test/golden.test.ts and rewritten only by `npm run golden:update` (scripts/update-goldens.ts).
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { RunOptions } from "../../src/model/options.js";
import { runIncidentToJson } from "../../src/pipeline/run-incident.js";
import { stringifyReport } from "../../src/render/write-report.js";
import { GOLDEN, SAMPLES } from "./paths.js";

export const GOLDEN_OPTIONS: RunOptions = {
  zone: "UTC",
  zoneExplicit: false,
  goVersion: null,
  kernel: null,
  godebug: null,
  generatedAt: "2026-01-01T00:00:00.000Z",
  toolVersion: "golden",
};

export function sampleNames(): string[] {
  return readdirSync(SAMPLES)
    .filter((n) => statSync(path.join(SAMPLES, n)).isDirectory())
    .sort();
}

export function goldenPath(sample: string): string {
  return path.join(GOLDEN, `${sample}.report.json`);
}

export async function goldenText(sample: string): Promise<string> {
  return stringifyReport(await runIncidentToJson(path.join(SAMPLES, sample), sample, GOLDEN_OPTIONS));
}
