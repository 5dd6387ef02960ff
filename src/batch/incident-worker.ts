/**
 * A batch worker thread: receives incident jobs one at a time and answers with their results. The
 * pipeline is synchronous JavaScript for most of its time, so incidents run truly in parallel only in
 * separate threads; each thread loads the modules once and then serves many incidents.
 *
 * PDFs are printed by the batch's one browser in the main thread: the worker hands writeReport a
 * printer whose print() sends the HTML there and waits for the PDF bytes, so the reports are written
 * by exactly the code `memgap report` uses.
 */
import { parentPort } from "node:worker_threads";
import type { PdfMeta, PrintResult, ReportPrinter } from "../render/pdf.js";
import { processIncident } from "./process-incident.js";
import type { FromWorker, ToWorker } from "./worker-messages.js";

// The process runs in UTC whatever the machine says (as src/cli/main.ts does for the main thread).
process.env.TZ = "UTC";

if (!parentPort) throw new Error("incident-worker runs as a worker thread");
const port = parentPort;
const send = (m: FromWorker): void => port.postMessage(m);

const pending = new Map<number, { resolve: (r: PrintResult) => void; reject: (e: Error) => void }>();
let nextRequest = 1;

/** The part of PdfPrinter that writeReport uses, forwarded to the main thread's shared browser. */
const remotePrinter: ReportPrinter = {
  print(html: string, meta: PdfMeta): Promise<PrintResult> {
    const requestId = nextRequest++;
    return new Promise<PrintResult>((resolve, reject) => {
      pending.set(requestId, { resolve, reject });
      send({ type: "print", requestId, html, meta });
    });
  },
};

port.on("message", (m: ToWorker) => {
  if (m.type === "job") {
    // writeReport only calls print(); PdfPrinter's other members (open, close) stay in the main thread.
    void processIncident(m.job, remotePrinter).then((result) => send({ type: "result", result }));
    return;
  }
  const p = pending.get(m.requestId);
  if (!p) return;
  pending.delete(m.requestId);
  if (m.type === "printed") p.resolve({ pdf: m.pdf, blockedRequests: m.blockedRequests });
  else p.reject(new Error(m.error));
});
