/** Process restarts on real samples and on synthetic series. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sampleModels, truth } from "../helpers/sample-models.js";
import { detectRestarts } from "../../src/timeline/restarts.js";
import { capturesFrom, MiB, series, T0 } from "../helpers/synthetic-incident.js";
import { buildRssTrack } from "../../src/timeline/rss-tracks.js";

test("restart-leak: a restart on the first sample of every process captured after the first", async () => {
  const { timeline } = await sampleModels("restart-leak");
  const t = truth("restart-leak");
  const lastSample = timeline.end!;
  // The 4th process started after the last sample (truth: SIGTERMed 0.4 s later, no sample of it).
  const seen = t.processes.slice(1).filter((p) => Date.parse(p.start) <= lastSample);
  const restarts = timeline.restarts.filter((r) => r.kind === "restart");
  assert.equal(restarts.length, seen.length);
  restarts.forEach((r, i) => {
    const start = Date.parse(seen[i]!.start);
    // Stamps have one-second resolution (rss.log, file names): the first sample may read up to 1 s early.
    assert.ok(
      r.at >= start - 1000 && r.at - start <= 2000,
      `restart ${i + 1} at ${new Date(r.at).toISOString()} vs start ${seen[i]!.start}`,
    );
    assert.equal(r.toPid, seen[i]!.pid);
  });
  assert.equal(timeline.processes.length, seen.length + 1);
  assert.deepEqual(
    timeline.processes.map((p) => p.pid),
    t.processes.filter((p) => Date.parse(p.start) <= lastSample).map((p) => p.pid),
  );
});

test("restart-leak: the last kill, after the last sample, is an exit at the first sample that saw the process gone", async () => {
  const { timeline } = await sampleModels("restart-leak");
  const kills = truth("restart-leak").restarts as { killed_pid: number; killed_at: string }[];
  const lastKill = kills[kills.length - 1]!;
  const exits = timeline.restarts.filter((r) => r.kind === "exit");
  assert.equal(exits.length, 1);
  const exit = exits[0]!;
  assert.equal(exit.fromPid, lastKill.killed_pid);
  // ps runs once a second: the first block without the process comes within a second of the kill.
  assert.ok(Math.abs(exit.at - Date.parse(lastKill.killed_at)) <= 1000, new Date(exit.at).toISOString());
  assert.equal(exit.src.path, "ps.log");
  assert.equal(timeline.restarts.length, kills.length, "every kill is on the timeline");
});

test("one process samples show no restart (cyclic-madvfree, healthy-steady)", async () => {
  for (const name of ["cyclic-madvfree", "healthy-steady"]) {
    const { timeline } = await sampleModels(name);
    assert.deepEqual(timeline.restarts, [], name);
  }
});

test("counters falling at one mis-stamped snapshot are an outlier, not a restart", () => {
  const c = capturesFrom(
    series(10, (i) => ({
      ms: { HeapAlloc: 10 * MiB, NumGC: 100 + i, TotalAlloc: (1000 + i) * MiB, Mallocs: 5000 + i },
    })),
  );
  // A snapshot of the same process stamped late (weak stamp) sorted into the middle with early counters.
  c.memstats[5]!.ms = { ...c.memstats[5]!.ms, NumGC: 3, TotalAlloc: 20 * MiB, Mallocs: 50 };
  const { restarts } = detectRestarts({ memstats: c.memstats, rss: [], gc: [] });
  assert.deepEqual(restarts, []);
});

test("counters that fall and stay low are a restart, placed on the first sample of the new process", () => {
  const c = capturesFrom(
    series(10, (i) => {
      const k = i < 6 ? 100 + i : i - 6;
      return { ms: { HeapAlloc: 10 * MiB, NumGC: k, TotalAlloc: (k + 1) * MiB, Mallocs: 10 * (k + 1) } };
    }),
  );
  const { restarts } = detectRestarts({ memstats: c.memstats, rss: [], gc: [] });
  assert.equal(restarts.length, 1);
  assert.equal(restarts[0]!.at, T0 + 6000);
  assert.match(restarts[0]!.reason, /NumGC/);
});

test("a PID change in the RSS series is a restart", () => {
  const c = capturesFrom(
    series(6, (i) => ({ ms: { HeapAlloc: MiB }, rss: 20 * MiB, pid: i < 3 ? 100 : 200 })),
  );
  const { restarts } = detectRestarts({ memstats: [], rss: [buildRssTrack(c.rss, "vmrss")], gc: [] });
  assert.equal(restarts.length, 1);
  assert.equal(restarts[0]!.fromPid, 100);
  assert.equal(restarts[0]!.toPid, 200);
  assert.equal(restarts[0]!.at, T0 + 3000);
});
