/**
 * The memgap command line (DESIGN.md §2). Exit codes: 0 the report was written, whatever it
 * concludes; 1 nothing could be written; 2 usage error; 3 a --fail-on verdict was reached.
 * The process runs in UTC with a fixed locale so that output never depends on the machine.
 */
process.env.TZ = "UTC";

import { Command, CommanderError, Option } from "commander";
import { parseFormats, parsePaper, UsageError } from "./options.js";
import { runReportCommand } from "./report-command.js";
import { TOOL_VERSION } from "./version.js";

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command();
  program
    .name("memgap")
    .description("Offline report generator for Go memory incidents: why is RSS far above the Go heap?")
    .version(TOOL_VERSION)
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command("report")
    .description(
      "turn one incident's capture directory into report.html, report.pdf, report.json and report.md",
    )
    .argument("<incident-dir>", "directory of captures (heap debug=1 snapshots, RSS logs, gctrace, ...)")
    .option("--out <dir>", "output directory (default: out/<incident-id>/)")
    .addOption(
      new Option("--format <list>", "comma-separated outputs: html,pdf,json,md").default("html,pdf,json,md"),
    )
    .option("--tz <zone>", "IANA time zone for timestamps that carry none (default: UTC)")
    .option("--go-version <version>", "Go version of the process, e.g. 1.14.2 (overrides incident.yaml)")
    .option("--kernel <version>", "Linux kernel version, e.g. 5.4.0")
    .option("--godebug <settings>", "GODEBUG of the process, e.g. madvdontneed=0")
    .option("--paper <size>", "PDF paper size: a4 or letter", "a4")
    .action(async (dir: string, opts: Record<string, string | undefined>) => {
      const res = await runReportCommand(
        dir,
        {
          out: opts.out,
          formats: parseFormats(opts.format ?? "html,pdf,json,md"),
          paper: parsePaper(opts.paper ?? "a4"),
          tz: opts.tz,
          goVersion: opts.goVersion,
          kernel: opts.kernel,
          godebug: opts.godebug,
        },
        process.env,
      );
      process.stdout.write(`${res.verdict}: ${res.headline}\n`);
      for (const f of res.written) process.stdout.write(`wrote ${f}\n`);
      for (const n of res.notes) process.stderr.write(`memgap: ${n}\n`);
      exitCode = res.written.length > 0 ? 0 : 1;
    });

  program
    .command("batch")
    .description(
      "many incident directories (or globs) to their reports, in parallel, plus index.html and summary.json",
    )
    .argument("<dirs...>", "incident directories or glob patterns matching them")
    .option("--out <dir>", "output root: <dir>/<incident-id>/, <dir>/index.html, <dir>/summary.json", "out")
    .option("--concurrency <n>", "incidents processed in parallel (default: the number of cores)")
    .addOption(
      new Option("--format <list>", "comma-separated outputs: html,pdf,json,md").default("html,pdf,json,md"),
    )
    .option("--fail-on <list>", "exit 3 when a report reaches one of these verdict classes or severities")
    .option("--force", "re-run incidents whose inputs, tool version and options are unchanged")
    .option("--shard <i/n>", "process only share i of n (1-based; stable hash of the incident id)")
    .option("--tz <zone>", "IANA time zone for timestamps that carry none (default: UTC)")
    .option("--go-version <version>", "Go version of the processes, e.g. 1.14.2")
    .option("--kernel <version>", "Linux kernel version, e.g. 5.4.0")
    .option("--godebug <settings>", "GODEBUG of the processes, e.g. madvdontneed=0")
    .option("--paper <size>", "PDF paper size: a4 or letter", "a4")
    .action(async (dirs: string[], opts: Record<string, string | boolean | undefined>) => {
      // Loaded on demand: `memgap report` does not pay for the batch modules.
      const { runBatchCommand } = await import("./batch-command.js");
      const str = (k: string): string | undefined => (typeof opts[k] === "string" ? opts[k] : undefined);
      const { outcome, exitCode: code } = await runBatchCommand(
        dirs,
        {
          out: str("out"),
          formats: parseFormats(str("format") ?? "html,pdf,json,md"),
          paper: parsePaper(str("paper") ?? "a4"),
          concurrency: str("concurrency"),
          failOn: str("failOn"),
          force: opts.force === true,
          shard: str("shard"),
          tz: str("tz"),
          goVersion: str("goVersion"),
          kernel: str("kernel"),
          godebug: str("godebug"),
        },
        process.env,
      );
      const c = outcome.summary.counts;
      process.stdout.write(
        `${c.total} incidents: ${c.ok} written, ${c.skipped} unchanged, ${c.failed} failed\n`,
      );
      for (const e of outcome.summary.incidents)
        if (e.status === "failed") process.stdout.write(`failed ${e.id}: ${e.error}\n`);
      for (const h of outcome.failOnHits) process.stdout.write(`fail-on ${h.id}: ${h.matched.join(", ")}\n`);
      for (const f of outcome.written) process.stdout.write(`wrote ${f}\n`);
      for (const n of outcome.notes) process.stderr.write(`memgap: ${n}\n`);
      exitCode = code;
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.exitCode === 0)
        return 0;
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`memgap: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`memgap: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
