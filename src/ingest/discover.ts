/**
 * Discovery: every entry under an incident directory, sorted, without following links out of it.
 * fast-glob lives here and nowhere else.
 */
import fg from "fast-glob";
import { lstat, realpath, stat } from "node:fs/promises";
import path from "node:path";

export interface DiscoveredFile {
  /** relative, forward slashes */
  path: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface Discovery {
  files: DiscoveredFile[];
  skipped: SkippedEntry[];
}

export async function discoverFiles(incidentDir: string): Promise<Discovery> {
  const root = await realpath(incidentDir);
  const entries = await fg("**/*", {
    cwd: root,
    dot: true,
    onlyFiles: false,
    followSymbolicLinks: false,
    suppressErrors: true,
    unique: true,
  });
  entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files: DiscoveredFile[] = [];
  const skipped: SkippedEntry[] = [];
  for (const rel of entries) {
    const abs = path.join(root, rel);
    let st;
    try {
      st = await lstat(abs);
    } catch (err) {
      skipped.push({ path: rel, reason: `cannot be read: ${(err as Error).message}` });
      continue;
    }
    if (st.isDirectory()) continue;
    if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = await realpath(abs);
      } catch {
        skipped.push({
          path: rel,
          reason: "symbolic link whose target does not exist (or loops): not followed",
        });
        continue;
      }
      const inside = target === root || target.startsWith(root + path.sep);
      if (!inside) {
        skipped.push({
          path: rel,
          reason: "symbolic link pointing outside the incident directory: not followed",
        });
        continue;
      }
      const tst = await stat(target).catch(() => null);
      if (!tst || !tst.isFile()) {
        skipped.push({ path: rel, reason: "symbolic link to a directory or special file: not followed" });
        continue;
      }
      skipped.push({
        path: rel,
        reason: `symbolic link to ${path.relative(root, target).split(path.sep).join("/")}, which is read in its own right`,
      });
      continue;
    }
    if (!st.isFile()) {
      skipped.push({ path: rel, reason: "not a regular file (socket, FIFO or device): not read" });
      continue;
    }
    files.push({ path: rel, absPath: abs, size: st.size, mtimeMs: st.mtimeMs });
  }
  return { files, skipped };
}
