/**
 * The capture time of a file that holds one snapshot and no stamp of its own (heap debug=1, expvar,
 * smaps_rollup copies...), in the order of trust of DESIGN.md §4: the file or folder name, then a
 * bound from the data (LastGC), then the file's mtime (weak).
 */
import type { Provenance } from "../../model/capture.js";
import type { CaptureFile, IngestOptions } from "../parser.js";
import { timeFromPath } from "./filename-time.js";

export interface FileStamp {
  t: number;
  prov: Provenance;
  zoneAssumed: boolean;
}

export function stampFile(file: CaptureFile, options: IngestOptions, dataBoundMs?: number | null): FileStamp {
  const named = timeFromPath(file.path, options.zone);
  if (named) return { t: named.t, prov: "filename", zoneAssumed: named.zoneAssumed };
  if (dataBoundMs !== undefined && dataBoundMs !== null && dataBoundMs > 0) {
    return { t: dataBoundMs, prov: "data-bound", zoneAssumed: false };
  }
  return { t: Math.floor(file.mtimeMs), prov: "mtime", zoneAssumed: false };
}
