/**
 * Binary pprof heap profiles (`/debug/pprof/heap` with debug=0; FORMATS.md §1.5): a gzipped
 * `profile.proto`, told apart from text by the gzip magic `1f 8b` whatever the file is called. An
 * uncompressed profile is accepted too when its name says so (`.pb`, `.pprof`, `.prof`, `.proto`).
 *
 * Ingest reads only the profile's top-level scalars with a small protobuf walker (no sample is
 * decoded into objects): `time_nanos` (the capture time, the only self-timestamped Go memory capture,
 * read as BigInt), the sample types, and the sum of the `inuse_space` column. The allocation sites are
 * read later, for the snapshots the growth analysis asks for, by `readProtoAllocationSites`, which
 * decodes the whole profile with `pprof-format` (the only file that imports it).
 */
import { gunzipSync } from "node:zlib";
import { Profile } from "pprof-format";
import type { AllocationSite } from "../../model/capture.js";
import type { CaptureFile, IngestOptions, ParseOutcome, Parser } from "../parser.js";
import { stampFile } from "../time/file-stamp.js";

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
/** Names that announce an uncompressed profile.proto (go tool pprof -proto writes gzipped, others may not). */
const RAW_PROTO_NAME = /\.(pb|pprof|prof|proto)$/i;
/** A decompressed heap profile of a large service is a few MiB; refuse bombs well above that. */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;
/** Frames shown in a site's call path: enough to see who called the allocating function. */
const PATH_FRAMES = 4;

// Profile message field numbers (src/runtime/pprof/proto.go, google/pprof profile.proto).
const F_SAMPLE_TYPE = 1;
const F_SAMPLE = 2;
const F_STRING_TABLE = 6;
const F_TIME_NANOS = 9;
const F_PERIOD_TYPE = 11;
// Nested fields.
const F_VALUE_TYPE_TYPE = 1;
const F_VALUE_TYPE_UNIT = 2;
const F_SAMPLE_VALUE = 2;

class ProtoError extends Error {}

/** A minimal protobuf wire-format reader over one message's bytes. */
class Wire {
  pos = 0;
  constructor(
    readonly buf: Uint8Array,
    readonly end = buf.length,
    start = 0,
  ) {
    this.pos = start;
  }
  done(): boolean {
    return this.pos >= this.end;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.end) throw new ProtoError("varint runs past the end of the message");
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new ProtoError("varint longer than 10 bytes");
    }
  }
  /** A varint known to be small (tags, lengths): plain number arithmetic. */
  small(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw new ProtoError("varint runs past the end of the message");
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
      if (mul > 2 ** 56) throw new ProtoError("length varint too long");
    }
  }
  /** Skip a field's value of the given wire type; returns [start, end) for length-delimited ones. */
  skip(wireType: number): [number, number] | null {
    switch (wireType) {
      case 0:
        this.varint();
        return null;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const len = this.small();
        const start = this.pos;
        this.pos += len;
        if (this.pos > this.end) throw new ProtoError("length-delimited field runs past the end");
        return [start, this.pos];
      }
      case 5:
        this.pos += 4;
        break;
      default:
        throw new ProtoError(`wire type ${wireType} is not used by profile.proto`);
    }
    if (this.pos > this.end) throw new ProtoError("fixed-size field runs past the end");
    return null;
  }
}

export interface ProtoSummary {
  sampleTypes: string[];
  periodType: string | null;
  /** time_nanos as epoch ms, null when absent (0) */
  timeMs: number | null;
  samples: number;
  /** sum of the inuse_space column, null when the profile has none */
  inuseBytes: number | null;
}

function valueType(buf: Uint8Array, start: number, end: number): [number, number] {
  const w = new Wire(buf, end, start);
  let type = 0;
  let unit = 0;
  while (!w.done()) {
    const tag = w.small();
    if (tag >>> 3 === F_VALUE_TYPE_TYPE && (tag & 7) === 0) type = Number(w.varint());
    else if (tag >>> 3 === F_VALUE_TYPE_UNIT && (tag & 7) === 0) unit = Number(w.varint());
    else w.skip(tag & 7);
  }
  return [type, unit];
}

/** One sample's value column `index` (packed or not). */
function sampleValue(buf: Uint8Array, start: number, end: number, index: number): number {
  const w = new Wire(buf, end, start);
  let i = 0;
  let found = 0;
  while (!w.done()) {
    const tag = w.small();
    if (tag >>> 3 === F_SAMPLE_VALUE && (tag & 7) === 2) {
      const [s, e] = w.skip(2)!;
      const inner = new Wire(buf, e, s);
      while (!inner.done()) {
        const v = inner.varint();
        if (i++ === index) found = Number(BigInt.asIntN(64, v));
      }
    } else if (tag >>> 3 === F_SAMPLE_VALUE && (tag & 7) === 0) {
      const v = w.varint();
      if (i++ === index) found = Number(BigInt.asIntN(64, v));
    } else w.skip(tag & 7);
  }
  return found;
}

