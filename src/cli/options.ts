/** Command-line values shared by `report` and `batch`: parsing, validation and defaults. */
import { realpathSync } from "node:fs";
import path from "node:path";
import { isValidZone } from "../ingest/time/zone.js";
import type { RunOptions } from "../model/options.js";
import { ALL_FORMATS, type OutputFormat } from "../render/write-report.js";
import { TOOL_VERSION } from "./version.js";

export class UsageError extends Error {}

export function parseFormats(text: string): OutputFormat[] {
  const parts = text
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = parts.filter((p) => !ALL_FORMATS.includes(p as OutputFormat));
  if (bad.length > 0 || parts.length === 0) {
    throw new UsageError(
      `--format takes a comma-separated list of ${ALL_FORMATS.join(", ")} (got ${JSON.stringify(text)})`,
    );
  }
  return ALL_FORMATS.filter((f) => parts.includes(f));
}

export function parsePaper(text: string): "a4" | "letter" {
  const p = text.toLowerCase();
  if (p !== "a4" && p !== "letter")
    throw new UsageError(`--paper takes a4 or letter (got ${JSON.stringify(text)})`);
  return p;
}

/**
 * The generation time: SOURCE_DATE_EPOCH (seconds) when set, so that two runs on the same input give
 * byte-identical output (reproducible-builds.org convention); otherwise now.
 */
export function generatedAt(env: NodeJS.ProcessEnv, now: () => number = Date.now): string {
  const sde = env.SOURCE_DATE_EPOCH;
  if (sde !== undefined && sde !== "") {
    if (!/^\d+$/.test(sde))
      throw new UsageError(`SOURCE_DATE_EPOCH must be whole seconds since 1970 (got ${JSON.stringify(sde)})`);
    return new Date(Number(sde) * 1000).toISOString();
  }
  return new Date(now()).toISOString();
}

export interface CommonFlags {
  tz?: string;
  goVersion?: string;
  kernel?: string;
  godebug?: string;
}

export function runOptionsFrom(flags: CommonFlags, env: NodeJS.ProcessEnv): RunOptions {
  const zone = flags.tz ?? "UTC";
  if (!isValidZone(zone))
    throw new UsageError(
      `--tz: unknown time zone ${JSON.stringify(zone)} (use an IANA name such as Europe/Berlin, or UTC)`,
    );
  if (flags.goVersion !== undefined && !/^(go)?\d+\.\d+(\.\d+)?/.test(flags.goVersion)) {
    throw new UsageError(
      `--go-version: expected a version such as 1.14.2 (got ${JSON.stringify(flags.goVersion)})`,
    );
  }
  return {
    zone,
    zoneExplicit: flags.tz !== undefined,
    goVersion: flags.goVersion?.replace(/^go/, "") ?? null,
    kernel: flags.kernel ?? null,
    godebug: flags.godebug ?? null,
    generatedAt: generatedAt(env),
    toolVersion: TOOL_VERSION,
  };
}

/** Refuse an output directory inside the input directory: memgap never writes into its input. */
export function assertOutsideInput(outDir: string, incidentDir: string): void {
  const real = (p: string): string => {
    // the output may not exist yet: resolve its nearest existing ancestor
    let cur = path.resolve(p);
    const rest: string[] = [];
    for (;;) {
      try {
        return path.join(realpathSync(cur), ...rest.reverse());
      } catch {
        const parent = path.dirname(cur);
        if (parent === cur) return path.resolve(p);
        rest.push(path.basename(cur));
        cur = parent;
      }
    }
  };
  const out = real(outDir);
  const inp = real(incidentDir);
  if (out === inp || out.startsWith(inp + path.sep)) {
    throw new UsageError(
      `--out ${outDir} is inside the incident directory ${incidentDir}: memgap never writes into its input; choose another directory`,
    );
  }
}

export function incidentIdOf(dir: string): string {
  return path.basename(path.resolve(dir));
}
