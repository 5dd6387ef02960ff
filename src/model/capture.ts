/**
 * The ingest stage's output: every sample read from an incident directory, with where it came from
 * and how its timestamp was established. Plain JSON data only (see DESIGN.md §3): times are epoch
 * milliseconds UTC, sizes are integer bytes.
 */

/**
 * How a sample's time was established, in order of trust (DESIGN.md §4).
 * - `record`: a stamp inside the record (line prefix, header, pprof `time_nanos`).
 * - `header-date`: a time of day on the row, the date from a header or neighbouring captures (top, pidstat).
 * - `filename`: the file or folder name.
 * - `anchored`: an offset since process start (gctrace `@secs`) plus a known process start.
 * - `data-bound`: a lower bound from the data (`LastGC`, `PauseEnd`).
 * - `mtime`: the file's modification time (weak: lost by cp/scp/tar without -p).
 */
export type Provenance = "record" | "header-date" | "filename" | "anchored" | "data-bound" | "mtime";

/** Where a value came from: a path relative to the incident directory, and a 1-based line when known. */
export interface SourceRef {
  path: string;
  line?: number;
}

export interface Stamped {
  /** epoch milliseconds, UTC */
  t: number;
  prov: Provenance;
  /** true when the stamp had no zone and `--tz` / the configured zone was assumed */
  zoneAssumed?: boolean;
  src: SourceRef;
  /** the process id, when the capture names it */
  pid?: number;
}

/** The runtime.MemStats fields memgap uses. Core heap fields are always present; the rest when the source has them. */
export interface MemStatsValues {
  HeapAlloc: number;
  HeapSys: number;
  HeapIdle: number;
  HeapInuse: number;
  HeapReleased: number;
  Sys: number;
  Alloc?: number;
  TotalAlloc?: number;
  Mallocs?: number;
  Frees?: number;
  HeapObjects?: number;
  StackInuse?: number;
  StackSys?: number;
  MSpanInuse?: number;
  MSpanSys?: number;
  MCacheInuse?: number;
  MCacheSys?: number;
  BuckHashSys?: number;
  GCSys?: number;
  OtherSys?: number;
  NextGC?: number;
  /** LastGC converted from Unix ns to epoch ms (null when no GC ran yet) */
  LastGCMs?: number | null;
  NumGC?: number;
  NumForcedGC?: number;
  GCCPUFraction?: number;
  /** peak RSS of the process (getrusage), Go 1.15+ */
  MaxRSS?: number;
  PauseTotalNs?: number;
}

export interface MemStatsSample extends Stamped {
  /** the capture format this came from (heap-debug1, expvar, gops-memstats, prometheus, pprofplus) */
  format: string;
  ms: MemStatsValues;
  /** goroutine count published alongside (expvar `goroutines`, prometheus `go_goroutines`) */
  goroutines?: number;
  threads?: number;
}

/**
 * What an RSS-like sample measures. Only `vmrss`, `smaps`, `ps`, `top`, `pidstat`, `csv`, `prometheus`
 * and `pprofplus` are the process RSS; cgroup and kubectl figures are the container's usage or working set.
 */
export type RssKind =
  "vmrss" | "smaps" | "ps" | "top" | "pidstat" | "csv" | "prometheus" | "pprofplus" | "cgroup" | "kubectl";

export interface RssSample extends Stamped {
  kind: RssKind;
  rssBytes: number;
  /** smaps_rollup LazyFree (MADV_FREE'd pages still counted in RSS) */
  lazyFreeBytes?: number;
  anonBytes?: number;
  /** VmHWM or another peak figure when the source carries it */
  peakBytes?: number;
}

/**
 * The RSS samples of one source file that share a kind, a provenance, a zone flag and a PID, stored
 * by column (the row form is RssSample). A week of one-second readings is 600k samples: as objects
 * they cost ~120 bytes each and the garbage collector's time, as columns of doubles 24 bytes.
 * Columns are plain arrays of numbers (JSON-serialisable); a value a reading lacked is NaN.
 */
export interface RssSeries {
  /** relative to the incident directory, as SourceRef.path */
  path: string;
  kind: RssKind;
  prov: Provenance;
  /** true when the stamps had no zone and the configured zone was assumed */
  zoneAssumed?: boolean;
  pid?: number;
  t: number[];
  rssBytes: number[];
  /** 1-based line of each sample in `path`; 0 where the source has no line (a file of one reading) */
  line: number[];
  /** present when any sample has the figure; NaN where a reading lacked it */
  lazyFreeBytes?: number[];
  anonBytes?: number[];
  peakBytes?: number[];
}

