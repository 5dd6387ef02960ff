/**
 * A small builder of synthetic incidents for rule, phase and timeline tests: describe each instant's
 * MemStats (and optionally RSS, LazyFree, goroutines) and get real Captures, the real Timeline, ledger,
 * figures and platform, and a RuleContext, all built by the production code.
 */
import type { Captures, MemStatsValues, RssSample } from "../../src/model/capture.js";
import type { RunOptions } from "../../src/model/options.js";
import type { RuleContext } from "../../src/analysis/rule.js";
import { buildTimeline } from "../../src/timeline/build-timeline.js";
import { buildRuleContext } from "../../src/analysis/analyze.js";
import { rssSeriesOf } from "../../src/common/rss-series.js";

export const MiB = 1024 * 1024;
export const T0 = Date.UTC(2026, 10, 24, 5, 0, 0);

export interface Instant {
  /** seconds since T0 */
  s: number;
  ms: Partial<MemStatsValues> & { HeapAlloc: number };
  rss?: number;
  lazyFree?: number;
  goroutines?: number;
  pid?: number;
}

/** MemStats with consistent defaults: HeapInuse = HeapAlloc, no idle, Sys = HeapSys + 8 MiB of runtime overhead. */
export function memstats(v: Instant["ms"]): MemStatsValues {
  const HeapInuse = v.HeapInuse ?? v.HeapAlloc;
  const HeapIdle = v.HeapIdle ?? 0;
  const HeapReleased = v.HeapReleased ?? 0;
  const HeapSys = v.HeapSys ?? HeapInuse + HeapIdle;
  return {
    ...v,
    HeapInuse,
    HeapIdle,
    HeapReleased,
    HeapSys,
    Sys: v.Sys ?? HeapSys + 8 * MiB,
    StackInuse: v.StackInuse ?? 512 * 1024,
    StackSys: v.StackSys ?? v.StackInuse ?? 512 * 1024,
  };
}

export function emptyCaptures(): Captures {
  return {
    incidentId: "synthetic",
    files: [],
    memstats: [],
    rss: [],
    gc: [],
    scav: [],
    goroutines: [],
    heapProfiles: [],
    hints: [],
    meta: null,
    issues: [],
  };
}

export function capturesFrom(instants: Instant[]): Captures {
  const c = emptyCaptures();
  const rss: RssSample[] = [];
  instants.forEach((x, i) => {
    const t = T0 + x.s * 1000;
    c.memstats.push({
      t,
      prov: "filename",
      src: { path: `heap-${i}.txt` },
      format: "heap-debug1",
      ms: memstats(x.ms),
      ...(x.goroutines !== undefined ? { goroutines: x.goroutines } : {}),
      ...(x.pid !== undefined ? { pid: x.pid } : {}),
    });
    if (x.rss !== undefined) {
      const r: RssSample = {
        t,
        prov: "record",
        src: { path: "rss.log", line: i + 1 },
        kind: "vmrss",
        rssBytes: x.rss,
      };
      if (x.pid !== undefined) r.pid = x.pid;
      rss.push(r);
    }
    if (x.lazyFree !== undefined)
      rss.push({
        t,
        prov: "filename",
        src: { path: `smaps-${i}.txt` },
        kind: "smaps",
        rssBytes: x.rss ?? 0,
        lazyFreeBytes: x.lazyFree,
      });
  });
  c.rss = rssSeriesOf(rss);
  return c;
}

export const OPTIONS: RunOptions = {
  zone: "UTC",
  goVersion: null,
  kernel: null,
  godebug: null,
  generatedAt: "2026-01-01T00:00:00Z",
  toolVersion: "test",
} as RunOptions;

export function contextFrom(captures: Captures, options: Partial<RunOptions> = {}): RuleContext {
  return buildRuleContext(captures, buildTimeline(captures), { ...OPTIONS, ...options });
}

/** `n` instants one second apart from `from` seconds, with values from `f(i)`. */
export function series(n: number, f: (i: number) => Omit<Instant, "s">, from = 0): Instant[] {
  return Array.from({ length: n }, (_, i) => ({ s: from + i, ...f(i) }));
}
