/**
 * The batch plan: which incidents a `memgap batch` run covers, under which ids, and which of them
 * this shard owns. Pure functions over the expanded arguments, so that every shard of a CI matrix
 * computes the same plan and takes a disjoint share of it.
 */
import path from "node:path";
import type { ExpandedArgument } from "../ingest/discover.js";

export interface PlannedIncident {
  /** the output directory's name under --out: the incident directory's name, made unique */
  id: string;
  /** the incident directory as given (or as the glob matched it) */
  dir: string;
  /** the command-line argument it came from */
  argument: string;
}

export interface BatchPlan {
  incidents: PlannedIncident[];
  /** arguments that named nothing (a glob matching no directory), for the user */
  notes: string[];
}

/** `--shard i/n`: 1-based index i of n shares (the convention of jest, vitest and playwright). */
export interface Shard {
  index: number;
  count: number;
}

/**
 * Ids are directory names; two arguments with the same name (a/x and b/x) would write the same
 * out/x/, so the later ones get `-2`, `-3`... in argument order, which every shard computes alike.
 * The same directory named twice is one incident.
 */
export function planIncidents(expanded: ExpandedArgument[]): BatchPlan {
  const incidents: PlannedIncident[] = [];
  const notes: string[] = [];
  const seenDirs = new Set<string>();
  const usedIds = new Set<string>();
  for (const arg of expanded) {
    if (arg.glob && arg.dirs.length === 0) notes.push(`${arg.argument}: the pattern matches no directory`);
    for (const dir of arg.dirs) {
      const resolved = path.resolve(dir);
      if (seenDirs.has(resolved)) continue;
      seenDirs.add(resolved);
      const base = path.basename(resolved) || "incident";
      let id = base;
      for (let n = 2; usedIds.has(id); n++) id = `${base}-${n}`;
      usedIds.add(id);
      incidents.push({ id, dir, argument: arg.argument });
    }
  }
  return { incidents, notes };
}

/** Parse `i/n` with 1 <= i <= n; null when the text is not of that shape. */
export function parseShard(text: string): Shard | null {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) return null;
  return { index, count };
}

/**
 * FNV-1a (32-bit) over the id's UTF-8 bytes: a stable hash, the same on every machine and Node
 * version (unlike a hash of a Map's iteration order), cheap, and spreading short ids well enough
 * for a modulo split.
 */
export function stableHash32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The 1-based shard that owns an incident id among `count` shards. */
export function shardOfId(id: string, count: number): number {
  return (stableHash32(id) % count) + 1;
}

export function selectShard(incidents: PlannedIncident[], shard: Shard | null): PlannedIncident[] {
  if (!shard || shard.count === 1) return incidents;
  return incidents.filter((i) => shardOfId(i.id, shard.count) === shard.index);
}
