/**
 * The printing browser with the real system Chromium, beyond pdf.test.ts: frames the page would
 * load in their own process are guarded too (their requests blocked and counted, the network sees
 * none), and close() leaves nothing behind: no Chromium process, no profile, no singleton-socket
 * directory in the temp directory.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { findBrowser, PdfPrinter } from "../../src/render/pdf.js";

const meta = { title: "probe", header: "probe", paper: "a4" as const };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test("a cross-origin frame, an object, an @import, a font and a background are blocked and counted", async () => {
  const exe = findBrowser();
  assert.ok(exe, "a Chromium is installed (/usr/bin/chromium)");
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    res.setHeader("content-type", "text/html");
    res.end('<p>framed</p><img src="/inner.png">');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const other = base.replace("127.0.0.1", "localhost");
  const printer = new PdfPrinter(exe);
  try {
    const html = `<!DOCTYPE html><html><head><title>probe</title><style>@import url(${base}/imp.css);
      body { background: url(${base}/bg.png) } @font-face { font-family: X; src: url(${base}/f.woff) }
      p { font-family: X }</style></head><body><p>probe</p><iframe src="${base}/frame.html"></iframe>
      <iframe src="${other}/frame2.html"></iframe><object data="${base}/obj"></object></body></html>`;
    const res = await printer.print(html, meta);
    assert.equal(Buffer.from(res.pdf).subarray(0, 5).toString("latin1"), "%PDF-", "the page still printed");
    for (const u of [
      `${base}/frame.html`,
      `${other}/frame2.html`,
      `${base}/imp.css`,
      `${base}/bg.png`,
      `${base}/obj`,
    ])
      assert.ok(res.blockedRequests.includes(u), `${u} blocked: ${res.blockedRequests.join(", ")}`);
    assert.ok(
      res.blockedRequests.every((u) => u.startsWith(base) || u.startsWith(other)),
      "only the page's own attempts are counted",
    );
  } finally {
    await printer.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
  assert.deepEqual(hits, [], "the loopback listener saw no request");
});

test("close() kills the browser and removes its profile and its singleton-socket directory", async () => {
  const exe = findBrowser();
  assert.ok(exe, "a Chromium is installed (/usr/bin/chromium)");
  const printer = new PdfPrinter(exe);
  await printer.open();
  const res = await printer.print("<p>one</p>", meta);
  assert.ok(res.pdf.length > 0);
  const pid = printer.browserPid();
  assert.ok(pid, "a browser runs");
  // the profile is the --user-data-dir of the browser's command line
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  const profile = cmdline.find((a) => a.startsWith("--user-data-dir="))!.slice("--user-data-dir=".length);
  const socketDir = path.dirname(readlinkSync(path.join(profile, "SingletonSocket")));
  assert.ok(existsSync(socketDir), `Chromium made its socket directory ${socketDir}`);
  await printer.close();
  assert.equal(existsSync(profile), false, "the profile is removed");
  assert.equal(existsSync(socketDir), false, "the singleton-socket directory is removed");
  // SIGKILL went to the whole process group; the kernel reaps it within moments
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(pid), false, "no Chromium process is left");
});
