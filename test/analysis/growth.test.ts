/** Choosing the heap snapshots to compare, and the per-site growth between them. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { HeapProfileRef } from "../../src/model/capture.js";
import { selectGrowthSnapshots, siteGrowth } from "../../src/analysis/growth.js";
import { sampleModels } from "../helpers/sample-models.js";

test("restart-leak: the snapshots compared lie in one lifetime, first and last phase", async () => {
  const { timeline, analysis } = await sampleModels("restart-leak");
  const refs = selectGrowthSnapshots(timeline, analysis.phases);
  assert.equal(refs.length, 2);
  assert.ok(refs[0]!.t < refs[1]!.t);
  const life = (t: number): number => timeline.restarts.filter((r) => t >= r.at).length;
  assert.equal(life(refs[0]!.t), life(refs[1]!.t));
});

test("siteGrowth sums a site's records and ranks by growth", () => {
  const ref = (sites: [string, number][]): HeapProfileRef => ({
    t: 0,
    prov: "filename",
    src: { path: "h" },
    format: "heap-debug1",
    totalInuseBytes: null,
    sites: sites.map(([func, b]) => ({
      func,
      location: `${func}.go:1`,
      path: func,
      inuseBytes: b,
      inuseObjects: 1,
    })),
  });
  const g = siteGrowth(
    ref([
      ["a", 10],
      ["b", 100],
    ]),
    ref([
      ["a", 500],
      ["a", 500],
      ["b", 50],
      ["c", 20],
    ]),
  );
  assert.deepEqual(
    g.map((s) => [s.func, s.growthBytes]),
    [
      ["a", 990],
      ["c", 20],
    ],
  );
});
