/**
 * Issue 3's acceptance on real material: every capture of every bundled incident and of the public
 * format examples is parsed; only truly broken or non-capture files are malformed or ignored, each with
 * its reason; snapshot times equal their file-name times to the second.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ingestIncident } from "../../src/ingest/ingest.js";
import { timeFromPath } from "../../src/ingest/time/filename-time.js";
import { FIXTURES, sample } from "../helpers/paths.js";
import { sampleNames } from "../helpers/sample-models.js";

interface TruthFiles {
  mess: { file: string; kind: string }[];
  capture: { first_snapshot: string; last_snapshot: string };
}

function truthOf(name: string): TruthFiles {
  return JSON.parse(readFileSync(path.join(FIXTURES, "corpus-truth", `${name}.json`), "utf8")) as TruthFiles;
}

for (const name of sampleNames()) {
  test(`${name}: every capture parsed, only the mess is not, times from the names to the second`, async () => {
    const captures = await ingestIncident({ incidentDir: sample(name), incidentId: name, zone: "UTC" });
    const t = truthOf(name);
    const mess = new Map(t.mess.map((m) => [m.file, m.kind]));
    for (const f of captures.files) {
      const abs = path.join(sample(name), f.path);
      const empty = statSync(abs).size === 0;
      if (mess.has(f.path)) {
        const kind = mess.get(f.path)!;
        if (/truncated/.test(kind)) {
          assert.equal(f.status, "malformed", `${f.path} is truncated`);
          assert.match(f.message ?? "", new RegExp(`^${f.path.replace(/\./g, "\\.")}:\\d+: `), "located");
        } else assert.equal(f.status, "ignored", `${f.path}: ${kind}`);
      } else if (empty) {
        assert.equal(f.status, "malformed", `${f.path} is empty`);
        assert.match(f.message ?? "", /empty file/);
      } else {
        assert.equal(f.status, "parsed", `${f.path}: ${f.message}`);
        assert.ok(f.records > 0 || f.format === "capture-meta", `${f.path} yields records`);
      }
    }
    // Snapshots named with a time are timed by that name, to the second.
    let named = 0;
    for (const s of captures.memstats) {
      const byName = timeFromPath(s.src.path, "UTC");
      if (!byName || s.prov !== "filename") continue;
      named++;
      assert.equal(Math.floor(s.t / 1000), Math.floor(byName.t / 1000), s.src.path);
    }
    assert.ok(named > 0, "snapshots are timed by their names");
    const times = captures.memstats.filter((s) => s.prov === "filename").map((s) => s.t);
    assert.equal(new Date(Math.min(...times)).toISOString(), t.capture.first_snapshot, "first snapshot");
    assert.equal(new Date(Math.max(...times)).toISOString(), t.capture.last_snapshot, "last snapshot");
  });
}

test("every public format example that holds a capture parses (PARTIAL ones up to their cut)", async () => {
  const root = path.join(FIXTURES, "format-examples");
  for (const dir of readdirSync(root).sort()) {
    const captures = await ingestIncident({
      incidentDir: path.join(root, dir),
      incidentId: dir,
      zone: "UTC",
    });
    for (const f of captures.files) {
      if (f.path.endsWith(".source.txt")) continue;
      if (dir === "capture-naming") {
        // a listing of file names, the input of the file-name tests, not a capture
        assert.equal(f.status, "ignored");
        continue;
      }
      if (/busybox-top/.test(f.path)) {
        assert.equal(f.status, "ignored", "BusyBox top without an RSS column has nothing to read");
        assert.match(f.message ?? "", /RSS/);
        continue;
      }
      assert.equal(f.status, "parsed", `${dir}/${f.path}: ${f.message}`);
      if (/PARTIAL/.test(f.path) && f.partial) assert.match(f.message ?? "", /:\d+: /, "the cut is located");
    }
  }
});
