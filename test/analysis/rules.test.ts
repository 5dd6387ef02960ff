/**
 * Table-driven tests of every diagnosis rule on synthetic incidents (fired / clear / insufficient-data),
 * built with the production timeline, ledger, figures and platform code.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Captures } from "../../src/model/capture.js";
import type { FindingStatus } from "../../src/model/analysis.js";
import type { Rule } from "../../src/analysis/rule.js";
import { RULES } from "../../src/analysis/rules/index.js";
import { MiB, capturesFrom, contextFrom, series } from "../helpers/synthetic-incident.js";

const GiB = 1024 * MiB;

function rule(id: string): Rule {
  const r = RULES.find((x) => x.id === id);
  assert.ok(r, `rule ${id} registered`);
  return r;
}

function withoutRss(c: Captures): Captures {
  return { ...c, rss: [] };
}

/** Load to 1 GiB in 20 s, drop and release it; RSS keeps it (MADV_FREE) or drops it (MADV_DONTNEED). */
function burst(keepInRss: boolean): Captures {
  return capturesFrom(
    series(60, (i) => {
      if (i < 20) {
        const heap = (i + 1) * 50 * MiB;
        return { ms: { HeapAlloc: heap, NumGC: i, NextGC: 2 * heap }, rss: heap + 10 * MiB, lazyFree: 0 };
      }
      const released = 1000 * MiB;
      return {
        ms: {
          HeapAlloc: 4 * MiB,
          HeapInuse: 5 * MiB,
          HeapIdle: released + MiB,
          HeapReleased: released,
          NumGC: i,
          NextGC: 8 * MiB,
        },
        rss: keepInRss ? 1010 * MiB : 20 * MiB,
        lazyFree: keepInRss ? released : 0,
      };
    }),
  );
}

/** C memory growing 8 MiB/s beside a flat 10 MiB Go heap, or RSS matching Go's accounting. */
function cgo(grows: boolean): Captures {
  return capturesFrom(
    series(60, (i) => ({
      ms: { HeapAlloc: 10 * MiB, HeapInuse: 11 * MiB, NumGC: i, NextGC: 20 * MiB },
      rss: 30 * MiB + (grows ? i * 8 * MiB : 0),
    })),
  );
}

/** Live heap growing 10 MiB per GC (leak) or flat at 50 MiB, with a GC sawtooth on top. */
function liveHeap(leaks: boolean, gcs = true): Captures {
  return capturesFrom(
    series(60, (i) => {
      const live = (leaks ? 20 + 10 * i : 50) * MiB;
      const heap = i % 2 ? live * 1.6 : live;
      return {
        ms: {
          HeapAlloc: heap,
          HeapInuse: heap + MiB,
          HeapIdle: MiB,
          NumGC: gcs ? i : 0,
          NextGC: 2 * live,
          HeapObjects: live / 4096,
        },
        rss: heap + 20 * MiB,
      };
    }),
  );
}

function goroutines(leaks: boolean, withData = true): Captures {
  const c = capturesFrom(
    series(60, (i) => {
      const n = leaks ? 10 + 100 * i : 10;
      return {
        ms: { HeapAlloc: 20 * MiB, NumGC: i, StackInuse: n * 64 * 1024 },
        rss: 40 * MiB + n * 64 * 1024,
        goroutines: n,
      };
    }),
  );
  if (!withData)
    for (const m of c.memstats) {
      delete m.ms.StackInuse;
      delete m.goroutines;
    }
  return c;
}

function spans(fragmented: boolean, n = 40): Captures {
  return capturesFrom(
    series(n, (i) => {
      const alloc = 200 * MiB;
      const inuse = fragmented ? 1400 * MiB : 220 * MiB;
      return { ms: { HeapAlloc: alloc, HeapInuse: inuse, NumGC: Math.floor(i / 5) }, rss: inuse + 30 * MiB };
    }),
  );
}

