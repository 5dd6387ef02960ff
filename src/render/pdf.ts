/**
 * HTML -> PDF through puppeteer and a system Chromium: the only file that imports puppeteer.
 *
 * The browser is found, never downloaded: PUPPETEER_EXECUTABLE_PATH, then a system Chromium or
 * Chrome, then puppeteer's own cache. While printing, JavaScript is off and every request the page
 * or any frame in it attempts is aborted and counted (the report is self-contained, so the count
 * should be zero). One browser can print many reports (batch); each report gets its own page.
 *
 * memgap starts Chromium itself (with the flags puppeteer's launch used, and --remote-debugging-pipe)
 * and only then loads puppeteer, which connects over that pipe (pipe-transport.ts) and does all the
 * protocol work: pages, request interception, printing. Through puppeteer.launch(), puppeteer's module
 * loading (a tenth of a second or more) came before the browser's start instead of overlapping it.
 * The profile and the process group are memgap's, so closing kills the group at once rather than
 * waiting for a polite shutdown.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Readable, Writable } from "node:stream";
import type { Browser, ConnectOptions, Page } from "puppeteer";
import { PipeTransport } from "./pipe-transport.js";

/** What memgap uses of puppeteer: connect (the browser is memgap's) and where its own browser would be. */
interface PuppeteerConnect {
  connect(options: ConnectOptions): Promise<Browser>;
}
interface PuppeteerExecutable {
  executablePath(): string;
}

/**
 * puppeteer's connect-only entry: the same Browser and Page as `import("puppeteer")`, without its
 * launcher, browser downloader and configuration loader, which memgap does not use (it starts the
 * browser itself) and which make up half of puppeteer's module loading (about 110 ms of CPU against
 * 50 ms, on the main thread while the report is being built). puppeteer's own tests use this entry
 * to connect with a custom transport. It is resolved through puppeteer's own dependency on
 * puppeteer-core, so it is the version puppeteer itself runs with.
 */
const PUPPETEER_CONNECT_ENTRY = "puppeteer-core/lib/esm/puppeteer/puppeteer-core-browser.js";

/**
 * puppeteer is loaded on first use, not at import: `memgap report --format json` (and every run
 * without PDF) must not pay for it.
 */
