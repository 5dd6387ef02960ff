/**
 * Outputs are written atomically (src/render/write-atomic.ts): a write that fails or is interrupted
 * leaves the old file or none, never a partial one, and no `.tmp-` file stays behind.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { writeFileAtomic } from "../../src/render/write-atomic.js";
import { ROOT } from "../helpers/paths.js";
import { LOOP_CONTENTS } from "./write-atomic-child.js";

const tmp = mkdtempSync(path.join(os.tmpdir(), "memgap-atomic-"));
after(() => rmSync(tmp, { recursive: true, force: true }));
const CHILD = path.join(ROOT, "test", "hostile", "write-atomic-child.ts");

function temps(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.includes(".tmp-"));
}

test("a write replaces the file whole and leaves no temporary file", async () => {
  const dir = path.join(tmp, "plain");
  const target = path.join(dir, "report.json");
  await writeFileAtomic(target, "old\n");
  await writeFileAtomic(target, "new\n");
  assert.equal(readFileSync(target, "utf8"), "new\n");
  assert.deepEqual(temps(dir), []);
});

test("when the rename fails (the target is a directory) the target is untouched and no .tmp- file is left", async () => {
  const dir = path.join(tmp, "rename-fails");
  const target = path.join(dir, "report.html");
  mkdirSync(target, { recursive: true });
  writeFileSync(path.join(target, "keep"), "kept");
  await assert.rejects(writeFileAtomic(target, "<html>"), /EISDIR|ENOTEMPTY|EEXIST/);
  assert.ok(statSync(target).isDirectory());
  assert.equal(readFileSync(path.join(target, "keep"), "utf8"), "kept");
  assert.deepEqual(temps(dir), []);
});

test("when the directory cannot be made (a file is in the way) nothing is written", async () => {
  const blocker = path.join(tmp, "blocker");
  writeFileSync(blocker, "a file, not a directory");
  await assert.rejects(writeFileAtomic(path.join(blocker, "out", "report.md"), "x"), /ENOTDIR|EEXIST/);
  assert.equal(readFileSync(blocker, "utf8"), "a file, not a directory");
});

test("a write cut short by the file-size limit (EFBIG) leaves the old file whole and no .tmp- file", () => {
  const dir = path.join(tmp, "efbig");
  mkdirSync(dir);
  const target = path.join(dir, "report.pdf");
  writeFileSync(target, "old report\n");
  // ulimit -f is in 1024-byte blocks: the 4 MiB write stops at 1 MiB, as a full disk would stop it
  const res = spawnSync(
    "bash",
    ["-c", `ulimit -f 1024; exec "${process.execPath}" --import tsx "${CHILD}" once "${target}" ${4 << 20}`],
    { cwd: ROOT, encoding: "utf8" },
  );
  assert.equal(res.status, 3, `the child's write failed: ${res.stderr}`);
  assert.match(res.stderr, /EFBIG/);
  assert.equal(readFileSync(target, "utf8"), "old report\n", "the old file is whole");
  assert.deepEqual(temps(dir), [], "the partial temporary file was removed");
});

test("a writer killed (SIGKILL) at any moment leaves the old file or the new one, never a partial one; the next write sweeps its leftovers", async () => {
  const dir = path.join(tmp, "killed");
  mkdirSync(dir);
  const target = path.join(dir, "report.pdf");
  // kill times spread over several writes of 6-9 MiB (a few ms each), deterministic
  for (const killAfterMs of [5, 23, 41, 67, 97, 131]) {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, "loop", target], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
    await new Promise((r) => setTimeout(r, killAfterMs));
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    if (!existsSync(target)) continue;
    const got = readFileSync(target);
    const whole = LOOP_CONTENTS.some((c) => got.length === c.size && got.every((b) => b === c.byte));
    assert.ok(
      whole,
      `after a kill at ${killAfterMs} ms the target is one whole version (${got.length} bytes)`,
    );
  }
  assert.ok(existsSync(target), "at least one write completed over six runs");
  // a killed writer cannot clean up; the next write does (its pid is gone)
  // (whether a kill above landed mid-write is timing; make one leftover certain: a finished process's)
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], {
    encoding: "utf8",
  });
  writeFileSync(`${target}.tmp-${dead.stdout}-zz9zz9`, "half a report");
  assert.ok(temps(dir).length >= 1);
  await writeFileAtomic(target, "final\n");
  assert.equal(readFileSync(target, "utf8"), "final\n");
  assert.deepEqual(temps(dir), [], "no .tmp- file from any killed run is left");
});

test("concurrent writers of one target: the result is one of them whole, and no .tmp- file is left", async () => {
  const dir = path.join(tmp, "concurrent");
  const target = path.join(dir, "report.json");
  const contents = Array.from({ length: 12 }, (_, i) => Buffer.alloc(256 * 1024 + i, 0x30 + i));
  await Promise.all(contents.map((c) => writeFileAtomic(target, c)));
  const got = readFileSync(target);
  assert.ok(
    contents.some((c) => c.equals(got)),
    "the target is one writer's content, whole",
  );
  assert.deepEqual(temps(dir), []);
});

test("a leftover of a process that still runs is not touched (it may be mid-write)", async () => {
  const dir = path.join(tmp, "live-leftover");
  mkdirSync(dir);
  const target = path.join(dir, "report.md");
  const live = `${target}.tmp-${process.ppid}-abc123`;
  writeFileSync(live, "another writer's half");
  await writeFileAtomic(target, "mine\n");
  assert.equal(readFileSync(live, "utf8"), "another writer's half");
});
