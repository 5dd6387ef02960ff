/**
 * Prometheus text exposition 0.0.4 and OpenMetrics (FORMATS.md §4), as client_golang writes it for a
 * Go process: `# HELP` / `# TYPE` comments, `name{labels} value [timestamp_ms]` samples, values in
 * Go 'g' notation (`2.5688288e+07`, `NaN`, `+Inf`), an optional `# EOF`.
 *
 * What is read, per scrape:
 *  - `go_memstats_*` (old and new names: `heap_released_bytes_total` before client_golang v0.9) -> a
 *    MemStats sample; when they are absent, `go_memory_classes_*` (runtime/metrics) are mapped to the
 *    MemStats fields the way client_golang's go_collector_latest.go derives them;
 *  - `go_goroutines`, `go_threads` (and `go_sched_goroutines_goroutines`) -> counts on the sample;
 *  - `process_resident_memory_bytes` -> an RSS sample (kind "prometheus"), namespace prefixes allowed
 *    (`myapp_process_…`, ProcessCollectorOpts.Namespace);
 *  - `process_start_time_seconds`, `go_info{version}`, `go_gc_gomemlimit_bytes`, `go_gc_gogc_percent`
 *    -> hints.
 * A file may hold several scrapes one after another (a capture loop appending): a new scrape starts
 * at a line holding only a timestamp (`date` output, or `# 2026-11-24T05:00:00Z`), or when a series
 * repeats. Time: the samples' own timestamps (ms) when written, else the scrape's timestamp line,
 * else the file name, else `go_memstats_last_gc_time_seconds` as a lower bound, else the mtime.
 */
import type {
  DataIssue,
  GoroutineSample,
  Hint,
  MemStatsSample,
  MemStatsValues,
  Provenance,
  RssSample,
} from "../../model/capture.js";
import { linesOf, type CaptureFile, type IngestOptions, type ParseOutcome, type Parser } from "../parser.js";
import { stampFile } from "../time/file-stamp.js";
import { splitLinePrefix } from "../time/line-prefix.js";
import { isPlausibleEpochMs } from "../time/zone.js";
import { CORE_FIELDS } from "./memstats-block.js";
import { rssSeriesOf } from "../../common/rss-series.js";

/** go_memstats_<suffix> -> MemStats field. */
const MEMSTATS_NAMES: Record<string, keyof MemStatsValues> = {
  alloc_bytes: "Alloc",
  alloc_bytes_total: "TotalAlloc",
  sys_bytes: "Sys",
  mallocs_total: "Mallocs",
  frees_total: "Frees",
  heap_alloc_bytes: "HeapAlloc",
  heap_sys_bytes: "HeapSys",
  heap_idle_bytes: "HeapIdle",
  heap_inuse_bytes: "HeapInuse",
  heap_released_bytes: "HeapReleased",
  heap_released_bytes_total: "HeapReleased",
  heap_objects: "HeapObjects",
  stack_inuse_bytes: "StackInuse",
  stack_sys_bytes: "StackSys",
  mspan_inuse_bytes: "MSpanInuse",
  mspan_sys_bytes: "MSpanSys",
  mcache_inuse_bytes: "MCacheInuse",
  mcache_sys_bytes: "MCacheSys",
  buck_hash_sys_bytes: "BuckHashSys",
  gc_sys_bytes: "GCSys",
  other_sys_bytes: "OtherSys",
  next_gc_bytes: "NextGC",
};

/** GOMEMLIMIT's default, math.MaxInt64, as a float: at or above it there is no limit. */
const NO_MEMORY_LIMIT = 2 ** 63 - 1024;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?[ \t]+(\S+)(?:[ \t]+(-?\d+(?:\.\d+)?))?\s*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestampMs: number | null;
  line: number;
}

interface Scrape {
  startLine: number;
  stamp: { t: number; zoneAssumed: boolean } | null;
  series: Series[];
  seen: Set<string>;
}

/** Go strconv 'g' output and the exposition specials. */
function parseValue(text: string): number | null {
  if (text === "NaN") return NaN;
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
  return Number(text);
}

