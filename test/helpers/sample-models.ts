/** The real pipeline up to analysis (no rendering) on a bundled sample, memoised per test process. */
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { buildIncidentModels, type IncidentModels } from "../../src/pipeline/run-incident.js";
import type { RunOptions } from "../../src/model/options.js";
import { FIXTURES, SAMPLES, sample } from "./paths.js";

const cache = new Map<string, Promise<IncidentModels>>();

export const SAMPLE_OPTIONS = {
  zone: "UTC",
  zoneExplicit: false,
  goVersion: null,
  kernel: null,
  godebug: null,
  generatedAt: "2026-01-01T00:00:00Z",
  toolVersion: "test",
} as unknown as RunOptions;

export function sampleModels(name: string): Promise<IncidentModels> {
  let p = cache.get(name);
  if (!p) {
    p = buildIncidentModels(sample(name), name, SAMPLE_OPTIONS);
    cache.set(name, p);
  }
  return p;
}

export function sampleNames(): string[] {
  return readdirSync(SAMPLES)
    .filter((d) => statSync(path.join(SAMPLES, d)).isDirectory())
    .sort();
}

export interface TruthPhase {
  name: string;
  pid: number;
  start: string;
  end: string;
}

export interface Truth {
  diagnosis: string;
  acceptable_alternatives: string[];
  processes: { pid: number; start: string; end: string }[];
  restarts: { killed_pid: number; killed_at: string }[];
  phases: TruthPhase[];
}

export function truth(name: string): Truth {
  return JSON.parse(readFileSync(path.join(FIXTURES, "corpus-truth", `${name}.json`), "utf8")) as Truth;
}
