/**
 * Builds the adversarial incident in a temporary directory: real captures from a bundled sample (so
 * the pipeline has data to chart and diagnose) mixed with hostile names and contents, broken files,
 * and file-system traps that cannot live in git: symlink loops, links out of the incident, a FIFO,
 * NUL bytes, non-UTF-8 names, a capture-like directory and a 50 MB single line.
 */
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { fixture, sample } from "../helpers/paths.js";

/** Text a leak would carry into the report: it sits outside the incident, behind a symbolic link. */
export const OUTSIDE_CANARY = "CANARY-OUTSIDE-7f3a9c";

/** Bytes of the generated single-line files: far above any line a capture writes, far below memory. */
export const HUGE_LINE_BYTES = 50 * 1024 * 1024;

function adversarial(name: string, port: number): Buffer {
  const raw = readFileSync(fixture("adversarial", name));
  return Buffer.from(raw.toString("latin1").replaceAll("{{PORT}}", String(port)), "latin1");
}

export interface AdversarialIncident {
  /** the incident directory */
  dir: string;
  /** a directory beside it that links point into; nothing from it may reach the report */
  outside: string;
}

/**
 * Create `<parent>/adversarial-incident` and `<parent>/outside`. `port` is the loopback listener that
 * hostile URLs point at; `hugeLines` adds the two 50 MB single-line files.
 */
export function buildAdversarialIncident(
  parent: string,
  port: number,
  hugeLines = true,
): AdversarialIncident {
  const dir = path.join(parent, "adversarial-incident");
  const outside = path.join(parent, "outside");
  mkdirSync(dir, { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, "secret.txt"), `${OUTSIDE_CANARY}\n2026-11-24T05:22:36Z VmRSS:\t 1 kB\n`);
  const at = (...p: string[]): string => path.join(dir, ...p);

  // Real captures: the first 20 s of madvfree-burst (heap, smaps, expvar), its RSS log and gctrace.
  const real = sample("madvfree-burst");
  const names = readdirSync(real).sort();
  for (const prefix of ["heap-", "smaps-", "vars-"])
    for (const n of names.filter((x) => x.startsWith(prefix)).slice(0, 20))
      copyFileSync(path.join(real, n), at(n));
  copyFileSync(path.join(real, "rss.log"), at("rss.log"));
  copyFileSync(path.join(real, "gctrace.log"), at("gctrace.log"));

  // A directory named like a capture, holding a real capture of its own.
  mkdirSync(at("heap-20261124T052300Z.txt"));
  copyFileSync(path.join(real, "heap-20261124T052300Z.txt"), at("heap-20261124T052300Z.txt", "heap.txt"));

  // Heap snapshots whose stack records name hostile functions; the first shares a stamp with a real one.
  mkdirSync(at("sites"));
  writeFileSync(
    at("sites", "heap-20261124T052236Z.txt"),
    adversarial("heap-hostile-sites-1.CONSTRUCTED.txt", port),
  );
  writeFileSync(
    at("sites", "heap-20261124T052255Z.txt"),
    adversarial("heap-hostile-sites-2.CONSTRUCTED.txt", port),
  );

  // Hostile file names (a name cannot hold "/", so the closing tag comes from a directory boundary).
  mkdirSync(at("<script>alert(1)<"));
  writeFileSync(at("<script>alert(1)<", "script>.txt"), adversarial("notes-hostile.CONSTRUCTED.txt", port));
  writeFileSync(at("<img src=x onerror=alert(1)>.log"), adversarial("rss-hostile.CONSTRUCTED.log", port));
  writeFileSync(at("javascript:alert(1).txt"), adversarial("heap-bad-header.CONSTRUCTED.txt", port));
  writeFileSync(at(`![x](http:127.0.0.1:${port}x.png)`), "not a capture\n");
  writeFileSync(at("[click](evil.example)"), adversarial("notes-hostile.CONSTRUCTED.txt", port));
  writeFileSync(at("rss-\u202egol.txt"), adversarial("rss-hostile.CONSTRUCTED.log", port));
  writeFileSync(at("line\nbreak | pipe `tick`.txt"), "hello\n");
  writeFileSync(at("*?[glob]{a,b}.txt"), "glob characters in a name\n");
  writeFileSync(at("back\\slash.txt"), "a backslash in a name\n");
  writeFileSync(at("incident.yaml"), adversarial("incident-hostile.CONSTRUCTED.yaml", port));
  writeFileSync(at("notes.md"), adversarial("notes-hostile.CONSTRUCTED.txt", port));
  writeFileSync(at(".DS_Store"), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));

  // NUL bytes behind a heap header, and a NUL-only file.
  writeFileSync(
    at("heap-nul.txt"),
    Buffer.concat([Buffer.from("heap profile: 1: 2 [3: 4] @ heap/1048576\n"), Buffer.alloc(4096)]),
  );
  writeFileSync(at("zeros.bin"), Buffer.alloc(65536 + 17));
  // A non-UTF-8 file name (bytes 0xff 0xfe), holding a real capture.
  writeFileSync(
    Buffer.concat([Buffer.from(dir + "/heap-"), Buffer.from([0xff, 0xfe]), Buffer.from(".txt")]),
    readFileSync(path.join(real, "heap-20261124T052301Z.txt")),
  );

  // Empty files: one named like a capture (malformed: the capture wrote nothing), one not.
  writeFileSync(at("heap-20261124T052302Z.txt"), "");
  writeFileSync(at("empty.dat"), "");

  // Symbolic links: loops, dangling, out of the incident (file and directory), in to a file and a directory.
  symlinkSync("loop-b", at("loop-a"));
  symlinkSync("loop-a", at("loop-b"));
  symlinkSync("self-loop", at("self-loop"));
  symlinkSync("does-not-exist", at("dangling"));
  symlinkSync("/etc/passwd", at("passwd"));
  symlinkSync("../outside/secret.txt", at("outside-secret.txt"));
  symlinkSync("../outside", at("outside-dir"));
  symlinkSync("/", at("filesystem-root"));
  symlinkSync("heap-20261124T052236Z.txt", at("latest-heap.txt"));
  mkdirSync(at("subdir"));
  symlinkSync("..", at("subdir", "up"));
  writeFileSync(at("subdir", "note.txt"), "inside a subdirectory\n");

  // A FIFO: opening it would block forever.
  execFileSync("mkfifo", [at("capture.fifo")]);

  // Deep nesting.
  const deep = at(...new Array<string>(40).fill("d"));
  mkdirSync(deep, { recursive: true });
  writeFileSync(path.join(deep, "deep.txt"), "forty directories down\n");

  if (hugeLines) {
    // 50 MB single lines: one behind a valid VmRSS line, one behind a heap header.
    const filler = Buffer.alloc(HUGE_LINE_BYTES, "x");
    writeFileSync(
      at("rss-huge-line.log"),
      Buffer.concat([
        Buffer.from("2026-11-24T05:22:36Z VmRSS:\t 10100 kB\n"),
        filler,
        Buffer.from(" VmRSS: 5 kB\n"),
      ]),
    );
    writeFileSync(
      at("heap-huge-line.txt"),
      Buffer.concat([Buffer.from("heap profile: 1: 2 [3: 4] @ heap/1048576 "), filler]),
    );
  }
  return { dir, outside };
}

