/**
 * Discovery: every entry under an incident directory, sorted, without following links out of it.
 * fast-glob lives here and nowhere else.
 */
import { constants as fsConstants, lstatSync, readdirSync, type Dirent } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
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

/** One `memgap batch` argument, expanded: the argument itself, or every directory its glob matches. */
export interface ExpandedArgument {
  argument: string;
  /** true when the argument was a glob pattern (expanded here), false when taken literally */
  glob: boolean;
  /** the incident directories it names, sorted; a literal argument names itself (checked later) */
  dirs: string[];
}

/**
 * Expand `memgap batch` arguments. A literal path is kept as given (whether it is a directory is
 * checked per incident, so that one bad argument fails alone); a glob pattern is expanded to the
 * directories it matches, sorted, without following symbolic links.
 */
export async function expandIncidentArguments(args: string[]): Promise<ExpandedArgument[]> {
  // loaded here, on first use: only `memgap batch` expands globs, and loading fast-glob costs ~20 ms
  const fg = (await import("fast-glob")).default;
  const out: ExpandedArgument[] = [];
  for (const argument of args) {
    if (!fg.isDynamicPattern(argument)) {
      out.push({ argument, glob: false, dirs: [argument] });
      continue;
    }
    const dirs = await fg(argument, {
      onlyDirectories: true,
      followSymbolicLinks: false,
      suppressErrors: true,
      unique: true,
      dot: false,
    });
    dirs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    out.push({ argument, glob: true, dirs });
  }
  return out;
}

/**
 * Why an entry could not be read, without the absolute path (which would leak the machine's layout
 * into a report that is shared). A name that is not valid UTF-8 reaches us with U+FFFD in place of
 * its bad bytes, so the decoded name no longer exists on disk: say that rather than "no such file".
 */
function unreadableReason(rel: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? "error";
  if (code === "ENOENT" && rel.includes("\uFFFD"))
    return "file name is not valid UTF-8 (shown with U+FFFD for the bad bytes): not read; rename it to include it";
  if (code === "ENOENT") return "vanished while the directory was being read: not read";
  return `cannot be read (${code}): not read`;
}

/**
 * lstat calls in flight during discovery: enough to keep libuv's thread pool (4 threads by default)
 * busy while results come back, and a fixed bound on requests however many files there are.
 */
const STAT_CONCURRENCY = 32;

/**
 * Every entry under `root` (relative, forward slashes), dot entries included, directories descended
 * without following links; a directory that cannot be listed is passed over (classify reports it).
 * What `fg("**\/*", { dot, onlyFiles: false, followSymbolicLinks: false, suppressErrors })` lists,
 * read with synchronous readdir: a listing answered from the dentry cache takes microseconds, and the
 * glob machinery cost more than listing a week of snapshots.
 */
function listEntries(root: string): string[] {
  const out: string[] = [];
  const pending: string[] = [""];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir === "" ? root : path.join(root, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const rel = dir === "" ? e.name : `${dir}/${e.name}`;
      out.push(rel);
      if (e.isDirectory()) pending.push(rel);
    }
  }
  return out;
}

export async function discoverFiles(incidentDir: string): Promise<Discovery> {
  const root = await realpath(incidentDir);
  const entries = listEntries(root);
  entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // Regular files, nearly every entry, are classified here in one synchronous loop (an lstat from the
  // inode cache takes a few microseconds; a promise per entry cost as much again); the rest
  // (directories, links, special files, errors) by classify, STAT_CONCURRENCY at a time (one by one,
  // a million files take ~40 s of round trips). Results keep the sorted order.
  const classified = new Array<DiscoveredFile | SkippedEntry | null>(entries.length);
  const others: number[] = [];
  for (let i = 0; i < entries.length; i++) {
    const rel = entries[i]!;
    // root is a real absolute path and rel a plain relative one: joined as is (path.join's
    // normalising costs as much as the lstat from the inode cache, eleven thousand times a week)
    const abs = `${root}${path.sep}${rel}`;
    let st;
    try {
      // a vanished entry answers undefined (no error object built) and goes to classify, which says so
      st = lstatSync(abs, { throwIfNoEntry: false });
      if (!st) {
        others.push(i);
        continue;
      }
    } catch {
      others.push(i);
      continue;
    }
    if (st.isFile()) classified[i] = { path: rel, absPath: abs, size: st.size, mtimeMs: st.mtimeMs };
    else others.push(i);
  }
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < others.length) {
      const i = others[next++]!;
      classified[i] = await classify(root, entries[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, others.length) }, worker));
  const files: DiscoveredFile[] = [];
  const skipped: SkippedEntry[] = [];
  for (const c of classified) {
    if (c === null) continue;
    if ("reason" in c) skipped.push(c);
    else files.push(c);
  }
  return { files, skipped };
}

/** One entry: a regular file to read, a skipped entry with its reason, or null for a directory. */
async function classify(root: string, rel: string): Promise<DiscoveredFile | SkippedEntry | null> {
  const abs = path.join(root, rel);
  let st;
  try {
    // synchronous: an lstat answered from the inode cache takes a few microseconds, while a round
    // trip through libuv's thread pool costs several times that (ten thousand files a week)
    st = lstatSync(abs);
  } catch (err) {
    return { path: rel, reason: unreadableReason(rel, err) };
  }
  if (st.isDirectory()) {
    // fast-glob skips a directory it cannot list without a word (suppressErrors): say so here,
    // so that the files under it are not silently missing from the capture table.
    const denied = await access(abs, fsConstants.R_OK | fsConstants.X_OK).then(
      () => null,
      (err: NodeJS.ErrnoException) => err.code ?? "error",
    );
    return denied
      ? { path: `${rel}/`, reason: `directory cannot be listed (${denied}): its files were not read` }
      : null;
  }
  if (st.isSymbolicLink()) {
    let target: string;
    try {
      target = await realpath(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return {
        path: rel,
        reason:
          code === "ELOOP"
            ? "symbolic link loop: not followed"
            : code === "ENOENT"
              ? "symbolic link whose target does not exist: not followed"
              : `symbolic link that cannot be resolved (${code ?? "error"}): not followed`,
      };
    }
    const inside = target === root || target.startsWith(root + path.sep);
    if (!inside) {
      return { path: rel, reason: "symbolic link pointing outside the incident directory: not followed" };
    }
    const tst = await stat(target).catch(() => null);
    if (!tst || !tst.isFile()) {
      return { path: rel, reason: "symbolic link to a directory or special file: not followed" };
    }
    return {
      path: rel,
      reason: `symbolic link to ${path.relative(root, target).split(path.sep).join("/")}, which is read in its own right`,
    };
  }
  if (!st.isFile()) {
    return { path: rel, reason: "not a regular file (socket, FIFO or device): not read" };
  }
  return { path: rel, absPath: abs, size: st.size, mtimeMs: st.mtimeMs };
}
