/**
 * Deferred reading of heap-profile records. Ingest keeps only a reference per heap snapshot (a week
 * of one-minute snapshots is 10,080 files); the analysis picks the few snapshots whose allocation
 * sites it compares, and the pipeline calls `loadAllocationSites` for those alone.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { AllocationSite, HeapProfileRef } from "../model/capture.js";
import { readAllocationSites } from "./parsers/heap-debug1.js";
import { readProtoAllocationSites } from "./parsers/pprof-proto.js";

/** Few files are asked for at once; bound the open files anyway. */
const CONCURRENCY = 8;

async function sitesOf(incidentDir: string, ref: HeapProfileRef): Promise<AllocationSite[] | null> {
  try {
    const bytes = await readFile(path.join(incidentDir, ref.src.path));
    return ref.format === "pprof-proto"
      ? readProtoAllocationSites(bytes)
      : readAllocationSites(bytes.toString("utf8"));
  } catch {
    // The file was readable at ingest; a failure now (moved, corrupt proto) leaves the sites unknown.
    return null;
  }
}

/**
 * The given refs with `sites` filled (a new object each; the input is not changed). A ref whose
 * records cannot be read keeps `sites: null`. The result is in the order of `refs`.
 */
export async function loadAllocationSites(
  incidentDir: string,
  refs: HeapProfileRef[],
): Promise<HeapProfileRef[]> {
  const out = new Array<HeapProfileRef>(refs.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(CONCURRENCY, refs.length) }, async () => {
    while (next < refs.length) {
      const i = next++;
      const ref = refs[i]!;
      out[i] = { ...ref, sites: ref.sites ?? (await sitesOf(incidentDir, ref)) };
    }
  });
  await Promise.all(workers);
  return out;
}
