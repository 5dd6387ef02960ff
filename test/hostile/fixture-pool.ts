/**
 * The real captures the property tests start from: every public format example and, from each bundled
 * sample, the first file of each naming shape (digits folded), each paired with the registered parsers
 * whose sniff claims it. Built from the registry, so a parser added later is covered by every property
 * as soon as a fixture of its format exists under test/fixtures/ or samples/.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { CaptureFile, Parser } from "../../src/ingest/parser.js";
import { PARSERS } from "../../src/ingest/registry.js";
import { fileFromText } from "../helpers/capture-file.js";
import { FIXTURES, SAMPLES } from "../helpers/paths.js";

export interface PoolFixture {
  /** the path a parser sees: relative to its incident (samples) or the fixture's own name */
  relPath: string;
  bytes: Buffer;
}

/** Fixtures larger than this are cut to their head: properties run hundreds of parses per fixture. */
const MAX_FIXTURE_BYTES = 96 * 1024;

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile()) out.push(p);
  }
}

function load(abs: string, relPath: string): PoolFixture {
  const buf = readFileSync(abs);
  return { relPath, bytes: buf.length > MAX_FIXTURE_BYTES ? buf.subarray(0, MAX_FIXTURE_BYTES) : buf };
}

let cached: PoolFixture[] | null = null;

export function fixturePool(): PoolFixture[] {
  if (cached) return cached;
  const out: PoolFixture[] = [];
  const fixtureFiles: string[] = [];
  for (const area of readdirSync(FIXTURES).sort()) {
    // adversarial inputs are not format examples; corpus truth files are answers, not captures
    if (area === "adversarial" || area === "corpus-truth") continue;
    const p = path.join(FIXTURES, area);
    if (statSync(p).isDirectory()) walk(p, fixtureFiles);
  }
  for (const abs of fixtureFiles) {
    if (abs.endsWith(".source.txt")) continue;
    // The project marks made-up or cut fixtures in their names (x.CONSTRUCTED.yaml); the parser sees
    // the name a capture would really have (x.yaml), which is what name-sniffing parsers match.
    out.push(load(abs, path.basename(abs).replace(/\.(CONSTRUCTED|PARTIAL|EXCERPT)(?=\.|$)/g, "")));
  }
  for (const incident of readdirSync(SAMPLES).sort()) {
    const dir = path.join(SAMPLES, incident);
    if (!statSync(dir).isDirectory()) continue;
    const files: string[] = [];
    walk(dir, files);
    const shapes = new Set<string>();
    for (const abs of files) {
      const rel = path.relative(dir, abs).split(path.sep).join("/");
      const shape = rel.replace(/\d+/g, "#");
      if (shapes.has(shape)) continue;
      shapes.add(shape);
      out.push(load(abs, rel));
    }
  }
  cached = out;
  return out;
}

export function captureOf(f: PoolFixture, bytes: Buffer = f.bytes, relPath = f.relPath): CaptureFile {
  return fileFromText(relPath, bytes, Date.UTC(2026, 10, 24, 5, 22, 36));
}

/** True when the parser's sniff claims the file; a sniff that throws counts as a failure elsewhere. */
export function sniffs(parser: Parser, file: CaptureFile): boolean {
  return parser.sniff(file);
}

/** For each registered parser, the pool fixtures its sniff claims. */
export function fixturesByParser(): Map<Parser, PoolFixture[]> {
  const pool = fixturePool();
  const map = new Map<Parser, PoolFixture[]>();
  for (const parser of PARSERS) {
    map.set(
      parser,
      pool.filter((f) => sniffs(parser, captureOf(f))),
    );
  }
  return map;
}

/**
 * Every number in a parser's output is finite: a NaN or Infinity in a sample would poison the ledger,
 * the charts and report.json (JSON.stringify writes it as null). Returns the path of the first bad one.
 */
/**
 * Columns of an RssSeries (src/model/capture.ts) in which NaN is the documented "this reading lacked
 * the figure"; any other non-finite number, there or elsewhere, is a parser fault.
 */
const ABSENT_AS_NAN = new Set(["lazyFreeBytes", "anonBytes", "peakBytes"]);

export function firstNonFinite(value: unknown, at = "$", nanMeansAbsent = false): string | null {
  if (typeof value === "number")
    return Number.isFinite(value) || (nanMeansAbsent && Number.isNaN(value)) ? null : `${at} = ${value}`;
  if (typeof value === "bigint") return `${at} is a BigInt (not JSON-serialisable)`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = firstNonFinite(value[i], `${at}[${i}]`, nanMeansAbsent);
      if (bad) return bad;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const bad = firstNonFinite(v, `${at}.${k}`, Array.isArray(v) && ABSENT_AS_NAN.has(k));
      if (bad) return bad;
    }
  }
  return null;
}
