/**
 * What memgap believes about the runtime and the kernel, and why: the Go version (stated, or the
 * lower bound the data proves), GODEBUG `madvdontneed`, and so whether released pages are expected
 * to stay in RSS (the MADV_FREE window: Go 1.12-1.15 on Linux >= 4.5 by default, or any Go >= 1.12
 * with `madvdontneed=0`; FORMATS.md §5.3).
 */
import type { Captures, Hint } from "../model/capture.js";
import type { Platform } from "../model/analysis.js";
import type { RunOptions } from "../model/options.js";

export function parseGoVersion(text: string): [number, number] | null {
  const m = /(?:go)?(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function parseKernel(text: string): [number, number] | null {
  const m = /(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

function godebugValue(godebug: string | null, key: string): string | null {
  if (!godebug) return null;
  for (const part of godebug.split(",")) {
    const [k, v] = part.split("=");
    if (k?.trim() === key) return (v ?? "").trim();
  }
  return null;
}

function cmp(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

export function determinePlatform(captures: Captures, options: RunOptions): Platform {
  const meta = captures.meta;
  const hints = captures.hints;
  const stated = (kind: Hint["kind"]): Hint | undefined => hints.find((h) => h.kind === kind);
  const assumptions: string[] = [];

  let goVersion: string | null = null;
  let goVersionSource: string | null = null;
  if (options.goVersion) [goVersion, goVersionSource] = [options.goVersion, "--go-version flag"];
  else if (meta?.goVersion) [goVersion, goVersionSource] = [meta.goVersion, "incident.yaml"];
  else {
    const h = stated("go-version");
    if (h) [goVersion, goVersionSource] = [String(h.value), `${h.src.path}: ${h.how}`];
  }

  // The highest lower bound proven by the data.
  let goVersionMin: string | null = null;
  let goVersionMinSource: string | null = null;
  for (const h of hints.filter((x) => x.kind === "go-version-min")) {
    const v = parseGoVersion(String(h.value));
    const cur = goVersionMin ? parseGoVersion(goVersionMin) : null;
    if (v && (!cur || cmp(v, cur) > 0))
      [goVersionMin, goVersionMinSource] = [String(h.value), `${h.src.path}: ${h.how}`];
  }

  let godebug: string | null = options.godebug ?? meta?.godebug ?? null;
  if (!godebug) {
    const h = stated("godebug");
    if (h) godebug = String(h.value);
  }
  const kernel = options.kernel ?? meta?.kernel ?? (stated("kernel")?.value as string | undefined) ?? null;
  const gomemlimitHint = stated("gomemlimit");
  const gomemlimitBytes =
    meta?.gomemlimitBytes ?? (typeof gomemlimitHint?.value === "number" ? gomemlimitHint.value : null);
  const gogc = meta?.gogc ?? (stated("gogc")?.value as string | undefined) ?? null;

  const madvSetting = godebugValue(godebug, "madvdontneed");
  const madvdontneed: 0 | 1 | null = madvSetting === "0" ? 0 : madvSetting === "1" ? 1 : null;

  const ver = goVersion ? parseGoVersion(goVersion) : null;
  const minVer = goVersionMin ? parseGoVersion(goVersionMin) : null;
  const kern = kernel ? parseKernel(kernel) : null;
  const kernelFreeOk = kern ? cmp(kern, [4, 5]) >= 0 : null;

  let madvFree: Platform["madvFree"] = "unknown";
  let madvFreeReason: string;
  if (kernelFreeOk === false) {
    madvFree = "no";
    madvFreeReason = `kernel ${kernel} predates MADV_FREE (Linux 4.5): released pages leave RSS at once`;
  } else if (madvdontneed === 0) {
    madvFree = ver && cmp(ver, [1, 12]) < 0 ? "no" : "yes";
    madvFreeReason =
      madvFree === "yes"
        ? "GODEBUG=madvdontneed=0: the runtime releases memory with MADV_FREE, so released pages stay in RSS until the kernel needs them"
        : `Go ${goVersion} predates MADV_FREE use (1.12): madvdontneed=0 has no effect`;
  } else if (madvdontneed === 1) {
    madvFree = "no";
    madvFreeReason = "GODEBUG=madvdontneed=1: released memory leaves RSS at once (MADV_DONTNEED)";
  } else if (ver) {
    if (cmp(ver, [1, 12]) >= 0 && cmp(ver, [1, 15]) <= 0) {
      madvFree = kernelFreeOk === null ? "yes" : "yes";
      madvFreeReason = `Go ${goVersion} releases memory with MADV_FREE by default on Linux >= 4.5 (Go 1.12-1.15)`;
      if (kernelFreeOk === null)
        assumptions.push("kernel version unknown: assumed Linux >= 4.5 (MADV_FREE available)");
    } else {
      madvFree = "no";
      madvFreeReason =
        cmp(ver, [1, 16]) >= 0
          ? `Go ${goVersion} defaults to madvdontneed=1 (since 1.16): released memory leaves RSS at once unless GODEBUG=madvdontneed=0`
          : `Go ${goVersion} releases memory with MADV_DONTNEED (before 1.12)`;
    }
  } else if (minVer && cmp(minVer, [1, 16]) >= 0) {
    madvFree = "no";
    madvFreeReason = `the data proves Go >= ${goVersionMin} (${goVersionMinSource}), which defaults to madvdontneed=1; released memory leaves RSS at once unless GODEBUG=madvdontneed=0 was set (GODEBUG unknown)`;
    assumptions.push("GODEBUG unknown: assumed madvdontneed not set to 0");
  } else {
    madvFreeReason =
      "Go version and GODEBUG unknown: on Go 1.12-1.15 (or with madvdontneed=0) released pages stay in RSS (MADV_FREE); on 1.16+ they leave at once";
  }
  if (!goVersion) {
    assumptions.push(
      goVersionMin
        ? `Go version not stated; the data proves Go >= ${goVersionMin} (${goVersionMinSource})`
        : "Go version not stated and not provable from the data",
    );
  }
  return {
    goVersion,
    goVersionSource,
    goVersionMin,
    goVersionMinSource,
    godebug,
    madvdontneed,
    madvFree,
    madvFreeReason,
    gomemlimitBytes,
    gogc,
    kernel,
    assumptions,
  };
}
