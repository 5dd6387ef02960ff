/** Phase segmentation on synthetic series and on the bundled samples against their truth phases. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { segmentSeries } from "../../src/analysis/phases.js";
import { medianCadenceMs } from "../../src/common/cadence.js";
import { MiB, T0 } from "../helpers/synthetic-incident.js";
import { sampleModels, truth } from "../helpers/sample-models.js";

test("steady, ramp, release, steady with a GC sawtooth and noise", () => {
  const ts: number[] = [];
  const vs: number[] = [];
  let seed = 7;
  const noise = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 4 * MiB;
  for (let i = 0; i < 120; i++) {
    ts.push(T0 + i * 1000);
    let v = 50 * MiB;
    if (i >= 20 && i < 50) v = 50 * MiB + (i - 20) * 40 * MiB;
    else if (i >= 50 && i < 53) v = 1250 * MiB - (i - 49) * 380 * MiB;
    else if (i >= 53) v = 60 * MiB;
    vs.push(v + (i % 3) * 3 * MiB + noise());
  }
  const phases = segmentSeries(ts, vs, 0, "goResident");
  assert.deepEqual(
    phases.map((p) => p.kind),
    ["steady", "ramp", "release", "steady"],
    JSON.stringify(phases.map((p) => [p.kind, (p.start - T0) / 1000, (p.end - T0) / 1000])),
  );
  assert.ok(Math.abs((phases[1]!.start - T0) / 1000 - 20) <= 2);
  assert.ok(Math.abs(phases[1]!.slopeBytesPerSec - 40 * MiB) < 5 * MiB);
});

test("a flat noisy series is one phase", () => {
  const ts = Array.from({ length: 60 }, (_, i) => T0 + i * 1000);
  const vs = ts.map((_, i) => 80 * MiB + ((i * 7919) % 13) * 0.5 * MiB);
  const phases = segmentSeries(ts, vs, 0, "rss");
  assert.equal(phases.length, 1);
  assert.equal(phases[0]!.kind, "steady");
});

/**
 * Truth phase starts that leave no trace in RSS or in Go's resident estimate, so no method could see
 * them there: the churn stopping ("quiescent"), and boundaries the truth notes say memory did not follow.
 */
const INVISIBLE: Record<string, string[]> = {
  // The trim freed nothing until the next GC ~10 s later (truth notes).
  "retention-plateau": ["trim", "plateau", "quiescent"],
  // The footprint was pinned by GOMEMLIMIT from ~05:44:25 while the live heap kept growing; it only
  // started to move once the heap crossed its goal, ~3 s after the workload did.
  "memlimit-thrash": ["grow-toward-limit", "hold-near-limit", "quiescent"],
};

for (const name of [
  "madvfree-burst",
  "dontneed-burst",
  "cyclic-madvfree",
  "heap-leak",
  "restart-leak",
  "cgo-leak",
  "goroutine-leak",
  "fragmentation",
  "retention-plateau",
]) {
  test(`${name}: phase boundaries within two samples of the truth's induced phases`, async () => {
    const { timeline, analysis } = await sampleModels(name);
    const t = truth(name);
    const boundaries: number[] = [];
    const groups = new Map<string, number>();
    for (const p of analysis.phases) {
      const key = `${p.lifetime}/${p.series}`;
      if (groups.has(key)) boundaries.push(p.start);
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    const cadence = medianCadenceMs(timeline.memstats.map((s) => s.t))!;
    // Two samples, plus one second for file-name stamps of one-second resolution.
    const tolerance = 2 * cadence + 1000;
    const firstOfProcess = new Set<number>();
    const checked: string[] = [];
    for (const tp of t.phases) {
      if (!firstOfProcess.has(tp.pid)) {
        firstOfProcess.add(tp.pid);
        continue;
      }
      if (tp.name === "quiescent" || INVISIBLE[name]?.includes(tp.name)) continue;
      const at = Date.parse(tp.start);
      if (at > timeline.end!) continue;
      const nearest = Math.min(...boundaries.map((b) => Math.abs(b - at)));
      assert.ok(
        nearest <= tolerance,
        `${name}: truth ${tp.name} at ${tp.start}: nearest boundary ${nearest} ms away`,
      );
      checked.push(tp.name);
    }
    assert.ok(checked.length > 0, "at least one truth boundary checked");
  });
}

test("retention-plateau: ramp, release, then a plateau well above the start", async () => {
  const { analysis } = await sampleModels("retention-plateau");
  const rss = analysis.phases.filter((p) => p.series === "rss").map((p) => p.kind);
  assert.deepEqual(rss.slice(-3), ["ramp", "release", "plateau"]);
});

test("a long series is segmented on bucket means, with phases on its own samples", () => {
  // 100k one-second samples (above the 20k-point cap): steady, a ramp, a 10 s release, steady.
  const n = 100_000;
  const ts = new Array<number>(n);
  const vs = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    ts[i] = T0 + i * 1000;
    let v = 200 * MiB;
    if (i >= 30_000 && i < 60_000) v = 200 * MiB + (i - 30_000) * 0.02 * MiB;
    else if (i >= 60_000 && i < 60_010) v = 800 * MiB - (i - 60_000) * 58 * MiB;
    else if (i >= 60_010) v = 220 * MiB;
    vs[i] = v + (i % 7) * 2 * MiB; // a GC sawtooth
  }
  const phases = segmentSeries(ts, vs, 0, "rss");
  assert.deepEqual(
    phases.map((p) => p.kind),
    ["steady", "ramp", "release", "steady"],
    JSON.stringify(phases.map((p) => [p.kind, (p.start - T0) / 1000, (p.end - T0) / 1000])),
  );
  // phases start and end on samples of the series, cover it, and count its samples
  assert.equal(phases[0]!.start, ts[0]);
  assert.equal(phases[phases.length - 1]!.end, ts[n - 1]);
  for (const p of phases) assert.equal((p.start - T0) % 1000, 0);
  assert.ok(Math.abs((phases[1]!.start - T0) / 1000 - 30_000) <= 60, `ramp starts at ${phases[1]!.start}`);
  assert.ok(Math.abs(phases[1]!.slopeBytesPerSec - 0.02 * MiB) < 0.002 * MiB);
  const total = phases.reduce((a, p) => a + p.samples, 0);
  assert.ok(total >= n - 4 && total <= n, `${total} samples`);
});