let puppeteerModule: Promise<PuppeteerConnect> | null = null;
function loadPuppeteer(): Promise<PuppeteerConnect> {
  puppeteerModule ??= (async () => {
    let entry: string;
    try {
      const fromPuppeteer = createRequire(createRequire(import.meta.url).resolve("puppeteer"));
      entry = pathToFileURL(fromPuppeteer.resolve(PUPPETEER_CONNECT_ENTRY)).href;
    } catch {
      // a puppeteer laid out otherwise: its full entry has the same connect
      entry = "puppeteer";
    }
    const m = (await import(entry)) as PuppeteerConnect;
    return { connect: (options: ConnectOptions) => m.connect(options) };
  })();
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
    const puppeteer = createRequire(import.meta.url)("puppeteer") as PuppeteerExecutable;
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
 * Remove a browser profile directory, and the directory of Chromium's singleton socket: Chromium puts
 * the socket in a directory of its own in the temp directory (org.chromium.Chromium.XXXXXX), links it
 * from the profile as SingletonSocket, and removes it only when it shuts down politely, so a killed
 * browser would leave one behind per run. That directory is removed only when it holds nothing but
 * the socket and its cookie. A Chromium that was just killed may still have children writing into the profile for a
 * moment: retried, and never an error (a leftover temp directory is harmless).
 */
function removeProfile(dir: string): void {
  try {
    const socketDir = path.dirname(readlinkSync(path.join(dir, "SingletonSocket")));
    const singleton = new Set(["SingletonSocket", "SingletonCookie"]);
    if (path.isAbsolute(socketDir) && readdirSync(socketDir).every((n) => singleton.has(n)))
      rmSync(socketDir, { recursive: true, force: true });
  } catch {
    // no singleton socket (not started far enough), or not ours to remove
  }
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

/**
 * The flags memgap starts Chromium with. The first group is what puppeteer 24's launch() passes by
 * default (memgap launched through it before, and the PDF must not change: tagged PDF, the document
 * outline and the sRGB colour profile are among them); the second is memgap's own, for a browser that
 * only ever prints one local page: no sandbox (often unavailable in containers), no GPU, no network
 * service of its own (update checks, sync, domain reliability, QUIC).
 */
const CHROMIUM_ARGS = [
  "--allow-pre-commit-input",
  "--disable-background-networking",
  "--disable-background-timer-throttling",
  "--disable-backgrounding-occluded-windows",
  "--disable-breakpad",
  "--disable-client-side-phishing-detection",
  "--disable-component-extensions-with-background-pages",
  "--disable-crash-reporter",
  "--disable-default-apps",
  "--disable-dev-shm-usage",
  "--disable-hang-monitor",
  "--disable-infobars",
  "--disable-ipc-flooding-protection",
  "--disable-popup-blocking",
  "--disable-prompt-on-repost",
  "--disable-renderer-backgrounding",
  "--disable-search-engine-choice-screen",
  "--disable-sync",
  "--enable-automation",
  "--export-tagged-pdf",
  "--force-color-profile=srgb",
  "--generate-pdf-document-outline",
  "--metrics-recording-only",
  "--no-first-run",
  "--password-store=basic",
  "--use-mock-keychain",
  // Chromium keeps only the last --disable-features, so puppeteer's list and memgap's are one flag.
  // memgap's: recent Chromium preloads the omnibox popups (chrome://omnibox-popup.top-chrome/) even
  // headless, a WebUI renderer costing about 0.4 s of CPU at every start for a toolbar no headless
  // browser shows. A feature name a Chromium version does not know is ignored.
  `--disable-features=${[
    ...["Translate", "AcceptCHFrame", "MediaRouter", "OptimizationHints", "WebUIReloadButton"],
    ...["ProcessPerSiteUpToMainFrameThreshold", "IsolateSandboxedIframes"],
    ...["WebUIOmniboxPopup", "WebUIOmniboxAimPopup"],
  ].join(",")}`,
  "--enable-features=PdfOopif",
  "--headless=new",
  "--hide-scrollbars",
  "--mute-audio",
  "--disable-extensions",

  "--no-sandbox",
  "--disable-gpu",
  "--disable-component-update",
  "--no-default-browser-check",
  "--disable-domain-reliability",
  "--disable-quic",
];

/**
 * Chromium answers its first command within a second of starting; one that has not answered in 30 s
 * (puppeteer's launch bound) is stuck: a missing library prompt, a wedged profile lock.
 */
export const LAUNCH_TIMEOUT_MS = 30_000;

/** A browser that does not exit within this after SIGKILL is not waited for any longer. */
const EXIT_WAIT_MS = 5_000;

/** A started Chromium and puppeteer's connection to it. */
interface Chromium {
  child: ChildProcess;
  transport: PipeTransport;
  /**
   * puppeteer's Browser once connected. Still connecting when the launch resolves (Chromium has
   * answered, so it runs): the first print waits for it, while the caller's own work goes on meanwhile.
   */
  browser: Promise<Browser>;
  userDataDir: string;
  /** settles when the browser process has exited */
  exited: Promise<void>;
}

/** Browsers this process started and has not seen exit: killed when the process exits, whatever the path. */
const liveBrowsers = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * SIGKILL a browser's whole process group (it was spawned detached, so it leads one): the browser, its
 * zygote, renderers and utility processes go together and none is left orphaned.
 */
function killBrowserGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
}

function trackBrowser(child: ChildProcess): void {
  liveBrowsers.add(child);
  child.once("exit", () => liveBrowsers.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const c of liveBrowsers) killBrowserGroup(c);
    });
  }
}

/**
 * Start Chromium with a fresh profile and the DevTools pipe, then (while it starts) load puppeteer and
 * connect it over the pipe. The launch resolves at Chromium's first answer (to puppeteer's first
 * command), as a browser that answers has started; the rest of puppeteer's connection (attaching to
 * the browser's targets) goes on in `browser`. A browser that exits, fails to spawn or does not answer
 * is killed, its profile removed, and the launch rejected with what it said on stderr.
 */
