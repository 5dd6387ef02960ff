/**
 * `incident.yaml` (or `.yml`) at the incident root (DESIGN.md §2): metadata that captures rarely hold,
 * written by the engineer. Known keys: title, service, host, pid, go_version, kernel, godebug, gogc,
 * gomemlimit (bytes or Go-style `512MiB`), timezone, process_start, rss_threshold (bytes or `1GiB`),
 * events (a list of {at, label}), notes.
 *
 * Rules: unknown keys are kept in `unknownKeys`, never an error; a known key with a value of the wrong
 * type is reported with its line and ignored; a YAML syntax error makes the file malformed at its
 * line. Scalars are read from their source text, so `go_version: 1.20` stays "1.20" (not 1.2). Times
 * without a zone are read in the file's own `timezone`, else the run's zone, and flagged.
 */
import type { Node, Pair } from "yaml";

/**
 * The yaml library, loaded on the first incident.yaml: most incidents have none, and loading it costs
 * ~20 ms of every run's start-up.
 */
let Y: typeof import("yaml");
import type { DataIssue, IncidentEvent, IncidentMeta } from "../../model/capture.js";
import type { CaptureFile, IngestOptions, ParseOutcome, Parser } from "../parser.js";
import { splitLinePrefix } from "../time/line-prefix.js";
import { isPlausibleEpochMs, isValidZone } from "../time/zone.js";

const NAME = /^incident\.ya?ml$/i;

/** True for incident.yaml / incident.yml at the incident root (a relative path). */
export function isIncidentYamlPath(relPath: string): boolean {
  return NAME.test(relPath);
}

/**
 * Size suffixes: binary (KiB, MiB, GiB, TiB; Go's GOMEMLIMIT syntax) are powers of 1024; SI (KB, MB,
 * GB, TB) are powers of 1000, as the units say; a bare number or `B` is bytes.
 */
const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
};

/** `536870912`, `512MiB`, `1.5GiB`, `2GB` -> bytes; null when not a size. */
export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return null;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return null;
  return Math.round(Number(m[1]) * unit);
}

type Reader = (
  raw: string,
  node: Node,
  ctx: Ctx,
) => { ok: true; apply: (meta: IncidentMeta) => void } | { ok: false; expected: string };

interface Ctx {
  zone: string;
  path: string;
  line: (node: Node) => number;
  issues: DataIssue[];
}

/** A time from the yaml: ISO 8601 / RFC 3339 (zone optional), or Unix seconds / ms. */
function parseTime(raw: string, zone: string): { t: number; zoneAssumed: boolean } | null {
  const text = raw.trim();
  if (/^\d{10}(\.\d+)?$/.test(text)) return { t: Math.round(Number(text) * 1000), zoneAssumed: false };
  if (/^\d{13}$/.test(text)) return { t: Number(text), zoneAssumed: false };
  const p = splitLinePrefix(text, { zone, referenceYear: null });
  if (!p || p.rest.trim() !== "" || !isPlausibleEpochMs(p.t)) return null;
  return { t: p.t, zoneAssumed: p.zoneAssumed };
}

function scalarText(node: Node): string | null {
  if (!Y.isScalar(node)) return null;
  if (node.value === null) return null;
  return typeof node.source === "string" ? node.source : String(node.value);
}

const text =
  (set: (meta: IncidentMeta, v: string) => void): Reader =>
  (raw) => ({ ok: true, apply: (m) => set(m, raw) });

const READERS: Record<string, Reader> = {
  title: text((m, v) => (m.title = v)),
  service: text((m, v) => (m.service = v)),
  host: text((m, v) => (m.host = v)),
  kernel: text((m, v) => (m.kernel = v)),
  godebug: text((m, v) => (m.godebug = v)),
  notes: text((m, v) => (m.notes = v)),
  go_version: (raw) =>
    /^(go)?\d+\.\d+(\.\d+)?/.test(raw)
      ? { ok: true, apply: (m) => (m.goVersion = raw.replace(/^go/, "")) }
      : { ok: false, expected: "a Go version such as 1.14.2" },
  pid: (raw) =>
    /^\d+$/.test(raw) && Number(raw) > 0
      ? { ok: true, apply: (m) => (m.pid = Number(raw)) }
      : { ok: false, expected: "a process id (a positive integer)" },
  gogc: (raw) =>
    /^(\d+|off)$/i.test(raw)
      ? { ok: true, apply: (m) => (m.gogc = raw.toLowerCase()) }
      : { ok: false, expected: "a percentage such as 100, or off" },
  gomemlimit: (raw) => {
    const b = parseSize(raw);
    return b !== null && b > 0
      ? { ok: true, apply: (m) => (m.gomemlimitBytes = b) }
      : { ok: false, expected: "bytes or a size such as 512MiB" };
  },
  rss_threshold: (raw) => {
    const b = parseSize(raw);
    return b !== null && b > 0
      ? { ok: true, apply: (m) => (m.rssThresholdBytes = b) }
      : { ok: false, expected: "bytes or a size such as 1GiB" };
  },
  timezone: (raw) =>
    isValidZone(raw)
      ? { ok: true, apply: (m) => (m.timezone = raw) }
      : { ok: false, expected: "an IANA time zone such as Europe/Berlin, or UTC" },
  process_start: (raw, _node, ctx) => {
    const t = parseTime(raw, ctx.zone);
    return t
      ? { ok: true, apply: (m) => (m.processStart = t.t) }
      : { ok: false, expected: "a time such as 2024-05-09T09:54:12Z" };
  },
};

