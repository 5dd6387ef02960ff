/**
 * Shared by the report and render tests: the pipeline's models for a bundled sample (or a copy of it
 * with an incident.yaml added), with a fixed clock so outputs are comparable.
 */
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildIncidentModels, type IncidentModels } from "../../src/pipeline/run-incident.js";
import type { RunOptions } from "../../src/model/options.js";
import { sample } from "../helpers/paths.js";

export const FIXED_OPTIONS: RunOptions = {
  zone: "UTC",
  zoneExplicit: false,
  goVersion: null,
  kernel: null,
  godebug: null,
  generatedAt: "2026-11-25T00:00:00.000Z",
  toolVersion: "0.0.0-test",
};

const cache = new Map<string, Promise<IncidentModels>>();

export function sampleModels(name: string): Promise<IncidentModels> {
  let m = cache.get(name);
  if (!m) {
    m = buildIncidentModels(sample(name), name, FIXED_OPTIONS);
    cache.set(name, m);
  }
  return m;
}

/** A temporary copy of a sample with `incident.yaml` holding `yaml`; returns the copy's directory. */
export function sampleWithYaml(name: string, yaml: string): string {
  const root = mkdtempSync(path.join(os.tmpdir(), "memgap-report-test-"));
  const dir = path.join(root, name);
  cpSync(sample(name), dir, { recursive: true });
  writeFileSync(path.join(dir, "incident.yaml"), yaml);
  return dir;
}

/** Text a capture could carry that must never become markup, a link or an image anywhere. */
export const HOSTILE_TEXT =
  "[x](http://evil.example/a) ![i](http://e.example/x.png) <img src=x onerror=alert(1)> <http://auto.example> www.evil.example mail@evil.example `tick` | pipe";
