/**
 * `memgap batch <dir|glob>...`: every incident directory to its reports, plus out/index.html and
 * out/summary.json (DESIGN.md §2). Exit codes: 0 every incident written or unchanged; 1 an incident
 * failed (nothing written for it; the others were); 2 usage; 3 a --fail-on class or severity was
 * reached (takes precedence over 1, since it is what a CI gate asks about).
 */
import { parseFailOn } from "../batch/fail-on.js";
import { parseShard } from "../batch/plan.js";
import { progressFor, type ProgressReporter } from "../batch/progress.js";
import { defaultConcurrency, runBatch, type BatchOutcome } from "../batch/run-batch.js";
import type { OutputFormat } from "../render/write-report.js";
import { runOptionsFrom, UsageError, type CommonFlags } from "./options.js";

export interface BatchFlags extends CommonFlags {
  out?: string;
  formats: OutputFormat[];
  paper: "a4" | "letter";
  concurrency?: string;
  failOn?: string;
  force?: boolean;
  shard?: string;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_FAIL_ON = 3;

export function parseConcurrency(text: string | undefined): number {
  if (text === undefined) return defaultConcurrency();
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`--concurrency takes a whole number >= 1 (got ${JSON.stringify(text)})`);
  return Number(text);
}

export async function runBatchCommand(
  args: string[],
  flags: BatchFlags,
  env: NodeJS.ProcessEnv,
  progress: ProgressReporter = progressFor(process.stderr),
): Promise<{ outcome: BatchOutcome; exitCode: number }> {
  if (args.length === 0) throw new UsageError("memgap batch takes one or more incident directories or globs");
  const shard = flags.shard === undefined ? null : parseShard(flags.shard);
  if (flags.shard !== undefined && !shard)
    throw new UsageError(`--shard takes i/n with 1 <= i <= n, e.g. 2/4 (got ${JSON.stringify(flags.shard)})`);
  const failOn = flags.failOn === undefined ? null : parseFailOn(flags.failOn);
  const concurrency = parseConcurrency(flags.concurrency);
  const options = runOptionsFrom(flags, env);
  const outcome = await runBatch({
    args,
    outRoot: flags.out ?? "out",
    formats: flags.formats,
    paper: flags.paper,
    concurrency,
    force: Boolean(flags.force),
    shard,
    failOn,
    options,
    env,
    progress,
  });
  const exitCode =
    outcome.failOnHits.length > 0 ? EXIT_FAIL_ON : outcome.summary.counts.failed > 0 ? EXIT_FAILED : EXIT_OK;
  return { outcome, exitCode };
}
