/**
 * Batch progress on stderr: a bar (cli-progress, imported here only) when stderr is a terminal,
 * plain one-line-per-incident messages otherwise (CI logs, pipes), so logs stay readable.
 */
import cliProgress from "cli-progress";

export interface ProgressReporter {
  start(total: number): void;
  /** one incident done: its id and what happened to it */
  done(id: string, status: "ok" | "failed" | "skipped", detail: string): void;
  stop(): void;
}

export function plainProgress(stream: NodeJS.WritableStream): ProgressReporter {
  let total = 0;
  let n = 0;
  return {
    start(t) {
      total = t;
      stream.write(`memgap batch: ${t} incident${t === 1 ? "" : "s"}\n`);
    },
    done(id, status, detail) {
      n++;
      stream.write(`[${n}/${total}] ${id}: ${status}${detail ? ` (${detail})` : ""}\n`);
    },
    stop() {},
  };
}

export function barProgress(stream: NodeJS.WritableStream): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: "memgap batch [{bar}] {value}/{total} {last}",
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const failures: string[] = [];
  return {
    start(total) {
      bar.start(total, 0, { last: "" });
    },
    done(id, status, detail) {
      if (status === "failed") failures.push(`${id}: failed (${detail})`);
      bar.increment(1, { last: `${id}: ${status}` });
    },
    stop() {
      bar.stop();
      for (const f of failures) stream.write(`${f}\n`);
    },
  };
}

/** The bar on a terminal, plain lines elsewhere. */
export function progressFor(stream: NodeJS.WriteStream): ProgressReporter {
  return stream.isTTY ? barProgress(stream) : plainProgress(stream);
}
