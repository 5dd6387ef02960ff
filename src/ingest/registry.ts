/**
 * The ordered list of capture parsers. Each file is offered to them in this order; the first whose
 * sniff claims it and whose parse does not answer "not mine" owns it. More specific formats come
 * before more tolerant ones. One line per format.
 */
import type { Parser } from "./parser.js";
import { heapDebug1 } from "./parsers/heap-debug1.js";
import { heapDebug1Series } from "./parsers/heap-debug1-series.js";
import { memstatsExcerpt } from "./parsers/memstats-excerpt.js";
import { incidentYaml } from "./parsers/incident-yaml.js";
import { pprofProto } from "./parsers/pprof-proto.js";
import { goroutineProfile } from "./parsers/goroutine-profile.js";
import { gopsMemstats } from "./parsers/gops-memstats.js";
import { pprofplus } from "./parsers/pprofplus.js";
import { expvar } from "./parsers/expvar.js";
import { viewcoreBreakdown } from "./parsers/viewcore-breakdown.js";
import { prometheus } from "./parsers/prometheus.js";
import { smapsRollup } from "./parsers/smaps-rollup.js";
import { vmrssLog } from "./parsers/vmrss-log.js";
import { procStatus } from "./parsers/proc-status.js";
import { pidstat } from "./parsers/pidstat.js";
import { top } from "./parsers/top.js";
import { ps } from "./parsers/ps.js";
import { kubectl } from "./parsers/kubectl.js";
import { cgroup } from "./parsers/cgroup.js";
import { csv } from "./parsers/csv.js";
import { gctrace } from "./parsers/gctrace.js";
import { captureMeta } from "./parsers/capture-meta.js";

export const PARSERS: readonly Parser[] = [
  incidentYaml,
  heapDebug1Series,
  heapDebug1,
  memstatsExcerpt,
  pprofProto,
  goroutineProfile,
  gopsMemstats,
  pprofplus,
  expvar,
  viewcoreBreakdown,
  prometheus,
  smapsRollup,
  procStatus,
  pidstat,
  top,
  ps,
  kubectl,
  cgroup,
  csv,
  gctrace,
  vmrssLog,
  captureMeta,
];