/**
 * Read the top-level summary of a decompressed profile.proto. Throws ProtoError when the bytes are
 * not a well-formed protobuf message.
 */
export function summarizeProfile(buf: Uint8Array): ProtoSummary {
  const w = new Wire(buf);
  const strings: string[] = [];
  const types: [number, number][] = [];
  const samples: [number, number][] = [];
  let period: [number, number] | null = null;
  let timeNanos = 0n;
  const decoder = new TextDecoder();
  while (!w.done()) {
    const tag = w.small();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 0) throw new ProtoError("field number 0");
    if (field === F_TIME_NANOS && wireType === 0) {
      timeNanos = BigInt.asIntN(64, w.varint());
      continue;
    }
    const span = w.skip(wireType);
    if (!span) continue;
    if (field === F_SAMPLE_TYPE) types.push(valueType(buf, span[0], span[1]));
    else if (field === F_SAMPLE) samples.push(span);
    else if (field === F_STRING_TABLE) strings.push(decoder.decode(buf.subarray(span[0], span[1])));
    else if (field === F_PERIOD_TYPE) period = valueType(buf, span[0], span[1]);
  }
  const name = (i: number): string => strings[i] ?? `#${i}`;
  const sampleTypes = types.map(([t, u]) => `${name(t)}/${name(u)}`);
  const inuseIndex = sampleTypes.indexOf("inuse_space/bytes");
  let inuseBytes: number | null = null;
  if (inuseIndex >= 0) {
    inuseBytes = 0;
    for (const [s, e] of samples) inuseBytes += sampleValue(buf, s, e, inuseIndex);
  }
  return {
    sampleTypes,
    periodType: period ? `${name(period[0])}/${name(period[1])}` : null,
    timeMs: timeNanos > 0n ? Number(timeNanos / 1_000_000n) : null,
    samples: samples.length,
    inuseBytes,
  };
}

/** A one-byte protobuf key of a Profile field with its proper wire type (scalars 0, messages/strings 2). */
function isProfileFieldKey(byte: number | undefined): boolean {
  if (byte === undefined) return false;
  const field = byte >>> 3;
  const wire = byte & 7;
  if ([1, 2, 3, 4, 5, 6, 11, 13].includes(field)) return wire === 2 || (field === 13 && wire === 0);
  return [7, 8, 9, 10, 12, 14].includes(field) && wire === 0;
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
}

/** The decompressed profile bytes, or a message saying why they cannot be had. */
function inflate(bytes: Buffer): { ok: true; raw: Buffer } | { ok: false; message: string } {
  if (!isGzip(bytes)) return { ok: true, raw: bytes };
  try {
    return { ok: true, raw: gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES }) };
  } catch (err) {
    return { ok: false, message: `gzip data is corrupt or truncated: ${(err as Error).message}` };
  }
}

export const pprofProto: Parser = {
  id: "pprof-proto",
  description: "binary pprof heap profile (gzipped profile.proto; time_nanos is the capture time)",
  sniff(file: CaptureFile): boolean {
    if (isGzip(file.head)) return true;
    // An uncompressed Profile message starts with the key of one of its fields (Go writes period_type,
    // field 11, first: byte 0x5a); a name that says so is required, as such bytes are not distinctive.
    return RAW_PROTO_NAME.test(file.path) && isProfileFieldKey(file.head[0]) && file.head.includes(0);
  },
  async parse(file: CaptureFile, options: IngestOptions): Promise<ParseOutcome> {
    const inflated = inflate(await file.readBytes());
    if (!inflated.ok) {
      // A gzip stream we cannot open may be any compressed file: only a .pb.gz name makes it ours.
      if (/\.(pb|pprof|prof)(\.gz)?$|heap/i.test(file.path))
        return { kind: "malformed", format: this.id, line: null, message: inflated.message };
      return { kind: "not-mine" };
    }
    let summary: ProtoSummary;
    try {
      summary = summarizeProfile(inflated.raw);
    } catch (err) {
      if (err instanceof ProtoError) {
        // Compressed text (a gzipped log or heap text) is someone else's; say so rather than guess.
        if (isGzip(file.head) && !looksLikeProfileName(file.path)) return { kind: "not-mine" };
        return {
          kind: "malformed",
          format: this.id,
          line: null,
          message: `not a pprof profile.proto: ${err.message}`,
        };
      }
      throw err;
    }
    if (summary.sampleTypes.length === 0) {
      if (isGzip(file.head) && !looksLikeProfileName(file.path)) return { kind: "not-mine" };
      return {
        kind: "malformed",
        format: this.id,
        line: null,
        message: "a protobuf message without sample types: not a pprof profile",
      };
    }
    if (summary.inuseBytes === null) {
      // A CPU, goroutine or allocs-only profile: a real profile, but not one memgap reads.
      return {
        kind: "malformed",
        format: this.id,
        line: null,
        message: `a pprof profile without inuse_space (sample types: ${summary.sampleTypes.join(", ")}): not a heap profile`,
      };
    }
    const stamp =
      summary.timeMs !== null
        ? { t: summary.timeMs, prov: "record" as const, zoneAssumed: false }
        : stampFile(file, options);
    return {
      kind: "parsed",
      format: this.id,
      records: 1,
      data: {
        heapProfiles: [
          {
            t: stamp.t,
            prov: stamp.prov,
            zoneAssumed: stamp.zoneAssumed || undefined,
            src: { path: file.path },
            format: "pprof-proto",
            totalInuseBytes: summary.inuseBytes,
            sites: null,
          },
        ],
      },
    };
  },
};

