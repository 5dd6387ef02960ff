/**
 * A child process for test/hostile/large-log-streams.test.ts: ingests the incident directory given
 * as its argument (run under a small --max-old-space-size) and prints the first file's outcome and
 * the heap in use after the parse as JSON.
 */
import { ingestIncident } from "../../src/ingest/ingest.js";

const dir = process.argv[2]!;
const res = await ingestIncident({ incidentDir: dir, incidentId: "heap", zone: "UTC" });
const f = res.files[0]!;
process.stdout.write(
  JSON.stringify({
    status: f.status,
    message: f.message,
    records: f.records,
    gc: res.gc.length,
    heapMiB: Math.round(process.memoryUsage().heapUsed / 1024 / 1024),
  }),
);