function gcLoad(pressured: boolean, withData = true): Captures {
  const c = capturesFrom(
    series(60, (i) => {
      const live = 450 * MiB;
      const cpu = pressured ? (i < 20 ? 0.01 : 0.01 + (i - 20) * 0.005) : 0.001;
      return {
        ms: {
          HeapAlloc: live + (i % 2) * 10 * MiB,
          NumGC: pressured ? i * 3 : i,
          NextGC: pressured ? live * 1.05 : live * 2,
          GCCPUFraction: cpu,
        },
        rss: 500 * MiB,
      };
    }),
  );
  if (!withData)
    for (const m of c.memstats) {
      delete m.ms.GCCPUFraction;
      delete m.ms.NextGC;
      delete m.ms.NumGC;
    }
  return c;
}

/** 100 MiB live; a spike of garbage up to 1 GiB under an inflated goal for 20 s (retained) or a normal sawtooth. */
function retention(spike: boolean, gcs = true): Captures {
  return capturesFrom(
    series(60, (i) => {
      const live = 100 * MiB;
      let heap = i % 2 ? 180 * MiB : live;
      let numGc = i;
      let goal = 200 * MiB;
      if (spike && i >= 20 && i < 40) {
        heap = live + (i - 19) * 45 * MiB;
        numGc = 20;
        goal = 2 * GiB;
      }
      return { ms: { HeapAlloc: heap, NumGC: gcs ? numGc : 0, NextGC: goal }, rss: heap + 20 * MiB };
    }),
  );
}

interface Case {
  rule: string;
  name: string;
  captures: () => Captures;
  expect: FindingStatus;
}

const CASES: Case[] = [
  {
    rule: "lazy-free",
    name: "RSS keeps released pages, LazyFree covers the gap",
    captures: () => burst(true),
    expect: "fired",
  },
  {
    rule: "lazy-free",
    name: "RSS follows the release (MADV_DONTNEED)",
    captures: () => burst(false),
    expect: "clear",
  },
  { rule: "lazy-free", name: "no RSS", captures: () => withoutRss(burst(true)), expect: "insufficient-data" },
  {
    rule: "non-go-memory",
    name: "RSS grows beside a flat Go heap",
    captures: () => cgo(true),
    expect: "fired",
  },
  { rule: "non-go-memory", name: "RSS matches Go's accounting", captures: () => cgo(false), expect: "clear" },
  {
    rule: "non-go-memory",
    name: "no RSS",
    captures: () => withoutRss(cgo(true)),
    expect: "insufficient-data",
  },
  {
    rule: "heap-leak",
    name: "post-GC heap grows every cycle",
    captures: () => liveHeap(true),
    expect: "fired",
  },
  {
    rule: "heap-leak",
    name: "post-GC heap flat under a sawtooth",
    captures: () => liveHeap(false),
    expect: "clear",
  },
  {
    rule: "heap-leak",
    name: "no GC completed",
    captures: () => liveHeap(true, false),
    expect: "insufficient-data",
  },
  {
    rule: "goroutine-leak",
    name: "goroutines and stacks climb",
    captures: () => goroutines(true),
    expect: "fired",
  },
  {
    rule: "goroutine-leak",
    name: "goroutine count flat",
    captures: () => goroutines(false),
    expect: "clear",
  },
  {
    rule: "goroutine-leak",
    name: "no count and no StackInuse",
    captures: () => goroutines(true, false),
    expect: "insufficient-data",
  },
  {
    rule: "fragmentation",
    name: "HeapInuse 7x HeapAlloc through GCs",
    captures: () => spans(true),
    expect: "fired",
  },
  { rule: "fragmentation", name: "HeapInuse 1.1x HeapAlloc", captures: () => spans(false), expect: "clear" },
  {
    rule: "fragmentation",
    name: "two snapshots",
    captures: () => spans(true, 2),
    expect: "insufficient-data",
  },
  {
    rule: "gc-pressure",
    name: "goal squeezed to the live heap, GC CPU rising",
    captures: () => gcLoad(true),
    expect: "fired",
  },
  { rule: "gc-pressure", name: "goal 2x live, GC CPU 0.1%", captures: () => gcLoad(false), expect: "clear" },
  {
    rule: "gc-pressure",
    name: "no GCCPUFraction, NextGC or gctrace",
    captures: () => gcLoad(true, false),
    expect: "insufficient-data",
  },
  {
    rule: "runtime-retention",
    name: "garbage piles up under an inflated goal",
    captures: () => retention(true),
    expect: "fired",
  },
  { rule: "runtime-retention", name: "GOGC=100 sawtooth", captures: () => retention(false), expect: "clear" },
  {
    rule: "runtime-retention",
    name: "no GC completed",
    captures: () => retention(true, false),
    expect: "insufficient-data",
  },
];