/**
 * Every entry under `dir` that is not a directory (files, links of any kind, FIFOs), by raw name, with
 * its type, size, mtime and (for regular files) a SHA-256 of its bytes; links are read, never followed.
 * Names are decoded as UTF-8 the way discovery sees them.
 */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (abs: Buffer, rel: string): void => {
    for (const name of readdirSync(abs, { encoding: "buffer" }).sort(Buffer.compare)) {
      const p = Buffer.concat([abs, Buffer.from("/"), name]);
      const r = rel ? `${rel}/${name.toString("utf8")}` : name.toString("utf8");
      const st = lstatSync(p);
      if (st.isDirectory()) {
        out.set(`${r}/`, `dir mtime=${st.mtimeMs}`);
        walk(p, r);
      } else if (st.isSymbolicLink())
        out.set(r, `link -> ${readlinkSync(p, { encoding: "buffer" }).toString("hex")}`);
      else if (st.isFile())
        out.set(
          r,
          `file ${st.size} mtime=${st.mtimeMs} mode=${st.mode} sha256=${createHash("sha256").update(readFileSync(p)).digest("hex")}`,
        );
      else out.set(r, `special mode=${st.mode} mtime=${st.mtimeMs}`);
    }
  };
  walk(Buffer.from(dir), "");
  return out;
}

/** The paths discovery must report: every non-directory entry. */
export function nonDirectoryPaths(snap: Map<string, string>): string[] {
  return [...snap.keys()].filter((k) => !k.endsWith("/")).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