async function launchChromium(executablePath: string): Promise<Chromium> {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), "memgap-chromium-"));
  const child = spawn(
    executablePath,
    [...CHROMIUM_ARGS, `--user-data-dir=${userDataDir}`, "--remote-debugging-pipe", "about:blank"],
    // fd 3: commands to Chromium; fd 4: its answers and events
    { detached: true, stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] },
  );
  // requested only once Chromium is spawned: the module loads while the browser starts
  const puppeteer = loadPuppeteer();
  let stderrTail = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (d: string) => {
    stderrTail = (stderrTail + d).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (err) => reject(new Error(`could not start ${executablePath}: ${err.message}`)));
    child.once("exit", (code, signal) => {
      const last = stderrTail.trim().split("\n").slice(-3).join(" | ");
      reject(
        new Error(`Chromium exited (${signal ?? `code ${code}`}) before answering${last ? `: ${last}` : ""}`),
      );
    });
  });
  failed.catch(() => undefined);
  trackBrowser(child);
  const transport = new PipeTransport(child.stdio[3] as Writable, child.stdio[4] as Readable);
  const browser = withTimeout(
    Promise.race([
      puppeteer.then((p) =>
        p.connect({
          transport,
          // puppeteer.launch()'s default page size, so the layout is what it was
          defaultViewport: { width: 800, height: 600 },
          // the Audits domain (issues in DevTools) is of no use to a print
          issuesEnabled: false,
        }),
      ),
      failed,
    ]),
    LAUNCH_TIMEOUT_MS,
    "launching Chromium",
  );
  // a connection that fails after the launch resolved is the first print's failure (and retried)
  browser.catch(() => undefined);
  try {
    // puppeteer failing to load or to connect rejects here too, rather than waiting for an answer
    await withTimeout(
      Promise.race([transport.answered, browser.then(() => undefined)]),
      LAUNCH_TIMEOUT_MS,
      "launching Chromium",
    );
    return { child, transport, browser, userDataDir, exited };
  } catch (err) {
    // killed before its pipe is closed: see shutDown
    killBrowserGroup(child);
    transport.close();
    await withTimeout(exited, EXIT_WAIT_MS, "Chromium exit").catch(() => undefined);
    removeProfile(userDataDir);
    throw err;
  }
}

/**
 * A page made safe to load untrusted HTML into: scripts disabled, every request the page or any of its
 * frames attempts aborted (the URLs kept), print media. puppeteer applies the same to frames in other
 * processes before they run (it attaches to them paused).
 */
interface GuardedPage {
  chromium: Chromium;
  page: Page;
  blockedRequests: string[];
}

/** Guard the page Chromium opened at start, or a new one when it has none (or that one is taken). */
async function openGuardedPage(b: Chromium, useInitial: boolean): Promise<GuardedPage> {
  const browser = await b.browser;
  const initial = useInitial ? (await browser.pages())[0] : undefined;
  const page = initial ?? (await browser.newPage());
  const blockedRequests: string[] = [];
  try {
    page.on("request", (req) => {
      // A data: URL carries its content in itself and goes nowhere: Chromium never pauses one, and
      // the error page it shows for a blocked frame has its icons as data: URLs. Not a request.
      if (req.url().startsWith("data:")) return;
      blockedRequests.push(req.url());
      void req.abort("blockedbyclient").catch(() => undefined);
    });
    await Promise.all([
      page.setJavaScriptEnabled(false),
      page.setRequestInterception(true),
      page.emulateMediaType("print"),
    ]);
    return { chromium: b, page, blockedRequests };
  } catch (err) {
    void page.close().catch(() => undefined);
    throw err;
  }
}