function looksLikeProfileName(path: string): boolean {
  return /\.(pb|pprof|prof|proto)(\.gz)?$|(^|\/)[^/]*(heap|mem|pprof)[^/]*$/i.test(path);
}

/** Runtime and allocator frames are not where the program allocates: skip them to find the site. */
function isRuntimeFrame(func: string): boolean {
  return /^(runtime\.|runtime\/internal\/|internal\/|reflect\.|sync\.\(\*Pool\)|bytes\.growSlice|strings\.\(\*Builder\)\.grow)/.test(
    func,
  );
}

/** Keep the last two path components of a source file: enough to find it, short enough to read. */
function shortFile(file: string): string {
  return file.replace(/^.*\/(?=[^/]+\/[^/]+$)/, "");
}

/**
 * In-use bytes and objects per allocation site of a (gzipped or raw) heap profile.proto, summed over
 * samples that share a leaf site (first non-runtime frame, with inlined frames expanded). Values are
 * already scaled by the runtime (scaleHeapSample), unlike debug=1 text.
 */
export function readProtoAllocationSites(bytes: Buffer): AllocationSite[] {
  const inflated = inflate(bytes);
  if (!inflated.ok) throw new Error(inflated.message);
  const p = Profile.decode(inflated.raw);
  const s = p.stringTable.strings;
  const types = p.sampleType.map((v) => `${s[Number(v.type)]}/${s[Number(v.unit)]}`);
  const spaceIndex = types.indexOf("inuse_space/bytes");
  const objectsIndex = types.indexOf("inuse_objects/count");
  if (spaceIndex < 0) throw new Error(`no inuse_space sample type (${types.join(", ")})`);
  const functions = new Map<string, { name: string; file: string }>();
  for (const f of p.function)
    functions.set(String(f.id), { name: s[Number(f.name)] ?? "?", file: s[Number(f.filename)] ?? "" });
  const locations = new Map<string, { func: string; loc: string }[]>();
  for (const l of p.location) {
    // line[] lists inlined calls innermost first: each is a frame of its own.
    const frames = l.line.map((ln) => {
      const fn = functions.get(String(ln.functionId));
      return { func: fn?.name ?? "?", loc: `${shortFile(fn?.file ?? "")}:${Number(ln.line)}` };
    });
    locations.set(
      String(l.id),
      frames.length > 0 ? frames : [{ func: `0x${l.address.toString(16)}`, loc: "" }],
    );
  }
  const bySite = new Map<string, AllocationSite>();
  for (const sample of p.sample) {
    const bytesInUse = Number(sample.value[spaceIndex] ?? 0);
    const objects = objectsIndex >= 0 ? Number(sample.value[objectsIndex] ?? 0) : 0;
    if (bytesInUse === 0 && objects === 0) continue;
    const frames = sample.locationId.flatMap((id) => locations.get(String(id)) ?? []);
    const leafIndex = Math.max(
      0,
      frames.findIndex((f) => !isRuntimeFrame(f.func)),
    );
    const leaf = frames[leafIndex] ?? { func: "(unknown)", loc: "" };
    const key = `${leaf.func}\u0000${leaf.loc}`;
    const site = bySite.get(key);
    if (site) {
      site.inuseBytes += bytesInUse;
      site.inuseObjects += objects;
    } else {
      bySite.set(key, {
        func: leaf.func,
        location: leaf.loc,
        path: frames
          .slice(leafIndex, leafIndex + PATH_FRAMES)
          .map((f) => f.func)
          .join(" < "),
        inuseBytes: bytesInUse,
        inuseObjects: objects,
      });
    }
  }
  return [...bySite.values()].sort((a, b) => b.inuseBytes - a.inuseBytes || a.func.localeCompare(b.func));
}
