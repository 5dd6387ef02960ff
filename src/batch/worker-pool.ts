/**
 * A fixed pool of worker threads running incidents (src/batch/incident-worker.ts). Each worker takes
 * one job at a time; a worker that dies (out of memory, a native crash) fails only the job it held
 * and is replaced, so one incident never stops the others. Print requests from the workers go to the
 * one `print` function given (the batch's shared browser).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { PdfMeta, PrintResult } from "../render/pdf.js";
import type { IncidentJob, IncidentResult } from "./process-incident.js";
import type { FromWorker, ToWorker } from "./worker-messages.js";

/** The worker's module beside this one: .js when compiled, .ts when run through tsx (tests). */
const WORKER_URL = new URL(
  `./incident-worker${path.extname(fileURLToPath(import.meta.url))}`,
  import.meta.url,
);

/**
 * A worker thread does not inherit the main thread's module hooks, so under tsx (the tests) the
 * TypeScript worker is started by a bootstrap that registers tsx first. Compiled code needs none.
 */
function startWorker(): Worker {
  if (!WORKER_URL.pathname.endsWith(".ts")) return new Worker(WORKER_URL);
  const tsxApi = import.meta.resolve("tsx/esm/api");
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(bootstrap, { eval: true });
}

type Print = (html: string, meta: PdfMeta) => Promise<PrintResult>;

interface Task {
  job: IncidentJob;
  resolve: (r: IncidentResult) => void;
}

interface Slot {
  worker: Worker;
  busy: Task | null;
}

export class IncidentPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly print: Print | null,
  ) {}

  run(job: IncidentJob): Promise<IncidentResult> {
    return new Promise((resolve) => {
      this.queue.push({ job, resolve });
      this.pump();
    });
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startWorker(), busy: null };
    const post = (m: ToWorker): void => slot.worker.postMessage(m);
    slot.worker.on("message", (m: FromWorker) => {
      if (m.type === "print") {
        const print = this.print;
        if (!print) {
          post({ type: "print-failed", requestId: m.requestId, error: "no browser in this batch" });
          return;
        }
        print(m.html, m.meta).then(
          (r) =>
            post({ type: "printed", requestId: m.requestId, pdf: r.pdf, blockedRequests: r.blockedRequests }),
          (err: Error) => post({ type: "print-failed", requestId: m.requestId, error: err.message }),
        );
        return;
      }
      const task = slot.busy;
      slot.busy = null;
      task?.resolve(m.result);
      this.pump();
    });
    const fail = (why: string): void => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const task = slot.busy;
      slot.busy = null;
      if (task)
        task.resolve({
          status: "failed",
          id: task.job.id,
          outDir: task.job.outDir,
          error: `worker died: ${why}`,
        });
      this.pump();
    };
    slot.worker.on("error", (err) => fail(err.message));
    slot.worker.on("exit", (code) => {
      if (!this.closed) fail(`exit code ${code}`);
    });
    this.slots.push(slot);
    return slot;
  }

  private pump(): void {
    if (this.closed) return;
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.busy === null);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const task = this.queue.shift()!;
      slot.busy = task;
      slot.worker.postMessage({ type: "job", job: task.job } satisfies ToWorker);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