function wrongType(ctx: Ctx, key: string, node: Node, expected: string, got: string): void {
  const line = ctx.line(node);
  ctx.issues.push({
    severity: "warning",
    message: `${ctx.path}:${line}: ${key}: expected ${expected}, got ${JSON.stringify(got.slice(0, 60))}; ignored`,
    src: { path: ctx.path, line },
  });
}

function readEvents(node: Node, ctx: Ctx): IncidentEvent[] | null {
  if (!Y.isSeq(node)) return null;
  const events: IncidentEvent[] = [];
  for (const item of node.items as Node[]) {
    const line = ctx.line(item);
    if (!Y.isMap(item)) {
      wrongType(ctx, "events[]", item, "a map with 'at' and 'label'", String(scalarText(item) ?? "a list"));
      continue;
    }
    const at = item.get("at", true) as Node | undefined;
    const label = item.get("label", true) as Node | undefined;
    const atText = at ? scalarText(at) : null;
    const labelText = label ? scalarText(label) : null;
    const t = atText !== null ? parseTime(atText, ctx.zone) : null;
    if (!t || labelText === null) {
      wrongType(
        ctx,
        "events[]",
        item,
        "'at' (a time) and 'label' (text)",
        `at: ${atText ?? "missing"}, label: ${labelText ?? "missing"}`,
      );
      continue;
    }
    events.push({ at: t.t, label: labelText, src: { path: ctx.path, line } });
  }
  return events;
}

export const incidentYaml: Parser = {
  id: "incident-yaml",
  description: "incident.yaml at the incident root: metadata the captures rarely hold",
  sniff(file: CaptureFile): boolean {
    return isIncidentYamlPath(file.path);
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const source = await file.readText();
    Y ??= await import("yaml");
    const lineCounter = new Y.LineCounter();
    const doc = Y.parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const err = doc.errors[0]!;
      const line = err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line;
      return {
        kind: "malformed",
        format: this.id,
        line,
        message: `YAML syntax error: ${err.message.split("\n")[0]}`,
      };
    }
    const meta: IncidentMeta = { events: [], unknownKeys: [] };
    const issues: DataIssue[] = [];
    const contents = doc.contents as Node | null;
    if (contents === null || (Y.isScalar(contents) && contents.value === null)) {
      return { kind: "parsed", format: this.id, records: 0, data: { meta, issues } };
    }
    if (!Y.isMap(contents)) {
      return {
        kind: "malformed",
        format: this.id,
        line: lineCounter.linePos(contents.range?.[0] ?? 0).line,
        message: "incident.yaml must be a map of keys (title:, service:, ...)",
      };
    }
    // The file's own timezone applies to its zone-less times: read it first.
    const zoneNode = contents.get("timezone", true) as Node | undefined;
    const zoneText = zoneNode ? scalarText(zoneNode) : null;
    const ctx: Ctx = {
      zone: zoneText !== null && isValidZone(zoneText) ? zoneText : options.zone,
      path: file.path,
      line: (node) => lineCounter.linePos(node.range?.[0] ?? 0).line,
      issues,
    };
    let known = 0;
    for (const pair of contents.items as Pair<Node, Node | null>[]) {
      const keyText = pair.key && Y.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const valueNode = pair.value;
      const keyNode = pair.key as Node;
      if (keyText === "events") {
        const events = valueNode ? readEvents(valueNode, ctx) : null;
        if (events === null)
          wrongType(ctx, "events", valueNode ?? keyNode, "a list of {at, label}", "not a list");
        else {
          meta.events = events;
          known++;
        }
        continue;
      }
      const reader = READERS[keyText];
      if (!reader) {
        meta.unknownKeys.push(keyText);
        continue;
      }
      const raw = valueNode ? scalarText(valueNode) : null;
      if (raw === null) {
        wrongType(
          ctx,
          keyText,
          valueNode ?? keyNode,
          "a single value",
          valueNode ? "a list or map" : "nothing",
        );
        continue;
      }
      const r = reader(raw, valueNode!, ctx);
      if (!r.ok) wrongType(ctx, keyText, valueNode!, r.expected, raw);
      else {
        r.apply(meta);
        known++;
      }
    }
    meta.events.sort((a, b) => a.at - b.at);
    if (meta.unknownKeys.length > 0)
      issues.push({
        severity: "info",
        message: `${file.path}: unknown keys kept but not used: ${meta.unknownKeys.join(", ")}`,
        src: { path: file.path },
      });
    return { kind: "parsed", format: this.id, records: known, data: { meta, issues } };
  },
};
