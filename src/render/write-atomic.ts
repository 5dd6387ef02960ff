/**
 * Every output is written to a temporary file beside its target and renamed into place, so an
 * interrupted run never leaves a half-written report: a reader sees the old file or the new one.
 * rename(2) within one directory is atomic on POSIX file systems, which is why the temporary file
 * sits beside the target rather than in os.tmpdir() (another file system would make it a copy).
 *
 * A run killed mid-write (SIGKILL, OOM killer, power cut) cannot remove its temporary file; the next
 * write of the same target removes such leftovers when the process that made them is gone.
 */
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

const TMP_MARK = ".tmp-";

function tempNameFor(target: string): string {
  return `${target}${TMP_MARK}${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** True when a process with this id exists (EPERM: it exists but belongs to another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Remove `<target>.tmp-<pid>-<id>` files left by processes that no longer run. Best effort. */
async function removeStaleTemps(target: string): Promise<void> {
  const dir = path.dirname(target);
  const prefix = `${path.basename(target)}${TMP_MARK}`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)-[a-z0-9]+$/.exec(name.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && !processAlive(pid)) await rm(path.join(dir, name), { force: true });
  }
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = tempNameFor(target);
  try {
    await writeFile(tmp, data);
    await rename(tmp, target);
  } catch (err) {
    // the write's own error is the one to report, not a failure to clean up after it
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await removeStaleTemps(target);
}
