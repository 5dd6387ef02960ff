/**
 * Process restarts (DESIGN.md §5).
 *
 * Method: each series votes for restart intervals independently: a PID change between two
 * consecutive samples that name a PID, or a monotonic counter falling between two consecutive
 * MemStats snapshots (TotalAlloc, Mallocs, NumGC, MaxRSS only grow within a process), or the
 * gctrace GC number or `@secs` offset falling. Each vote is an interval (last sample of the old
 * process, first sample of the new one]. Overlapping votes are one restart, placed at the first
 * sample of the new lifetime: the earliest sample of any series after every old sample of the group.
 */
import type { GcEvent, MemStatsSample, RssSample, SourceRef } from "../model/capture.js";
import type { Restart } from "../model/timeline.js";

interface Vote {
  lastOld: number;
  firstNew: number;
  reason: string;
  fromPid: number | null;
  toPid: number | null;
  src: SourceRef;
}

const COUNTERS = ["TotalAlloc", "Mallocs", "NumGC", "MaxRSS"] as const;

function counterVotes(memstats: MemStatsSample[]): Vote[] {
  const votes: Vote[] = [];
  for (let i = 1; i < memstats.length; i++) {
    const a = memstats[i - 1]!;
    const b = memstats[i]!;
    const fell = COUNTERS.filter((c) => {
      const va = a.ms[c];
      const vb = b.ms[c];
      return va !== undefined && vb !== undefined && vb < va;
    });
    // Two counters falling together is a new process; one alone could be a mis-ordered stamp, unless
    // it is the only counter the source has.
    const available = COUNTERS.filter((c) => a.ms[c] !== undefined && b.ms[c] !== undefined).length;
    if (fell.length >= Math.min(2, available) && fell.length > 0) {
      votes.push({
        lastOld: a.t,
        firstNew: b.t,
        reason: `${fell.join(", ")} fell (${fell.map((c) => `${c} ${a.ms[c]} -> ${b.ms[c]}`).join("; ")})`,
        fromPid: a.pid ?? null,
        toPid: b.pid ?? null,
        src: b.src,
      });
    }
  }
  return votes;
}

function pidVotes(samples: { t: number; pid?: number; src: SourceRef }[], what: string): Vote[] {
  const votes: Vote[] = [];
  let prev: { t: number; pid?: number; src: SourceRef } | null = null;
  for (const s of samples) {
    if (s.pid === undefined) continue;
    if (prev && prev.pid !== s.pid) {
      votes.push({
        lastOld: prev.t,
        firstNew: s.t,
        reason: `PID changed ${prev.pid} -> ${s.pid} (${what})`,
        fromPid: prev.pid ?? null,
        toPid: s.pid,
        src: s.src,
      });
    }
    prev = s;
  }
  return votes;
}

function gcVotes(gc: (GcEvent & { t: number })[]): Vote[] {
  const votes: Vote[] = [];
  for (let i = 1; i < gc.length; i++) {
    const a = gc[i - 1]!;
    const b = gc[i]!;
    if (b.src.path !== a.src.path) continue;
    if (b.gcNum < a.gcNum || b.offsetSec < a.offsetSec) {
      votes.push({
        lastOld: a.t,
        firstNew: b.t,
        reason: `gctrace restarted (gc ${a.gcNum} @${a.offsetSec}s -> gc ${b.gcNum} @${b.offsetSec}s)`,
        fromPid: null,
        toPid: null,
        src: b.src,
      });
    }
  }
  return votes;
}

export interface RestartInput {
  memstats: MemStatsSample[];
  rss: RssSample[];
  gc: (GcEvent & { t: number })[];
}

export function detectRestarts(input: RestartInput): { restarts: Restart[]; boundaries: number[] } {
  const votes = [
    ...counterVotes(input.memstats),
    ...pidVotes(input.rss, "RSS log"),
    ...pidVotes(input.memstats, "snapshots"),
    ...gcVotes(input.gc),
  ];
  votes.sort((a, b) => a.lastOld - b.lastOld || a.firstNew - b.firstNew);
  const groups: Vote[][] = [];
  for (const v of votes) {
    const g = groups[groups.length - 1];
    // Votes whose intervals overlap describe the same restart.
    if (g && v.lastOld < Math.min(...g.map((x) => x.firstNew))) g.push(v);
    else groups.push([v]);
  }
  const allTimes = [
    ...input.memstats.map((s) => s.t),
    ...input.rss.map((s) => s.t),
    ...input.gc.map((e) => e.t),
  ].sort((a, b) => a - b);
  const restarts: Restart[] = [];
  for (const g of groups) {
    const lastOld = Math.max(...g.map((v) => v.lastOld));
    const firstNewVote = Math.min(...g.map((v) => v.firstNew));
    const first = allTimes.find((t) => t > lastOld) ?? firstNewVote;
    const at = Math.min(first, firstNewVote);
    const pidVote = g.find((v) => v.toPid !== null);
    const src = (g.find((v) => v.firstNew === at) ?? g[0]!).src;
    restarts.push({
      at,
      reason: [...new Set(g.map((v) => v.reason))].join("; "),
      fromPid: pidVote?.fromPid ?? null,
      toPid: pidVote?.toPid ?? null,
      src,
    });
  }
  return { restarts, boundaries: restarts.map((r) => r.at) };
}
