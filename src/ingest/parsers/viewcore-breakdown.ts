/**
 * `viewcore <core> breakdown` output (golang.org/x/debug; FORMATS.md §8.2): a one-off tree of a core
 * dump's memory, indented by level, `name  bytes  percent[ (comment)]`, possibly behind the
 * interactive `(viewcore) ` prompt.
 *
 * It does not map cleanly onto a MemStats sample: `all` is virtual memory (not Sys, not RSS), the
 * `heap` node counts stack spans that MemStats keeps out of HeapSys, and there is no Sys figure at
 * all. So no MemStats sample is produced; the file is parsed and its heap figures (live heap, garbage,
 * retained and released free spans) are reported as an info issue, with the equivalences the format
 * notes give (`released` ~ HeapReleased, `retained` ~ HeapIdle - HeapReleased, `live` = the exactly
 * reachable heap, which no MemStats field gives). Time: the file name, else the mtime.
 */
import type { DataIssue } from "../../model/capture.js";
import type { CaptureFile, IngestOptions, ParseOutcome, Parser } from "../parser.js";
import { stampFile } from "../time/file-stamp.js";

const PROMPT = /^\(viewcore\)\s*/;
const ROW = /^( *)(\S.*?)\s+(\d+)\s+(\d+(?:\.\d+)?)%(?:\s+\((.*)\))?\s*$/;

interface Node {
  name: string;
  path: string;
  bytes: number;
  line: number;
}

/**
 * A note the author typed after a row when pasting (`heap  117440512  3.03% # = HeapSys`): viewcore
 * never prints `#`, so from ` # ` on the line is commentary, not data.
 */
const PASTED_NOTE = /\s+#\s.*$|\s+#$/;

function stripPrompt(line: string): string {
  return line.replace(/\r$/, "").replace(PROMPT, " ").replace(PASTED_NOTE, "");
}

function firstRow(text: string): string | null {
  for (const raw of text.split("\n", 12)) {
    const line = stripPrompt(raw);
    if (line.trim() === "" || /^\(viewcore\)\s*breakdown\s*$/.test(raw.trim())) continue;
    return line;
  }
  return null;
}

function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export const viewcoreBreakdown: Parser = {
  id: "viewcore-breakdown",
  description: "viewcore breakdown of a core dump (golang.org/x/debug): reported, not charted",
  sniff(file: CaptureFile): boolean {
    const first = firstRow(file.headText);
    return first !== null && /^\s*all\s+\d+\s+100(\.0+)?%/.test(first);
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const text = await file.readText();
    const lines = text.split("\n");
    const nodes: Node[] = [];
    const stack: { indent: number; name: string }[] = [];
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      const line = stripPrompt(raw);
      if (line.trim() === "" || /^\(viewcore\)\s*breakdown\s*$/.test(raw.trim())) continue;
      const m = ROW.exec(line);
      if (!m) {
        // A new prompt or other output after the tree ends it; anything else inside it is broken.
        if (nodes.length > 0 && PROMPT.test(raw)) break;
        return {
          kind: "malformed",
          format: this.id,
          line: i + 1,
          message: `not a 'name  bytes  percent%' breakdown row: ${JSON.stringify(raw.slice(0, 60))}`,
        };
      }
      const indent = m[1]!.length;
      while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
      const name = m[2]!.trim();
      stack.push({ indent, name });
      nodes.push({ name, path: stack.map((s) => s.name).join("/"), bytes: Number(m[3]), line: i + 1 });
    }
    const get = (path: string): number | undefined => nodes.find((n) => n.path === path)?.bytes;
    const heap = get("all/heap");
    if (heap === undefined)
      return {
        kind: "malformed",
        format: this.id,
        line: nodes[nodes.length - 1]?.line ?? 1,
        message: "breakdown without a 'heap' row under 'all'",
      };
    const live = get("all/heap/in use spans/alloc/live");
    const garbage = get("all/heap/in use spans/alloc/garbage");
    const retained = get("all/heap/free spans/retained");
    const released = get("all/heap/free spans/released");
    const stacks = get("all/heap/manual spans");
    const parts = [
      `heap ${formatMiB(heap)}`,
      live !== undefined ? `live ${formatMiB(live)}` : null,
      garbage !== undefined ? `garbage ${formatMiB(garbage)}` : null,
      stacks !== undefined ? `stack spans ${formatMiB(stacks)}` : null,
      retained !== undefined ? `free retained ${formatMiB(retained)} (~ HeapIdle - HeapReleased)` : null,
      released !== undefined ? `free released ${formatMiB(released)} (~ HeapReleased)` : null,
    ].filter(Boolean);
    const stamp = stampFile(file, options);
    const issues: DataIssue[] = [
      {
        severity: "info",
        message: `${file.path}: viewcore breakdown of a core dump: ${parts.join(", ")}; not charted as a MemStats sample ('all' is virtual memory and there is no Sys figure)`,
        src: { path: file.path, line: nodes[0]!.line },
      },
    ];
    if (stamp.prov === "mtime")
      issues.push({
        severity: "warning",
        message: `${file.path}: the breakdown carries no time; the file's mtime is used`,
        src: { path: file.path },
      });
    return { kind: "parsed", format: this.id, records: 1, data: { issues } };
  },
};
