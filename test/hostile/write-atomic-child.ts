/**
 * A child process for test/hostile/write-atomic.test.ts: writes `target` atomically, either once
 * (`once <bytes>`) or in an endless loop alternating two contents of different sizes (`loop`), so
 * that the parent can interrupt it (SIGKILL, a file-size limit) at any moment.
 */
import { writeFileAtomic } from "../../src/render/write-atomic.js";

/** Two contents a reader can tell apart whole: sizes differ, and every byte says which one it is. */
export const LOOP_CONTENTS = [
  { byte: 0x61, size: 6 * 1024 * 1024 },
  { byte: 0x62, size: 9 * 1024 * 1024 + 7 },
];

async function run(): Promise<void> {
  const [mode, target, bytes] = process.argv.slice(2);
  if (mode === "once") {
    await writeFileAtomic(target!, Buffer.alloc(Number(bytes), 0x6e));
    return;
  }
  const bufs = LOOP_CONTENTS.map((c) => Buffer.alloc(c.size, c.byte));
  process.stdout.write("ready\n");
  for (let i = 0; ; i++) await writeFileAtomic(target!, bufs[i % 2]!);
}

if (process.argv[1]?.endsWith("write-atomic-child.ts")) {
  run().catch((err: NodeJS.ErrnoException) => {
    process.stderr.write(`${err.code ?? ""} ${err.message}\n`);
    process.exit(3);
  });
}
