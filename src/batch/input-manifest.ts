/**
 * Incremental batch runs: `out/<incident>/.memgap-input.json` records what a report was made from
 * (every input file's path, size, mtime and a content hash; the tool version; the options), and an
 * incident whose record still matches is skipped.
 *
 * Method: a cheap pre-check first (the same paths with the same sizes and mtimes: nothing to read),
 * then, when only mtimes moved (a fresh clone, `cp` without -p, `touch`), a streamed SHA-256 over
 * every file's path, size and content, compared with the recorded one. Any difference, or a missing
 * output, means the incident is run again.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { discoverFiles } from "../ingest/discover.js";

export const MANIFEST_NAME = ".memgap-input.json";
const MANIFEST_VERSION = 1;

export interface InputFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** What a batch result needs from a report to be listed (and matched by --fail-on) when skipped. */
export interface ManifestResult {
  verdict: string;
  secondary: string[];
  headline: string;
  /** severities of the fired findings */
  firedSeverities: string[];
  figures: Record<string, unknown>;
}

export interface InputManifest {
  manifestVersion: number;
  toolVersion: string;
  /** the options that change the output (never the generation time) */
  options: Record<string, unknown>;
  files: InputFile[];
  /** hex SHA-256 over every file's path, size and content, in path order */
  contentHash: string;
  /** output file names written, relative to the incident's output directory */
  outputs: string[];
  result: ManifestResult;
}

export interface InputListing {
  files: InputFile[];
}

export async function listInputs(incidentDir: string): Promise<InputListing> {
  const d = await discoverFiles(incidentDir);
  return { files: d.files.map((f) => ({ path: f.path, size: f.size, mtimeMs: f.mtimeMs })) };
}

/** Streamed: a week archive of ~1 GB is hashed in 64 KiB chunks, never held in memory. */
export async function hashInputs(incidentDir: string, files: InputFile[]): Promise<string> {
  const h = createHash("sha256");
  const root = path.resolve(incidentDir);
  for (const f of files) {
    h.update(`${f.path}\u0000${f.size}\u0000`);
    for await (const chunk of createReadStream(path.join(root, f.path), { highWaterMark: 64 * 1024 })) {
      h.update(chunk as Buffer);
    }
    h.update("\u0000");
  }
  return h.digest("hex");
}

export async function readManifest(outDir: string): Promise<InputManifest | null> {
  try {
    const m = JSON.parse(await readFile(path.join(outDir, MANIFEST_NAME), "utf8")) as InputManifest;
    return m.manifestVersion === MANIFEST_VERSION ? m : null;
  } catch {
    return null;
  }
}

function sameListing(a: InputFile[], b: InputFile[], withMtime: boolean): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.path !== y.path || x.size !== y.size || (withMtime && x.mtimeMs !== y.mtimeMs)) return false;
  }
  return true;
}

async function outputsExist(outDir: string, outputs: string[]): Promise<boolean> {
  for (const o of outputs) {
    const st = await stat(path.join(outDir, o)).catch(() => null);
    if (!st || !st.isFile()) return false;
  }
  return true;
}

export type Freshness =
  | { fresh: true; manifest: InputManifest; listing: InputListing; contentHash: string }
  | { fresh: false; reason: string; listing: InputListing; contentHash: string | null };

/**
 * Whether the recorded report still stands for these inputs, tool version and options. The content
 * hash is computed only when the cheap pre-check cannot decide (mtimes moved, sizes did not).
 */
export async function checkFreshness(
  incidentDir: string,
  outDir: string,
  toolVersion: string,
  options: Record<string, unknown>,
): Promise<Freshness> {
  const listing = await listInputs(incidentDir);
  const old = await readManifest(outDir);
  if (!old) return { fresh: false, reason: "no earlier run", listing, contentHash: null };
  if (old.toolVersion !== toolVersion)
    return {
      fresh: false,
      reason: `tool version ${old.toolVersion} -> ${toolVersion}`,
      listing,
      contentHash: null,
    };
  if (JSON.stringify(old.options) !== JSON.stringify(options))
    return { fresh: false, reason: "options changed", listing, contentHash: null };
  if (!(await outputsExist(outDir, old.outputs)))
    return { fresh: false, reason: "an earlier output is missing", listing, contentHash: null };
  if (!sameListing(old.files, listing.files, false))
    return { fresh: false, reason: "input files added, removed or resized", listing, contentHash: null };
  if (sameListing(old.files, listing.files, true))
    return { fresh: true, manifest: old, listing, contentHash: old.contentHash };
  const contentHash = await hashInputs(incidentDir, listing.files);
  if (contentHash === old.contentHash) return { fresh: true, manifest: old, listing, contentHash };
  return { fresh: false, reason: "input content changed", listing, contentHash };
}