/**
 * The canonical name of a process/go series, with an exporter namespace removed
 * (`myapp_process_resident_memory_bytes` -> `process_resident_memory_bytes`).
 */
function canonical(name: string): string {
  const m = /(?:^|_)((?:process|go)_[a-z0-9_]+)$/.exec(name);
  if (!m) return name;
  // Only strip a namespace in front of names we know the shape of.
  const c = m[1]!;
  return c.startsWith("process_") || c.startsWith("go_") ? c : name;
}

function finite(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v);
}

/** runtime/metrics memory classes -> MemStats, as client_golang's memStatsFromRM does. */
function fromMemoryClasses(get: (n: string) => number | undefined): Partial<MemStatsValues> | null {
  const objects = get("go_memory_classes_heap_objects_bytes");
  const unused = get("go_memory_classes_heap_unused_bytes");
  const free = get("go_memory_classes_heap_free_bytes");
  const released = get("go_memory_classes_heap_released_bytes");
  const total = get("go_memory_classes_total_bytes");
  if (![objects, unused, free, released, total].every(finite)) return null;
  const ms: Partial<MemStatsValues> = {
    HeapAlloc: objects!,
    Alloc: objects!,
    HeapInuse: objects! + unused!,
    HeapReleased: released!,
    HeapIdle: released! + free!,
    HeapSys: objects! + unused! + released! + free!,
    Sys: total!,
  };
  const add = (field: keyof MemStatsValues, ...names: string[]): void => {
    const vals = names.map(get);
    if (vals.every(finite)) (ms as Record<string, number>)[field] = vals.reduce((a, b) => a! + b!, 0)!;
  };
  add("StackInuse", "go_memory_classes_heap_stacks_bytes");
  add("StackSys", "go_memory_classes_heap_stacks_bytes", "go_memory_classes_os_stacks_bytes");
  add("MSpanInuse", "go_memory_classes_metadata_mspan_inuse_bytes");
  add(
    "MSpanSys",
    "go_memory_classes_metadata_mspan_inuse_bytes",
    "go_memory_classes_metadata_mspan_free_bytes",
  );
  add("MCacheInuse", "go_memory_classes_metadata_mcache_inuse_bytes");
  add(
    "MCacheSys",
    "go_memory_classes_metadata_mcache_inuse_bytes",
    "go_memory_classes_metadata_mcache_free_bytes",
  );
  add("BuckHashSys", "go_memory_classes_profiling_buckets_bytes");
  add("GCSys", "go_memory_classes_metadata_other_bytes");
  add("OtherSys", "go_memory_classes_other_bytes");
  add("NextGC", "go_gc_heap_goal_bytes");
  add("HeapObjects", "go_gc_heap_objects_objects");
  return ms;
}

function looksLikeExposition(head: string): boolean {
  const lines = head.split("\n", 40);
  let hits = 0;
  for (const raw of lines) {
    const line = raw.trim();
    if (/^# (HELP|TYPE) [a-zA-Z_:][\w:]* /.test(line)) hits += 2;
    else if (/^(\w+_)?(go|process)_\w+(\{[^}]*\})? \S+( -?\d+)?$/.test(line)) hits++;
  }
  return hits >= 2;
}