/** Load the HTML into a guarded page and print it, with the parameters memgap has always printed with. */
async function printOnPage(page: Page, html: string, meta: PdfMeta, timeoutMs: number): Promise<Uint8Array> {
  await page.setContent(html, { waitUntil: "load", timeout: timeoutMs });
  return page.pdf({
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
}

export class PdfPrinter implements ReportPrinter, RecoverablePrinter {
  private browser: Chromium | null = null;
  /** the launch in flight or done: concurrent first prints share it instead of each launching */
  private launching: Promise<Chromium> | null = null;
  /**
   * The page Chromium opened at start, guarded by open() while the caller still works: the first print
   * takes it instead of opening its own. null when none is waiting.
   */
  private spare: Promise<GuardedPage | null> | null = null;
  /** browsers started by this printer (1 unless one crashed or hung and was replaced) */
  launches = 0;

  constructor(private readonly executablePath: string) {}

  /** Start the browser (and guard its first page) now, so that a later print does not wait for them. */
  open(): Promise<void> {
    this.launching ??= this.launch();
    this.spare ??= this.launching.then((b) => openGuardedPage(b, true)).catch(() => null);
    return this.launching.then(() => undefined);
  }

  private async launch(): Promise<Chromium> {
    this.launches++;
    let b: Chromium;
    try {
      b = await launchChromium(this.executablePath);
    } catch (err) {
      // a failed launch is not kept: the next print tries again
      this.launching = null;
      throw err;
    }
    this.browser = b;
    // Chromium crashed or was killed: forget it, so that the next print launches a new one.
    void b.exited.then(() => {
      b.transport.close();
      removeProfile(b.userDataDir);
      if (this.browser !== b) return;
      this.browser = null;
      this.launching = null;
      this.spare = null;
    });
    return b;
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
    const guarded =
      ready && ready.chromium === browser && !browser.transport.isClosed && !ready.page.isClosed()
        ? ready
        : await openGuardedPage(browser, false);
    try {
      const pdf = await printOnPage(guarded.page, html, meta, timeoutMs);
      return { pdf, blockedRequests: [...guarded.blockedRequests] };
    } finally {
      // not waited for: the browser closes the page alone, and a closed printer kills it anyway
      void guarded.page.close().catch(() => undefined);
    }
  }

  /** The browser crashed or hung: kill it (a hung one answers nothing), the next print relaunches. */
  async discard(_reason: string): Promise<void> {
    const launching = this.launching;
    this.launching = null;
    this.spare = null;
    // a launch that itself hangs is not waited for: the launch timeout ends it
    const b =
      this.browser ??
      (launching ? await withTimeout(launching, 5000, "launching Chromium").catch(() => null) : null);
    this.browser = null;
    if (b) await this.shutDown(b);
  }

  /** The Chromium process id, for tests that crash it on purpose; null before the first launch. */
  browserPid(): number | null {
    return this.browser?.child.pid ?? null;
  }

  /**
   * Stop the browser and remove its profile. Every report it printed is already in memory (the PDF is
   * written by the caller), so nothing is lost by not asking Chromium to shut down politely: its
   * process group is killed, which ends every process of it at once (SIGKILL is neither caught nor
   * delayed, so none runs another instruction of its own) and leaves no child behind. The kernel's
   * teardown of a killed browser (a few hundred MiB of mappings, 50-250 ms on a busy machine) is not
   * waited for: nothing of memgap's depends on it, and the process is reaped when it ends.
   */
  async close(): Promise<void> {
    const launching = this.launching;
    this.launching = null;
    // a spare page still opening ends with the browser (its promise settles to null)
    this.spare = null;
    const b = this.browser ?? (await launching?.catch(() => null)) ?? null;
    this.browser = null;
    if (b) await this.shutDown(b, false);
  }

  private async shutDown(b: Chromium, waitForExit = true): Promise<void> {
    // The browser is killed before its DevTools pipe is closed: Chromium takes a closed pipe as the
    // signal to shut down politely, which begins by unlinking its singleton socket from the profile;
    // killed in the middle of that, it would leave the socket's directory with no link to find it by.
    // Closing the pipe then ends puppeteer's connection (what it has pending is rejected).
    killBrowserGroup(b.child);
    b.transport.close();
    if (waitForExit) await withTimeout(b.exited, EXIT_WAIT_MS, "Chromium exit").catch(() => undefined);
    else {
      b.child.unref();
      b.child.stderr?.destroy();
    }
    removeProfile(b.userDataDir);
  }
}