for (const c of CASES) {
  test(`${c.rule}: ${c.name} -> ${c.expect}`, () => {
    const finding = rule(c.rule).evaluate(contextFrom(c.captures()));
    assert.equal(finding.status, c.expect, finding.summary);
    assert.equal(finding.id, c.rule);
    if (c.expect === "fired") {
      assert.ok(finding.explainsBytes > 0, "a fired finding explains some bytes");
      assert.ok(finding.evidence.length > 0, "a fired finding carries evidence");
      assert.ok(/\d/.test(finding.summary), `the summary carries numbers: ${finding.summary}`);
      assert.ok(finding.recommendation.steps.length > 0 && finding.recommendation.links.length > 0);
      assert.ok(finding.confidence > 0 && finding.confidence <= 1);
    }
    if (c.expect === "insufficient-data") {
      assert.ok(finding.missing && finding.missing.length > 0, "names what is missing");
      assert.ok(
        finding.missing!.some((m) => /`[^`]+`|GODEBUG|capture/.test(m)),
        "says how to capture it",
      );
    }
  });
}

test("every verdict rule of DESIGN.md §6 is registered once", () => {
  const ids = RULES.map((r) => r.id).sort();
  assert.deepEqual(ids, [
    "fragmentation",
    "gc-pressure",
    "goroutine-leak",
    "heap-leak",
    "lazy-free",
    "non-go-memory",
    "runtime-retention",
  ]);
});

test("lazy-free without smaps_rollup: fires with lower confidence when the Go version allows MADV_FREE", () => {
  const c = burst(true);
  c.rss = c.rss.filter((s) => s.kind !== "smaps");
  const onOld = rule("lazy-free").evaluate(contextFrom(c, { goVersion: "go1.14.2" }));
  assert.equal(onOld.status, "fired");
  assert.ok(onOld.confidence < 0.9);
});

test("lazy-free without smaps_rollup on Go 1.16+: RSS holding through a release proves MADV_FREE was in force", () => {
  const c = burst(true);
  c.rss = c.rss.filter((s) => s.kind !== "smaps");
  const ctx = contextFrom(c, { goVersion: "go1.19.8" });
  assert.equal(ctx.releaseResponse.observed, "held");
  const f = rule("lazy-free").evaluate(ctx);
  assert.equal(
    f.status,
    "fired",
    "RSS did not fall when Go released 1000 MiB: DONTNEED would have dropped it",
  );
  assert.ok(f.confidence <= 0.6, "inferred, not measured");
  assert.ok(f.evidence.some((e) => e.label === "RSS change while Go released memory"));
  assert.ok(f.evidence.some((e) => /madvdontneed=0/.test(String(e.value))));
  assert.equal(
    rule("non-go-memory").evaluate(ctx).status,
    "clear",
    "the gap is the released heap, not C memory",
  );
});

test("lazy-free is clear when RSS fell with the release, whatever the version suggests", () => {
  const c = burst(false);
  c.rss = c.rss.filter((s) => s.kind !== "smaps");
  const ctx = contextFrom(c, { goVersion: "go1.14.2" });
  assert.equal(ctx.releaseResponse.observed, "dropped");
  assert.equal(rule("lazy-free").evaluate(ctx).status, "clear");
});
