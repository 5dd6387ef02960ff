/**
 * Verdict robustness on synthetic incidents a Go runtime expert would try (built with the production
 * timeline, ledger, rules and verdict): sparse cadences, a raised GOGC, a big file-backed mapping,
 * Go 1.14 stated without smaps_rollup, and restarts with no PID in any capture.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Captures } from "../../src/model/capture.js";
import type { RunOptions } from "../../src/model/options.js";
import type { Analysis } from "../../src/model/analysis.js";
import { analyze } from "../../src/analysis/analyze.js";
import { buildTimeline } from "../../src/timeline/build-timeline.js";
import { MiB, OPTIONS, capturesFrom, type Instant } from "../helpers/synthetic-incident.js";

type AnalysisOut = Analysis;

function run(c: Captures, options: Partial<RunOptions> = {}): { a: AnalysisOut; restarts: number } {
  const timeline = buildTimeline(c);
  return { a: analyze(c, timeline, { ...OPTIONS, ...options }), restarts: timeline.restarts.length };
}

/** A leak sampled every `everySec`: live +30 MiB a minute, 20 GCs a minute, heap at 1.5x live. */
function leak(snapshots: number, everySec: number): Instant[] {
  return Array.from({ length: snapshots }, (_, i) => {
    const live = 100 * MiB + ((i * everySec) / 60) * 30 * MiB;
    return {
      s: i * everySec,
      ms: {
        HeapAlloc: Math.round(live * 1.5),
        NumGC: Math.round((20 * i * everySec) / 60) + 5,
        NextGC: Math.round(2 * live),
        HeapObjects: 1000 + i * 500,
        TotalAlloc: 1e9 * (i + 1),
      },
      rss: Math.round(live * 1.5) + 20 * MiB,
    };
  });
}

/** GOGC=400: live heap flat at 100 MiB, a GC every 4 snapshots, HeapAlloc climbing to the 500 MiB goal. */
function gogc400(): Instant[] {
  const live = 100 * MiB;
  return Array.from({ length: 90 }, (_, i) => {
    const heap = Math.round(live + ((i % 4) / 3) * 4 * live * 0.95);
    return {
      s: i * 2,
      ms: {
        HeapAlloc: heap,
        HeapInuse: heap,
        HeapIdle: 500 * MiB - heap,
        NumGC: Math.floor(i / 4) + 1,
        NextGC: 5 * live,
        HeapObjects: 100000,
        TotalAlloc: 1e9 * (i + 1),
      },
      rss: 520 * MiB,
    };
  });
}

/** A flat 90 MiB Go heap beside 2 GiB of a mapped data file; RssAnon says which part is anonymous. */
function fileMapped(withAnonSplit: boolean): Captures {
  const c = capturesFrom(
    Array.from({ length: 60 }, (_, i) => ({
      s: i * 5,
      ms: {
        HeapAlloc: 80 * MiB,
        HeapInuse: 90 * MiB,
        NumGC: i,
        NextGC: 160 * MiB,
        TotalAlloc: 1e8 * (i + 1),
      },
      rss: 98 * MiB + 2048 * MiB,
    })),
  );
  if (withAnonSplit) for (const r of c.rss) r.anonBytes = r.t.map(() => 100 * MiB);
  return c;
}

/** 1 GiB loaded in 20 s then released; RSS keeps it (MADV_FREE) or drops it (MADV_DONTNEED). */
function burst(keepInRss: boolean): Instant[] {
  return Array.from({ length: 60 }, (_, i) => {
    if (i < 20) {
      const heap = (i + 1) * 50 * MiB;
      return {
        s: i,
        ms: { HeapAlloc: heap, NumGC: i, NextGC: 2 * heap, TotalAlloc: heap * (i + 1) },
        rss: heap + 10 * MiB,
      };
    }
    return {
      s: i,
      ms: {
        HeapAlloc: 4 * MiB,
        HeapInuse: 5 * MiB,
        HeapIdle: 1001 * MiB,
        HeapReleased: 1000 * MiB,
        NumGC: i,
        NextGC: 8 * MiB,
        TotalAlloc: 2e10 + i,
      },
      rss: keepInRss ? 1010 * MiB : 20 * MiB,
    };
  });
}

/** Three lifetimes with no PID anywhere: NumGC and TotalAlloc fall at each restart; the live heap grows in each. */
function restartsWithoutPids(): Instant[] {
  return [0, 1, 2].flatMap((l) =>
    Array.from({ length: 20 }, (_, i) => {
      const live = 20 * MiB + i * 20 * MiB;
      return {
        s: l * 25 + i,
        ms: {
          HeapAlloc: Math.round(live * 1.3),
          NumGC: 2 * i + 1,
          NextGC: 2 * live,
          TotalAlloc: 1e8 * (i + 1),
          HeapObjects: 1000 * (i + 1),
        },
        rss: Math.round(live * 1.3) + 15 * MiB,
      };
    }),
  );
}

