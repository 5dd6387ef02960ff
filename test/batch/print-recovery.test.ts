/**
 * Chromium crashing or hanging in a batch: a print that fails or hangs is retried once on a fresh
 * browser; a second failure records that incident as failed with the reason, and the batch goes on.
 * The printers here are fakes that hang or crash on cue (the real browser is covered below by
 * killing it between prints); the incidents are copies of real samples.
 */
import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { runBatch } from "../../src/batch/run-batch.js";
import type { ProgressReporter } from "../../src/batch/progress.js";
import type { RunOptions } from "../../src/model/options.js";
import {
  findBrowser,
  PdfPrinter,
  printRecovering,
  type PdfMeta,
  type PrintResult,
  type RecoverablePrinter,
} from "../../src/render/pdf.js";
import { sample } from "../helpers/paths.js";

const SAMPLES = ["retention-plateau", "heap-leak", "restart-leak"];
const OPTIONS: RunOptions = {
  zone: "UTC",
  zoneExplicit: false,
  goVersion: null,
  kernel: null,
  godebug: null,
  generatedAt: "2026-01-01T00:00:00.000Z",
  toolVersion: "test",
};
const FAKE_PDF = new Uint8Array(Buffer.from("%PDF-1.7 fake\n", "latin1"));

function silent(): ProgressReporter {
  return { start: () => undefined, done: () => undefined, stop: () => undefined };
}

/**
 * A printer that misbehaves for the reports whose title matches `victim`: "hang" never answers,
 * "crash" rejects as puppeteer does when the browser dies; `times` is how many attempts misbehave.
 */
class FlakyPrinter implements RecoverablePrinter {
  discarded: string[] = [];
  attempts = new Map<string, number>();
  closed = false;

  constructor(
    private readonly victim: string,
    private readonly mode: "hang" | "crash",
    private readonly times: number,
  ) {}

  printOnce(_html: string, meta: PdfMeta): Promise<PrintResult> {
    const n = (this.attempts.get(meta.title) ?? 0) + 1;
    this.attempts.set(meta.title, n);
    if (meta.title.includes(this.victim) && n <= this.times) {
      if (this.mode === "hang") return new Promise<PrintResult>(() => undefined);
      return Promise.reject(new Error("Protocol error: Target closed (browser disconnected)"));
    }
    return Promise.resolve({ pdf: FAKE_PDF, blockedRequests: [] });
  }

  discard(reason: string): Promise<void> {
    this.discarded.push(reason);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

let work: string;
let inputs: string;

before(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "memgap-print-recovery-"));
  inputs = path.join(work, "in");
  await mkdir(inputs);
  for (const s of SAMPLES) await cp(sample(s), path.join(inputs, s), { recursive: true });
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

async function batchWith(printer: FlakyPrinter, out: string) {
  return runBatch({
    args: SAMPLES.map((s) => path.join(inputs, s)),
    outRoot: out,
    formats: ["json", "pdf"],
    paper: "a4",
    concurrency: 2,
    force: true,
    shard: null,
    failOn: null,
    options: OPTIONS,
    env: {},
    progress: silent(),
    printer,
    printTimeoutMs: 1500,
  });
}

test("a print that hangs twice fails only its incident, with the reason; the others get their PDF", async () => {
  const printer = new FlakyPrinter("heap-leak", "hang", 2);
  const out = path.join(work, "out-hang");
  const res = await batchWith(printer, out);
  const byId = new Map(res.summary.incidents.map((e) => [e.id, e]));
  const failed = byId.get("heap-leak")!;
  assert.equal(failed.status, "failed");
  assert.match(failed.error ?? "", /PDF printing failed 2 times: .*did not finish within 1500 ms/);
  for (const id of ["retention-plateau", "restart-leak"]) {
    assert.equal(byId.get(id)!.status, "ok", `${id}: ${byId.get(id)!.error}`);
    const pdf = await readFile(path.join(out, id, "report.pdf"));
    assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
  }
  // the hung browser was given up twice (once per attempt), then the printer closed
  assert.equal(printer.discarded.length, 2);
  assert.ok(printer.closed);
  await assert.rejects(stat(path.join(out, "heap-leak", "report.pdf")));
});

test("a browser that crashes once is replaced and the print retried: every incident ok", async () => {
  const printer = new FlakyPrinter("restart-leak", "crash", 1);
  const out = path.join(work, "out-crash");
  const res = await batchWith(printer, out);
  assert.deepEqual(res.summary.counts, { total: 3, ok: 3, skipped: 0, failed: 0 });
  assert.equal(printer.discarded.length, 1);
  assert.match(printer.discarded[0]!, /Target closed/);
  const retried = [...printer.attempts].find(([title]) => title.includes("restart-leak"));
  assert.equal(retried?.[1], 2);
});

test("printRecovering gives up after two attempts and names both reasons", async () => {
  const printer = new FlakyPrinter("x", "crash", 5);
  await assert.rejects(
    printRecovering(printer, "<p>x</p>", { title: "x", header: "x", paper: "a4" }, 1000),
    /PDF printing failed 2 times: Protocol error.*; then: Protocol error/,
  );
  assert.equal(printer.attempts.get("x"), 2);
});

test("PdfPrinter: Chromium killed between prints is relaunched; concurrent first prints share one launch", async () => {
  const exe = findBrowser();
  assert.ok(exe, "a Chromium is needed for PDF (apt-get install -y chromium)");
  const printer = new PdfPrinter(exe);
  const meta: PdfMeta = { title: "probe", header: "probe", paper: "a4" };
  try {
    const [a, b] = await Promise.all([printer.print("<p>one</p>", meta), printer.print("<p>two</p>", meta)]);
    assert.equal(Buffer.from(a.pdf).subarray(0, 5).toString("latin1"), "%PDF-");
    assert.equal(Buffer.from(b.pdf).subarray(0, 5).toString("latin1"), "%PDF-");
    assert.equal(printer.launches, 1, "two concurrent first prints launched one browser");
    const pid = printer.browserPid();
    assert.ok(pid);
    process.kill(pid, "SIGKILL");
    const c = await printer.print("<p>three</p>", meta);
    assert.equal(Buffer.from(c.pdf).subarray(0, 5).toString("latin1"), "%PDF-");
    assert.equal(printer.launches, 2, "the killed browser was replaced by one new launch");
  } finally {
    await printer.close();
  }
});
