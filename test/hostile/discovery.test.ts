/**
 * Discovery over a hostile tree (src/ingest/discover.ts): every non-directory entry is reported once,
 * in sorted order, as a file to read or skipped with a reason; links are never followed out of the
 * incident; nothing blocks (FIFOs) or loops (symlink cycles); reasons carry no absolute path.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { discoverFiles } from "../../src/ingest/discover.js";
import { ROOT } from "../helpers/paths.js";
import { buildAdversarialIncident, nonDirectoryPaths, snapshot } from "./adversarial-incident.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "memgap-discover-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

test("every non-directory entry of the adversarial tree is reported exactly once, sorted, with no absolute path", async () => {
  const { dir } = buildAdversarialIncident(tmp, 9, false);
  const started = Date.now();
  const d = await discoverFiles(dir);
  assert.ok(Date.now() - started < 10_000, "no loop, no blocking open");
  const all = [...d.files.map((f) => f.path), ...d.skipped.map((s) => s.path)];
  assert.equal(new Set(all).size, all.length, "no entry twice");
  assert.deepEqual([...all].sort(), nonDirectoryPaths(snapshot(dir)));
  const files = d.files.map((f) => f.path);
  assert.deepEqual(
    files,
    [...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    "files in sorted order",
  );
  for (const f of d.files) assert.ok(f.absPath.startsWith(dir + path.sep), `${f.path} is read from inside`);
  for (const s of d.skipped) assert.ok(!s.reason.includes(tmp), `reason for ${s.path} has no absolute path`);
  const reasons = new Map(d.skipped.map((s) => [s.path, s.reason]));
  assert.match(reasons.get("loop-a")!, /loop/);
  assert.match(reasons.get("self-loop")!, /loop/);
  assert.match(reasons.get("dangling")!, /does not exist/);
  assert.match(reasons.get("passwd")!, /outside the incident/);
  assert.match(reasons.get("outside-dir")!, /outside the incident/);
  assert.match(reasons.get("subdir/up")!, /directory/);
  assert.match(reasons.get("latest-heap.txt")!, /read in its own right/);
  assert.match(reasons.get("capture.fifo")!, /FIFO/);
  assert.match(reasons.get("heap-\ufffd\ufffd.txt")!, /not valid UTF-8/);
  assert.ok(files.includes("*?[glob]{a,b}.txt"), "glob characters in a name are a name, not a pattern");
  assert.ok(files.includes("back\\slash.txt"));
  assert.ok(files.includes("line\nbreak | pipe `tick`.txt"));
  assert.ok(files.includes("heap-20261124T052300Z.txt/heap.txt"), "inside a directory named like a capture");
  assert.ok(!files.some((f) => f.startsWith("outside")), "nothing read through a link out of the incident");
});

test("a directory that cannot be listed is reported, not silently dropped (run as an unprivileged user)", (t) => {
  // root reads everything, so the check runs in a child process as `nobody` (uid 65534) when we are root
  const dir = mkdtempSync(path.join(tmp, "perm-"));
  chmodSync(tmp, 0o755);
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, "locked"));
  writeFileSync(path.join(dir, "locked", "heap.txt"), "heap profile: 1: 2 [3: 4] @ heap/1048576\n");
  writeFileSync(path.join(dir, "rss.log"), "2026-11-24T05:22:36Z VmRSS:\t 1 kB\n");
  chmodSync(path.join(dir, "locked"), 0o000);
  const script = `import { discoverFiles } from ${JSON.stringify(path.join(ROOT, "src/ingest/discover.ts"))};
    const d = await discoverFiles(${JSON.stringify(dir)});
    process.stdout.write(JSON.stringify(d));`;
  const asRoot = process.getuid?.() === 0;
  const res = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: ROOT,
    encoding: "utf8",
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  chmodSync(path.join(dir, "locked"), 0o755);
  assert.equal(res.status, 0, res.stderr);
  const d = JSON.parse(res.stdout) as {
    files: { path: string }[];
    skipped: { path: string; reason: string }[];
  };
  t.diagnostic(`ran as uid ${asRoot ? 65534 : process.getuid?.()}`);
  assert.deepEqual(
    d.files.map((f) => f.path),
    ["rss.log"],
  );
  assert.deepEqual(d.skipped, [
    { path: "locked/", reason: "directory cannot be listed (EACCES): its files were not read" },
  ]);
});