interface Case {
  name: string;
  captures: () => Captures;
  options?: Partial<RunOptions>;
  primary: string;
  notPrimary?: string[];
  headline?: RegExp;
  check?: (a: AnalysisOut, restarts: number) => void;
}

const CASES: Case[] = [
  {
    name: "heap leak, 10 snapshots at a 1-minute cadence",
    captures: () => capturesFrom(leak(10, 60)),
    primary: "heap-leak",
    headline: /live heap kept growing/,
  },
  {
    name: "heap leak, 2 snapshots a minute apart: cannot rule out a leak, never 'healthy'",
    captures: () => capturesFrom(leak(2, 60)),
    primary: "insufficient-data",
    headline: /rule out a leak: .*2 snapshots over 60 s spanning 20 GCs/,
  },
  {
    name: "heap leak, 5 snapshots at a 1-minute cadence: says how many it had and what it needs",
    captures: () => capturesFrom(leak(5, 60)),
    primary: "insufficient-data",
    headline: /5 snapshots over 4 min/,
  },
  {
    name: "healthy service with GOGC=400 (heap at 5x live, not stated): big headroom, not a leak",
    captures: () => capturesFrom(gogc400()),
    primary: "runtime-retention",
    notPrimary: ["heap-leak"],
    headline: /GOGC of at least 400 \(GOGC not stated\)/,
  },
  {
    name: "healthy service with GOGC=400 stated in incident.yaml",
    captures: () => {
      const c = capturesFrom(gogc400());
      c.meta = { gogc: "400" } as Captures["meta"];
      return c;
    },
    primary: "runtime-retention",
    headline: /GOGC=400 sets the heap goal at 5\.0x/,
  },
  {
    name: "2 GiB file-backed mapping, RssAnon known: outside Go, named as mapped files, a warning",
    captures: () => fileMapped(true),
    primary: "non-go-memory",
    headline: /file-backed: mapped files/,
    check: (a) => assert.equal(a.findings.find((f) => f.id === "non-go-memory")!.severity, "warning"),
  },
  {
    name: "2 GiB outside Go with no anonymous/file split: cgo, mmap or C libraries, critical",
    captures: () => fileMapped(false),
    primary: "non-go-memory",
    headline: /cgo, mmap or C libraries/,
    check: (a) => assert.equal(a.findings.find((f) => f.id === "non-go-memory")!.severity, "critical"),
  },
  {
    name: "--go-version 1.14.2, no smaps_rollup, RSS holds through a 1 GiB release: lazy-free inferred",
    captures: () => capturesFrom(burst(true)),
    options: { goVersion: "1.14.2" },
    primary: "lazy-free",
    headline: /MADV_FREE, inferred/,
  },
  {
    name: "--go-version 1.14.2, no smaps_rollup, RSS falls with the release: not lazy-free",
    captures: () => capturesFrom(burst(false)),
    options: { goVersion: "1.14.2" },
    primary: "healthy",
    notPrimary: ["lazy-free", "heap-leak"],
  },
  {
    name: "restarts with no PID anywhere (counters fall): three lifetimes, a leak in each",
    captures: () => capturesFrom(restartsWithoutPids()),
    primary: "heap-leak",
    headline: /in each of 3 lifetimes \(2 restarts\)/,
    check: (_a, restarts) => assert.equal(restarts, 2),
  },
];

for (const c of CASES) {
  test(c.name, () => {
    const { a, restarts } = run(c.captures(), c.options);
    assert.equal(a.verdict.primary, c.primary, a.verdict.headline);
    for (const no of c.notPrimary ?? []) assert.notEqual(a.verdict.primary, no);
    if (c.headline) assert.match(a.verdict.headline, c.headline);
    c.check?.(a, restarts);
  });
}

test("no rule fired but heap-leak could not decide: the verdict names what is missing, with low confidence", () => {
  const { a } = run(capturesFrom(leak(3, 60)));
  assert.equal(a.verdict.primary, "insufficient-data");
  assert.equal(a.verdict.confidence, "low");
  const leakFinding = a.findings.find((f) => f.id === "heap-leak")!;
  assert.equal(leakFinding.status, "insufficient-data");
  assert.ok(leakFinding.missing!.every((m) => a.verdict.headline.includes(m)));
});
