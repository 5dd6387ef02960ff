// Writes a large capture archive for `npm run bench`, ported from the project's shared generator
// (tools/gen-archive.mjs) so that the bench needs nothing outside the repository. Same shapes:
// `/debug/pprof/heap?debug=1` snapshots (stack records + `# runtime.MemStats` block), an `rss.log`
// of `ISO VmRSS: N kB` lines, periodic `/proc/PID/smaps_rollup` copies; a seeded simulation keeps the
// MemStats invariants (HeapSys = HeapIdle + HeapInuse, HeapReleased <= HeapIdle, HeapAlloc <= HeapInuse,
// Sys = HeapSys + StackSys + MSpanSys + MCacheSys + BuckHashSys + GCSys + OtherSys).
// The same parameters always produce byte-identical files.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";

export const DEFAULTS = {
  hours: 168,
  snapshotEvery: 60,
  rssEvery: 1,
  smapsEvery: 600,
  records: 200,
  shape: "lazy-free",
  seed: 1,
  start: "2026-01-05T00:00:00Z",
};

/** Write the archive into `out`; returns the file counts. */
export function generateArchive(params) {
  const p = { ...DEFAULTS, ...params };
  const a = { out: p.out, shape: p.shape };
  const hours = Number(p.hours);
  const snapEvery = Number(p.snapshotEvery);
  const rssEvery = Number(p.rssEvery);
  const smapsEvery = Number(p.smapsEvery);
  const nRecords = Number(p.records);
  const t0 = Date.parse(p.start);
  const total = Math.round(hours * 3600);
  let s = Number(p.seed) >>> 0 || 1;
  const MiB = 1 << 20;
  const PAGE = 8192;

  // xorshift32: deterministic, no dependencies
  const rand = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const pages = (b) => Math.max(PAGE, Math.round(b / PAGE) * PAGE);

  // Load follows a daily cycle (peak at 14:00 UTC) with noise; the shape decides what memory does.
  function model(sec) {
    const day = ((sec / 3600 + t0 / 3600000) % 24) / 24;
    const load = 0.5 + 0.5 * Math.sin(2 * Math.PI * (day - 0.33));
    const live = 40 * MiB + load * 900 * MiB + (a.shape === "heap-leak" ? sec * 2500 : 0);
    return { load, live };
  }

  const state = { heapSys: 64 * MiB, released: 0, peakResident: 0, numGC: 0, totalAlloc: 0, mallocs: 0 };
  function step(sec) {
    const { live } = model(sec);
    const heapAlloc = pages(live * (1 + 0.25 * rand()));
    const heapInuse = pages(heapAlloc * 1.08);
    state.heapSys = Math.max(state.heapSys, pages(heapInuse * 1.15));
    const idle = state.heapSys - heapInuse;
    // the scavenger returns idle memory gradually, keeping ~10% over the heap goal
    const target = Math.max(0, idle - pages(heapInuse * 0.1));
    state.released = Math.min(
      idle,
      Math.max(0, Math.round(state.released + (target - state.released) * 0.3)),
    );
    state.released = Math.floor(state.released / PAGE) * PAGE;
    const stackSys = pages(2 * MiB + 1 * MiB * rand());
    const mspanSys = pages(heapInuse / 90),
      gcSys = pages(state.heapSys / 28);
    const sys = state.heapSys + stackSys + mspanSys + 16384 + 1500000 + gcSys + 600000;
    const goResident = sys - state.released;
    // with MADV_FREE the released pages stay in RSS until memory pressure (none here)
    const resident = a.shape === "lazy-free" ? Math.max(goResident, state.peakResident) : goResident;
    state.peakResident = Math.max(state.peakResident, resident);
    state.numGC += 1 + Math.floor(4 * rand());
    state.totalAlloc += heapAlloc * 3;
    state.mallocs += Math.floor(heapAlloc / 96);
    return {
      heapAlloc,
      heapInuse,
      idle,
      sys,
      stackSys,
      mspanSys,
      gcSys,
      rss: resident + 9 * MiB,
      lazyFree: Math.max(0, resident - goResident),
    };
  }

  const FUNCS = [
    "main.(*server).handle",
    "encoding/json.(*decodeState).object",
    "bytes.growSlice",
    "net/http.(*conn).serve",
    "main.(*cache).put",
    "github.com/acme/store.(*Client).Get",
    "bufio.NewReaderSize",
    "strings.(*Builder).grow",
    "main.decodeBatch",
    "compress/flate.NewWriter",
  ];
  function heapText(sec, m) {
    const out = [];
    let inuseN = 0,
      inuseB = 0,
      allocN = 0,
      allocB = 0;
    const recs = [];
    for (let i = 0; i < nRecords; i++) {
      const size = 16 << Math.floor(rand() * 10);
      const n = 1 + Math.floor(rand() * 50),
        an = n + Math.floor(rand() * 5000);
      inuseN += n;
      inuseB += n * size;
      allocN += an;
      allocB += an * size;
      const depth = 3 + Math.floor(rand() * 6);
      const pcs = Array.from({ length: depth }, () => 0x400000 + Math.floor(rand() * 0x300000));
      const lines = pcs.map(
        (pc, d) =>
          `#\t0x${pc.toString(16)}\t${FUNCS[(i + d) % FUNCS.length]}+0x${(d * 37 + 5).toString(16)}\t/src/app/f${(i + d) % 23}.go:${10 + ((i * 7 + d) % 400)}`,
      );
      recs.push(
        `${n}: ${n * size} [${an}: ${an * size}] @ ${pcs.map((p) => "0x" + p.toString(16)).join(" ")}\n${lines.join("\n")}\n`,
      );
    }
    out.push(`heap profile: ${inuseN}: ${inuseB} [${allocN}: ${allocB}] @ heap/1048576\n`, ...recs);
    const lastGC = BigInt(t0 + sec * 1000 - Math.floor(rand() * 900)) * 1000000n;
    const pause = Array.from({ length: 256 }, () => Math.floor(20000 + rand() * 200000));
    const pauseEnd = Array.from({ length: 256 }, (_, i) => lastGC - BigInt(i) * 1500000000n);
    out.push(
      "\n# runtime.MemStats\n",
      `# Alloc = ${m.heapAlloc}\n# TotalAlloc = ${state.totalAlloc}\n# Sys = ${m.sys}\n# Lookups = 0\n`,
      `# Mallocs = ${state.mallocs}\n# Frees = ${state.mallocs - Math.floor(m.heapAlloc / 96)}\n`,
      `# HeapAlloc = ${m.heapAlloc}\n# HeapSys = ${state.heapSys}\n# HeapIdle = ${m.idle}\n`,
      `# HeapInuse = ${m.heapInuse}\n# HeapReleased = ${state.released}\n# HeapObjects = ${Math.floor(m.heapAlloc / 96)}\n`,
      `# Stack = ${m.stackSys} / ${m.stackSys}\n# MSpan = ${Math.floor(m.mspanSys * 0.9)} / ${m.mspanSys}\n`,
      `# MCache = 2400 / 16384\n# BuckHashSys = 1500000\n# GCSys = ${m.gcSys}\n# OtherSys = 600000\n`,
      `# NextGC = ${pages(m.heapAlloc * 2)}\n# LastGC = ${lastGC}\n`,
      `# PauseNs = [${pause.join(" ")}]\n# PauseEnd = [${pauseEnd.join(" ")}]\n`,
      `# NumGC = ${state.numGC}\n# NumForcedGC = 0\n# GCCPUFraction = ${(0.001 + rand() * 0.01).toFixed(17)}\n`,
      `# DebugGC = false\n# MaxRSS = ${state.peakResident + 9 * MiB}\n`,
    );
    return out.join("");
  }

  function smapsText(m) {
    const kb = (b) => String(Math.round(b / 1024)).padStart(8) + " kB";
    return `00400000-7ffd70994000 ---p 00000000 00:00 0                              [rollup]
Rss:            ${kb(m.rss)}
Pss:            ${kb(m.rss - 900000)}
Anonymous:      ${kb(m.rss - 9 * MiB)}
LazyFree:       ${kb(m.lazyFree)}
AnonHugePages:  ${kb(0)}
Swap:           ${kb(0)}
`;
  }

  const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  const basic = (ms) => iso(ms).replace(/[-:]/g, "");
  mkdirSync(a.out, { recursive: true });
  const rssFd = openSync(join(a.out, "rss.log"), "w");
  let buf = "";
  for (let sec = 0; sec <= total; sec += rssEvery) {
    const m = step(sec);
    const t = t0 + sec * 1000;
    buf += `${iso(t)} VmRSS:\t${String(Math.round(m.rss / 1024)).padStart(8)} kB\n`;
    if (buf.length > 1 << 20) {
      writeSync(rssFd, buf);
      buf = "";
    }
    if (sec % snapEvery === 0) writeFileSync(join(a.out, `heap-${basic(t)}.txt`), heapText(sec, m));
    if (sec % smapsEvery === 0) writeFileSync(join(a.out, `smaps-${basic(t)}.txt`), smapsText(m));
  }
  writeSync(rssFd, buf);
  closeSync(rssFd);
  return {
    snapshots: Math.floor(total / snapEvery) + 1,
    rssSamples: Math.floor(total / rssEvery) + 1,
    smaps: Math.floor(total / smapsEvery) + 1,
  };
}