/** One `gctrace=1` line. `t` is null until the timeline anchors `offsetSec` to a process start. */
export interface GcEvent {
  t: number | null;
  prov: Provenance | null;
  zoneAssumed?: boolean;
  src: SourceRef;
  gcNum: number;
  /** seconds since process start (`@12.345s`) */
  offsetSec: number;
  cpuPercent: number;
  heapStartBytes: number;
  heapEndBytes: number;
  heapLiveBytes: number;
  goalBytes: number;
  stacksBytes?: number;
  globalsBytes?: number;
  procs: number;
  forced: boolean;
  /** wall-clock pause: sum of the two STW phases, ms */
  pauseMs: number;
}

/** One scavenger line (`scvg` <= 1.13, `scav` 1.14+). */
export interface ScavEvent {
  t: number | null;
  prov: Provenance | null;
  zoneAssumed?: boolean;
  src: SourceRef;
  form: "scvg" | "scav";
  /** bytes released in this step (scvg "N MB released", scav "work") */
  releasedBytes: number;
  /** HeapReleased after the step when the line says it (scav total/now, scvg released) */
  totalReleasedBytes?: number;
  forced: boolean;
  /** the gc number of the preceding `gc N` line in the same file, used to place untimed lines */
  afterGcNum?: number;
  afterGcOffsetSec?: number;
}

export interface GoroutineSample extends Stamped {
  count: number;
  format: string;
}

/** One allocation site of a heap profile: in-use bytes and objects per leaf function. */
export interface AllocationSite {
  /** leaf function (first frame that is not in runtime) */
  func: string;
  /** file:line of that frame */
  location: string;
  /** a readable call path, leaf first, a few frames */
  path: string;
  inuseBytes: number;
  inuseObjects: number;
}

/**
 * A heap profile snapshot whose allocation sites can be read later: records are read only for the
 * snapshots the growth analysis asks for (`sites` is filled by `loadAllocationSites`).
 */
export interface HeapProfileRef extends Stamped {
  format: "heap-debug1" | "pprof-proto";
  totalInuseBytes: number | null;
  sites: AllocationSite[] | null;
}

export type HintKind =
  | "go-version"
  | "go-version-min"
  /** an upper bound proven by the data (a `scvg` line means Go <= 1.13) */
  | "go-version-max"
  | "godebug"
  | "gomemlimit"
  | "gogc"
  | "kernel"
  | "pid"
  | "process-start"
  | "service"
  /** the container's memory limit in bytes (cgroup memory.max / memory.limit_in_bytes) */
  | "cgroup-limit";

/** A fact about the process stated or proven by a capture (`MaxRSS` present => Go >= 1.15, a meta line's GODEBUG). */
export interface Hint {
  kind: HintKind;
  value: string | number;
  src: SourceRef;
  /** how the capture shows it, for the report ("MaxRSS line present") */
  how: string;
  pid?: number;
}

/** An observation that the process was not running: a `ps` block with a header and no row. */
export interface ProcessAbsence {
  t: number;
  prov: Provenance;
  src: SourceRef;
  /** the process that was looked for, when known */
  pid?: number;
  /** what showed it, for the report ("ps listed no process") */
  how: string;
}

export interface IncidentEvent {
  at: number;
  label: string;
  src: SourceRef;
}

/** incident.yaml, validated. Every field is optional; flags override it. */
export interface IncidentMeta {
  title?: string;
  service?: string;
  host?: string;
  pid?: number;
  goVersion?: string;
  kernel?: string;
  godebug?: string;
  gogc?: string;
  gomemlimitBytes?: number;
  timezone?: string;
  processStart?: number;
  rssThresholdBytes?: number;
  events: IncidentEvent[];
  notes?: string;
  unknownKeys: string[];
}

export type FileStatusKind = "parsed" | "ignored" | "malformed";

/** One row of the capture ledger: every file under the incident directory gets exactly one. */
export interface FileStatus {
  /** relative to the incident directory, forward slashes */
  path: string;
  format: string | null;
  status: FileStatusKind;
  records: number;
  /** why ignored, `file:line: what is wrong` when malformed, or where a partly good file broke */
  message: string | null;
  timeRange: { start: number; end: number } | null;
  timeSource: Provenance | null;
  /** true when the file parsed up to a cut (its good part is used) */
  partial: boolean;
  bytes: number;
}

/** A located data-quality note that is not a whole file's status (an assumed zone, a skipped line). */
export interface DataIssue {
  severity: "info" | "warning";
  message: string;
  src?: SourceRef;
}

export interface Captures {
  incidentId: string;
  files: FileStatus[];
  memstats: MemStatsSample[];
  /** RSS-like samples by source (column-stored; see RssSeries) */
  rss: RssSeries[];
  gc: GcEvent[];
  scav: ScavEvent[];
  goroutines: GoroutineSample[];
  heapProfiles: HeapProfileRef[];
  hints: Hint[];
  meta: IncidentMeta | null;
  issues: DataIssue[];
  /** observations that the process was not running (optional: not every source can tell) */
  absences?: ProcessAbsence[];
}
