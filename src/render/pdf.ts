/**
 * HTML -> PDF through puppeteer and a system Chromium: the only file that imports puppeteer.
 *
 * The browser is found, never downloaded: PUPPETEER_EXECUTABLE_PATH, then a system Chromium or
 * Chrome, then puppeteer's own cache. While printing, JavaScript is off and every request the page
 * attempts is aborted and counted (the report is self-contained, so the count should be zero).
 * One browser can print many reports (batch); each report gets its own page.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { Browser, LaunchOptions, Page } from "puppeteer";

/** The two entry points memgap uses (puppeteer's named exports, the same in its ESM and CJS builds). */
interface Puppeteer {
  launch(options: LaunchOptions): Promise<Browser>;
  executablePath(): string;
}

/**
 * puppeteer is loaded on first use, not at import: it costs a quarter of a second of module loading,
 * which `memgap report --format json` (and every run without PDF) must not pay.
 */
let puppeteerModule: Promise<Puppeteer> | null = null;
function loadPuppeteer(): Promise<Puppeteer> {
  puppeteerModule ??= import("puppeteer").then((m) => ({
    launch: (options: LaunchOptions) => m.launch(options),
    executablePath: () => m.executablePath(),
  }));
  return puppeteerModule;
}

const SYSTEM_BROWSERS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/lib/chromium/chromium",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

export const INSTALL_HINT =
  "no Chromium or Chrome found: install one (Debian/Ubuntu: `apt-get install -y chromium`) or set PUPPETEER_EXECUTABLE_PATH; HTML, JSON and Markdown were written";

/** The browser executable to use, or null when there is none on this machine. */
export function findBrowser(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env.PUPPETEER_EXECUTABLE_PATH;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const p of SYSTEM_BROWSERS) if (existsSync(p)) return p;
  try {
    // synchronous, and only when no system browser exists: puppeteer's CommonJS build
    const puppeteer = createRequire(import.meta.url)("puppeteer") as Puppeteer;
    const own = puppeteer.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // puppeteer has no browser of its own here (downloads are skipped by .puppeteerrc.cjs)
  }
  return null;
}

export interface PdfMeta {
  title: string;
  /** running header text: incident and verdict */
  header: string;
  paper: "a4" | "letter";
}

export interface PrintResult {
  pdf: Uint8Array;
  /** requests the page attempted while printing; all were aborted */
  blockedRequests: string[];
}

/** Escape text for the header/footer templates, which Chromium renders as HTML. */
function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/**
 * One print attempt may not take longer than this. A report prints in a second or two; Chromium that
 * has not answered in a minute is hung (a wedged renderer, a GPU process stuck at start), not slow.
 */
export const PRINT_TIMEOUT_MS = 60_000;

/** A print that failed or hung is tried once more, on a fresh browser; then the report fails. */
export const PRINT_ATTEMPTS = 2;

/** What writeReport needs of a printer: PdfPrinter, or the batch worker's proxy to the shared one. */
export interface ReportPrinter {
  print(html: string, meta: PdfMeta): Promise<PrintResult>;
}

/** A printer that can give up on its browser: the next attempt starts a fresh one. */
export interface RecoverablePrinter {
  /** one attempt, with no retry */
  printOnce(html: string, meta: PdfMeta, timeoutMs: number): Promise<PrintResult>;
  /** drop (and kill) the current browser after a crash or hang; the next printOnce launches anew */
  discard(reason: string): Promise<void>;
}

/**
 * Remove a browser profile directory. A Chromium that was just killed may still have children
 * writing into it for a moment: retried, and never an error (a leftover temp directory is harmless).
 */
