/**
 * The timeline stage's output: samples merged per series and sorted, split into process lifetimes,
 * RSS aligned to each MemStats snapshot, and the gaps in each series.
 */
import type {
  GcEvent,
  GoroutineSample,
  HeapProfileRef,
  MemStatsSample,
  RssKind,
  ScavEvent,
  SourceRef,
} from "./capture.js";

export interface ProcessLifetime {
  /** 0-based index in time order */
  index: number;
  pid: number | null;
  /** first and last sample of any series in this lifetime (epoch ms) */
  start: number;
  end: number;
  /** the process start when a capture states it (ps etime, process_start_time_seconds, incident.yaml) */
  knownStart: number | null;
}

export interface Restart {
  /**
   * `restart`: a new lifetime begins (at its first sample). `exit`: the process was seen gone after
   * its last sample and no later sample exists (killed or crashed near the end of the capture).
   */
  kind: "restart" | "exit";
  /** time of the first sample of the new lifetime, or of the first observation of the absence */
  at: number;
  reason: string;
  fromPid: number | null;
  toPid: number | null;
  /** the first sample of the new lifetime */
  src: SourceRef;
}

export interface DataGap {
  series: string;
  start: number;
  end: number;
  /** the series' median cadence, ms */
  cadenceMs: number;
}

/** A MemStats snapshot with the RSS at its instant. */
export interface AlignedPoint {
  t: number;
  lifetime: number;
  memstats: MemStatsSample;
  rssBytes: number | null;
  rssMethod: "nearest" | "interpolated" | "snapshot-rss" | null;
  lazyFreeBytes: number | null;
  /** |t - t(rss sample)| for nearest, or the span interpolated over, ms */
  rssDistanceMs: number | null;
  goroutines: number | null;
}

export interface Alignment {
  /** the RSS series chosen as the process RSS (the densest true-RSS source) */
  rssKind: RssKind | null;
  rssSources: string[];
  toleranceMs: number;
  method: string;
  lazyFreeSource: string | null;
}

/** How one segment of an untimed gctrace file (one process's lines) was placed in time. */
export interface TraceAnchor {
  path: string;
  /** first line of the segment */
  fromLine: number;
  lines: number;
  /** the process start used (epoch ms), null when the segment stayed unplaced */
  start: number | null;
  /** incident.yaml, a capture's hint, or the aligned-snapshot method; "none" when unplaced */
  method: string;
}

/** Where the samples of an RssTrack come from: a file and the PID it names. */
export interface RssTrackSource {
  path: string;
  pid: number | null;
}

/**
 * One RSS series merged from every source of its kind, sorted by time (then path, then line), and
 * stored by column like RssSeries: a week of one-second readings is 600k samples. Sample i is
 * (t[i], rssBytes[i]) in lifetime[i], read from sources[source[i]] at line[i] (0: no line).
 */
export interface RssTrack {
  kind: RssKind | null;
  t: number[];
  rssBytes: number[];
  /** NaN where a reading lacked it; null when no sample has it */
  lazyFreeBytes: number[] | null;
  anonBytes: number[] | null;
  /** lifetime index of each sample */
  lifetime: number[];
  source: number[];
  line: number[];
  sources: RssTrackSource[];
}

export interface Timeline {
  start: number | null;
  end: number | null;
  processes: ProcessLifetime[];
  restarts: Restart[];
  dataGaps: DataGap[];
  memstats: MemStatsSample[];
  /** the primary RSS series (one kind), sorted */
  rss: RssTrack;
  /** smaps_rollup samples that carry LazyFree, sorted */
  lazyFree: RssTrack;
  gc: GcEvent[];
  scav: ScavEvent[];
  goroutines: GoroutineSample[];
  heapProfiles: HeapProfileRef[];
  aligned: AlignedPoint[];
  alignment: Alignment;
  /** gctrace/scav lines that could not be placed in time (no process start known) */
  unplacedTraceLines: number;
  /** how each untimed gctrace segment was anchored */
  traceAnchors?: TraceAnchor[];
}