export const prometheus: Parser = {
  id: "prometheus",
  description: "Prometheus text exposition / OpenMetrics from client_golang (go_memstats_*, process_*)",
  sniff(file: CaptureFile): boolean {
    return looksLikeExposition(file.headText);
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const scrapes: Scrape[] = [];
    const issues: DataIssue[] = [];
    let current: Scrape | null = null;
    let pendingStamp: Scrape["stamp"] = null;
    let badLines = 0;
    let firstBad: { line: number; text: string } | null = null;
    const startScrape = (line: number): Scrape => {
      const s: Scrape = { startLine: line, stamp: pendingStamp, series: [], seen: new Set() };
      pendingStamp = null;
      scrapes.push(s);
      return s;
    };
    // streamed line by line: memory follows the samples kept, not the size of the file
    let lineNo = 0;
    for await (const rawLine of linesOf(file)) {
      lineNo++;
      const line = rawLine.trim();
      if (line === "" || line === "# EOF") continue;
      // A timestamp line between scrapes: `date` output, or a comment holding only a stamp.
      const stampText = line.startsWith("#") ? line.replace(/^#\s*/, "") : line;
      if (!/^# (HELP|TYPE|UNIT) /.test(line)) {
        const prefix = splitLinePrefix(stampText, options);
        if (prefix && prefix.rest.trim() === "") {
          pendingStamp = { t: prefix.t, zoneAssumed: prefix.zoneAssumed };
          current = null;
          continue;
        }
      }
      if (line.startsWith("#")) continue;
      const m = SAMPLE.exec(line);
      const value = m ? parseValue(m[3]!) : null;
      if (!m || value === null) {
        badLines++;
        firstBad ??= { line: lineNo, text: line };
        continue;
      }
      const labels: Record<string, string> = {};
      for (const lm of (m[2] ?? "").matchAll(LABEL)) labels[lm[1]!] = lm[2]!;
      const key = `${m[1]}${m[2] ?? ""}`;
      if (!current || current.seen.has(key)) current = startScrape(lineNo);
      current.seen.add(key);
      const ts = m[4] !== undefined ? Number(m[4]) : null;
      current.series.push({
        name: canonical(m[1]!),
        labels,
        value,
        // The exposition format's timestamps are ms; OpenMetrics writes seconds (with a fraction).
        timestampMs:
          ts === null ? null : isPlausibleEpochMs(ts) ? ts : isPlausibleEpochMs(ts * 1000) ? ts * 1000 : null,
        line: lineNo,
      });
    }
    if (scrapes.length === 0) {
      return {
        kind: "malformed",
        format: this.id,
        line: firstBad?.line ?? 1,
        message: firstBad
          ? `not a 'name{labels} value [timestamp]' sample line: ${JSON.stringify(firstBad.text.slice(0, 60))}`
          : "no samples: only comments",
      };
    }
    if (firstBad) {
      issues.push({
        severity: "warning",
        message: `${file.path}:${firstBad.line}: ${badLines} line(s) that are not samples were skipped (first: ${JSON.stringify(firstBad.text.slice(0, 60))})`,
        src: { path: file.path, line: firstBad.line },
      });
    }

    const memstats: MemStatsSample[] = [];
    const rss: RssSample[] = [];
    const goroutines: GoroutineSample[] = [];
    const hints: Hint[] = [];
    const hintSeen = new Set<string>();
    const addHint = (h: Hint): void => {
      const k = `${h.kind}\u0000${h.value}`;
      if (hintSeen.has(k)) return;
      hintSeen.add(k);
      hints.push(h);
    };
    let records = 0;
    for (const scrape of scrapes) {
      const byName = new Map<string, Series>();
      for (const s of scrape.series) if (!byName.has(s.name)) byName.set(s.name, s);
      const get = (n: string): number | undefined => byName.get(n)?.value;
      const src = (n: string): { path: string; line: number } => ({
        path: file.path,
        line: byName.get(n)?.line ?? scrape.startLine,
      });

      // MemStats: the go_memstats_* set, else the runtime/metrics memory classes.
      let ms: Partial<MemStatsValues> = {};
      for (const [suffix, field] of Object.entries(MEMSTATS_NAMES)) {
        const v = get(`go_memstats_${suffix}`);
        if (finite(v)) (ms as Record<string, number>)[field] = Math.round(v);
      }
      const lastGcSec = get("go_memstats_last_gc_time_seconds");
      if (finite(lastGcSec)) ms.LastGCMs = lastGcSec > 0 ? Math.round(lastGcSec * 1000) : null;
      const frac = get("go_memstats_gc_cpu_fraction");
      if (finite(frac)) ms.GCCPUFraction = frac;
      const gcCount = get("go_gc_duration_seconds_count");
      if (finite(gcCount)) ms.NumGC = Math.round(gcCount);
      let fromClasses = false;
      if (!CORE_FIELDS.every((f) => ms[f] !== undefined)) {
        const mapped = fromMemoryClasses(get);
        if (mapped) {
          ms = { ...mapped, ...(ms.NumGC !== undefined ? { NumGC: ms.NumGC } : {}) };
          fromClasses = true;
        }
      }

      // Time: the samples' own timestamps, else the scrape's stamp line, else the file.
      const own = scrape.series.map((s) => s.timestampMs).filter((t): t is number => t !== null);
      let t: number;
      let prov: Provenance;
      let zoneAssumed = false;
      if (own.length > 0) {
        // no spread: a scrape may hold more series than a call takes arguments
        t = own.reduce((a, b) => Math.max(a, b));
        prov = "record";
      } else if (scrape.stamp) {
        t = scrape.stamp.t;
        prov = "record";
        zoneAssumed = scrape.stamp.zoneAssumed;
      } else {
        const st = stampFile(file, options, ms.LastGCMs ?? null);
        t = st.t;
        prov = st.prov;
        zoneAssumed = st.zoneAssumed;
      }
      const stamped = { t, prov, zoneAssumed: zoneAssumed || undefined };
      const goroutineCount = get("go_goroutines") ?? get("go_sched_goroutines_goroutines");
      const threads = get("go_threads");
      let used = false;
      if (CORE_FIELDS.every((f) => ms[f] !== undefined)) {
        memstats.push({
          ...stamped,
          src: { path: file.path, line: scrape.startLine },
          format: this.id,
          ms: ms as MemStatsValues,
          ...(finite(goroutineCount) ? { goroutines: Math.round(goroutineCount) } : {}),
          ...(finite(threads) ? { threads: Math.round(threads) } : {}),
        });
        used = true;
        if (fromClasses && scrape === scrapes[0])
          issues.push({
            severity: "info",
            message: `${file.path}: no go_memstats_* series; MemStats derived from go_memory_classes_* (runtime/metrics) as client_golang does`,
            src: { path: file.path, line: scrape.startLine },
          });
      }
      if (finite(goroutineCount)) {
        goroutines.push({
          ...stamped,
          src: src(byName.has("go_goroutines") ? "go_goroutines" : "go_sched_goroutines_goroutines"),
          count: Math.round(goroutineCount),
          format: this.id,
        });
        used = true;
      }
      const rssBytes = get("process_resident_memory_bytes");
      if (finite(rssBytes)) {
        rss.push({
          ...stamped,
          src: src("process_resident_memory_bytes"),
          kind: "prometheus",
          rssBytes: Math.round(rssBytes),
        });
        used = true;
      }
      const start = get("process_start_time_seconds");
      if (finite(start) && start > 0)
        addHint({
          kind: "process-start",
          value: Math.round(start * 1000),
          src: src("process_start_time_seconds"),
          how: "process_start_time_seconds",
        });
      const info = byName.get("go_info");
      if (info?.labels.version)
        addHint({
          kind: "go-version",
          value: info.labels.version.replace(/^go/, ""),
          src: src("go_info"),
          how: `go_info{version="${info.labels.version}"}`,
        });
      const limit = get("go_gc_gomemlimit_bytes");
      if (finite(limit))
        addHint({
          kind: "gomemlimit",
          // math.MaxInt64 (9.223372036854776e+18) is the runtime's "no limit".
          value: limit >= NO_MEMORY_LIMIT ? "off" : Math.round(limit),
          src: src("go_gc_gomemlimit_bytes"),
          how: "go_gc_gomemlimit_bytes",
        });
      const gogc = get("go_gc_gogc_percent");
      if (finite(gogc))
        addHint({
          kind: "gogc",
          value: gogc < 0 ? "off" : String(Math.round(gogc)),
          src: src("go_gc_gogc_percent"),
          how: "go_gc_gogc_percent",
        });
      if (used) records++;
    }
    if (records === 0)
      issues.push({
        severity: "info",
        message: `${file.path}: Prometheus metrics without go_memstats_*, go_memory_classes_*, go_goroutines or process_resident_memory_bytes: nothing memgap charts`,
        src: { path: file.path },
      });
    return {
      kind: "parsed",
      format: this.id,
      records,
      data: { memstats, rss: rssSeriesOf(rss), goroutines, hints, issues },
    };
  },
};
