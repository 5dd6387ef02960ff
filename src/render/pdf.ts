/**
 * HTML -> PDF through puppeteer and a system Chromium: the only file that imports puppeteer.
 *
 * The browser is found, never downloaded: PUPPETEER_EXECUTABLE_PATH, then a system Chromium or
 * Chrome, then puppeteer's own cache. While printing, JavaScript is off and every request the page
 * attempts is aborted and counted (the report is self-contained, so the count should be zero).
 * One browser can print many reports (batch); each report gets its own page.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import puppeteer, { type Browser } from "puppeteer";

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

export class PdfPrinter {
  private browser: Browser | null = null;
  private userDataDir: string | null = null;

  constructor(private readonly executablePath: string) {}

  async open(): Promise<void> {
    if (this.browser) return;
    this.userDataDir = mkdtempSync(path.join(os.tmpdir(), "memgap-chromium-"));
    this.browser = await puppeteer.launch({
      executablePath: this.executablePath,
      headless: true,
      userDataDir: this.userDataDir,
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
  }

  async print(html: string, meta: PdfMeta, timeoutMs = 60_000): Promise<PrintResult> {
    if (!this.browser) await this.open();
    const page = await this.browser!.newPage();
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

  async close(): Promise<void> {
    const b = this.browser;
    this.browser = null;
    if (b) await b.close().catch(() => undefined);
    if (this.userDataDir) rmSync(this.userDataDir, { recursive: true, force: true });
    this.userDataDir = null;
  }
}