function removeProfile(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  } catch {
    // left in the temp directory
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms (hung?)`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Print with recovery: each attempt is bounded by `timeoutMs`; after a failure (Chromium crashed,
 * disconnected or hung) the browser is discarded and the print tried once more on a fresh one. A
 * second failure rejects with both reasons, so the caller records why this report has no PDF.
 */
export async function printRecovering(
  printer: RecoverablePrinter,
  html: string,
  meta: PdfMeta,
  timeoutMs = PRINT_TIMEOUT_MS,
): Promise<PrintResult> {
  const reasons: string[] = [];
  for (let attempt = 1; attempt <= PRINT_ATTEMPTS; attempt++) {
    try {
      return await withTimeout(printer.printOnce(html, meta, timeoutMs), timeoutMs, "PDF print");
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      reasons.push(reason);
      await printer.discard(reason).catch(() => undefined);
    }
  }
  throw new Error(`PDF printing failed ${PRINT_ATTEMPTS} times: ${reasons.join("; then: ")}`);
}

export class PdfPrinter implements ReportPrinter, RecoverablePrinter {
  private browser: Browser | null = null;
  /** the launch in flight or done: concurrent first prints share it instead of each launching */
  private launching: Promise<Browser> | null = null;
  private userDataDir: string | null = null;
  /**
   * A page opened by open() while the caller still works: the first print takes it instead of
   * opening its own (a new page is about a tenth of a second). null when none is waiting.
   */
  private spare: Promise<Page | null> | null = null;
  /** browsers started by this printer (1 unless one crashed or hung and was replaced) */
  launches = 0;

  constructor(private readonly executablePath: string) {}

  /** Start the browser (and a first page) now, so that a later print does not wait for them. */
  open(): Promise<void> {
    this.launching ??= this.launch();
    this.spare ??= this.launching.then((b) => b.newPage()).catch(() => null);
    return this.launching.then(() => undefined);
  }

  private async launch(): Promise<Browser> {
    const puppeteer = await loadPuppeteer();
    const userDataDir = mkdtempSync(path.join(os.tmpdir(), "memgap-chromium-"));
    this.userDataDir = userDataDir;
    this.launches++;
    let browser: Browser;
    try {
      browser = await puppeteer.launch({
        executablePath: this.executablePath,
        headless: true,
        userDataDir,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-extensions",
          "--disable-default-apps",
          "--no-first-run",
          "--no-default-browser-check",
          "--metrics-recording-only",
          "--disable-domain-reliability",
          "--disable-quic",
        ],
      });
    } catch (err) {
      // a failed launch is not kept: the next print tries again
      this.launching = null;
      removeProfile(userDataDir);
      throw err;
    }
    this.browser = browser;
    // Chromium crashed or was killed: forget it, so that the next print launches a new one.
    browser.once("disconnected", () => {
      if (this.browser !== browser) return;
      this.browser = null;
      this.launching = null;
      removeProfile(userDataDir);
    });
    return browser;
  }

  /** One attempt; a hang or a crash is retried once on a fresh browser (printRecovering). */
  print(html: string, meta: PdfMeta, timeoutMs = PRINT_TIMEOUT_MS): Promise<PrintResult> {
    return printRecovering(this, html, meta, timeoutMs);
  }

  async printOnce(html: string, meta: PdfMeta, timeoutMs = PRINT_TIMEOUT_MS): Promise<PrintResult> {
    this.launching ??= this.launch();
    const browser = await this.launching;
    // taken and cleared with no await between: two prints in flight never share the spare page
    const spare = this.spare;
    this.spare = null;
    const ready = spare ? await spare : null;
    const page = ready && ready.browser() === browser && !ready.isClosed() ? ready : await browser.newPage();
    const blockedRequests: string[] = [];
    try {
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
      page.on("request", (req) => {
        blockedRequests.push(req.url());
        void req.abort("blockedbyclient").catch(() => undefined);
      });
      await page.setContent(html, { waitUntil: "load", timeout: timeoutMs });
      await page.emulateMediaType("print");
      const pdf = await page.pdf({
        format: meta.paper === "letter" ? "Letter" : "A4",
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: `<div style="font-family: 'DejaVu Sans', sans-serif; font-size: 7pt; color: #5b636e; width: 100%; padding: 0 14mm; display: flex; justify-content: space-between;"><span>${escapeHtml(meta.header)}</span><span>memgap</span></div>`,
        footerTemplate: `<div style="font-family: 'DejaVu Sans', sans-serif; font-size: 7pt; color: #5b636e; width: 100%; padding: 0 14mm; text-align: right;">page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
        margin: { top: "18mm", bottom: "16mm", left: "14mm", right: "14mm" },
        // the template's @page size follows --paper too; the CSS wins so screen-print and PDF agree
        preferCSSPageSize: true,
        tagged: true,
        outline: true,
        timeout: timeoutMs,
      });
      return { pdf, blockedRequests };
    } finally {
      await page.close().catch(() => undefined);
    }
  }

  /** The browser crashed or hung: kill it (a hung one answers no close()), the next print relaunches. */
  async discard(_reason: string): Promise<void> {
    const launching = this.launching;
    this.launching = null;
    this.spare = null;
    // a launch that itself hangs is not waited for: puppeteer's own launch timeout ends it
    const b =
      this.browser ??
      (launching ? await withTimeout(launching, 5000, "launching Chromium").catch(() => null) : null);
    this.browser = null;
    if (b) {
      b.process()?.kill("SIGKILL");
      await withTimeout(b.close(), 5000, "closing Chromium").catch(() => undefined);
    }
    if (this.userDataDir) removeProfile(this.userDataDir);
    this.userDataDir = null;
  }

  /** The Chromium process id, for tests that crash it on purpose; null before the first launch. */
  browserPid(): number | null {
    return this.browser?.process()?.pid ?? null;
  }

  async close(): Promise<void> {
    const launching = this.launching;
    this.launching = null;
    // a spare page still opening ends with the browser (its promise settles to null)
    this.spare = null;
    const b = this.browser ?? (await launching?.catch(() => null)) ?? null;
    this.browser = null;
    if (b) await b.close().catch(() => undefined);
    if (this.userDataDir) removeProfile(this.userDataDir);
    this.userDataDir = null;
  }
}
