/**
 * The PDF with the real system Chromium: text, pages, title, fonts, and the request blocking. One
 * PdfPrinter (one browser start) serves every test in this file.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { findBrowser, PdfPrinter } from "../../src/render/pdf.js";
import { renderHtml } from "../../src/render/html.js";
import { renderCharts } from "../../src/render/write-report.js";
import { sampleModels } from "./models.js";

const exe = findBrowser();
let printer: PdfPrinter;
const tmp = mkdtempSync(path.join(os.tmpdir(), "memgap-pdf-test-"));

before(async () => {
  assert.ok(exe, "a system Chromium is installed (/usr/bin/chromium)");
  printer = new PdfPrinter(exe);
  await printer.open();
});
after(async () => {
  await printer?.close();
});

/** Print a sample's report; returns the PDF path, its text (pdftotext -layout) and pdfinfo. */
async function printSample(name: string, paper: "a4" | "letter" = "a4") {
  const m = await sampleModels(name);
  const html = await renderHtml(m.view, await renderCharts(m.view), paper);
  const res = await printer.print(html, {
    title: m.view.title,
    header: `${m.view.title} · ${m.view.verdictLabel}`,
    paper,
  });
  const file = path.join(tmp, `${name}-${paper}.pdf`);
  writeFileSync(file, res.pdf);
  const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
  const info = execFileSync("pdfinfo", [file], { encoding: "utf8" });
  const fonts = execFileSync("pdffonts", [file], { encoding: "utf8" });
  return { m, res, file, text, info, fonts };
}

/** Whitespace-insensitive containment: PDF text wraps lines where the page does. */
function flat(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

test("a multi-lifetime report prints headline, timeline and action items on at least three pages", async () => {
  const { m, res, text, info, fonts } = await printSample("restart-leak");
  const t = flat(text);
  assert.ok(t.includes(flat(m.view.headline).slice(0, 60)), "the headline");
  assert.ok(
    t.includes("Timeline (UTC)") && t.includes("05:34:09") && t.includes("05:34:50"),
    "the timeline with both restarts",
  );
  assert.ok(t.includes("Action items"), "the action items heading");
  for (const a of m.view.actions) assert.ok(t.includes(flat(a).slice(0, 40)), `action: ${a}`);
  if (m.view.actions.length === 0) assert.ok(t.includes("None required by the evidence."));
  const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
  assert.ok(pages >= 3, `${pages} pages`);
  assert.match(info, /Title:\s+restart-leak: /, "the PDF title comes from <title>");
  assert.match(info, /Page size:\s+59\d(\.\d+)? x 84\d(\.\d+)? pts \(A4\)/);
  assert.match(t, /page 1 of \d+/, "page numbers from the footer template");
  assert.ok(
    t.includes(`restart-leak · ${m.view.verdictLabel}`),
    "the running header names incident and verdict",
  );
  assert.match(fonts, /DejaVuSans/, "DejaVu fonts embedded");
  assert.deepEqual(res.blockedRequests, [], "a real report attempts no request");
});

test("--paper letter prints on US Letter", async () => {
  const { info, text } = await printSample("madvfree-burst", "letter");
  assert.match(info, /Page size:\s+612 x 792 pts \(letter\)/);
  assert.ok(flat(text).includes("Summary"));
});

test("every request a page attempts while printing is blocked and counted; the network sees none", async () => {
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    res.end("x");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    const html = `<!DOCTYPE html><html><head><title>probe</title><link rel="stylesheet" href="http://127.0.0.1:${port}/s.css"></head><body><p>probe</p><img src="http://127.0.0.1:${port}/x.png"><script src="http://127.0.0.1:${port}/a.js"></script></body></html>`;
    const res = await printer.print(html, { title: "probe", header: "probe", paper: "a4" });
    assert.ok(res.blockedRequests.length >= 2, `blocked: ${res.blockedRequests.join(", ")}`);
    assert.ok(res.blockedRequests.every((u) => u.startsWith(`http://127.0.0.1:${port}/`)));
    assert.ok(res.pdf.length > 0, "the page still printed");
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
  assert.equal(hits, 0, "the loopback listener saw no request");
});
