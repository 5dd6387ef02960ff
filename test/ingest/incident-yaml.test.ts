/**
 * incident-yaml (CONSTRUCTED fixtures: no real incident.yaml exists outside this project), and ingest
 * honouring its timezone for zone-less stamps of other files when no --tz was given.
 */
import assert from "node:assert/strict";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { ingestIncident } from "../../src/ingest/ingest.js";
import { incidentYaml, parseSize } from "../../src/ingest/parsers/incident-yaml.js";
import { fileFromDisk, UTC_OPTIONS } from "../helpers/capture-file.js";
import { fixture, sample } from "../helpers/paths.js";

async function parse(name: string) {
  const file = await fileFromDisk(fixture("incident-yaml", name), "incident.yaml");
  assert.equal(incidentYaml.sniff(file), true);
  return incidentYaml.parse(file, UTC_OPTIONS);
}

test("every known key, Go-style sizes, zone-less times in the file's own timezone, unknown keys kept", async () => {
  const out = await parse("incident.CONSTRUCTED.yaml");
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  const m = out.data.meta!;
  assert.equal(m.title, "catalogd RSS alarm on prod-eu-3");
  assert.equal(m.pid, 17085);
  assert.equal(m.goVersion, "1.20", "read from the source text, not the float 1.2");
  assert.equal(m.kernel, "5.15.0-105-generic");
  assert.equal(m.godebug, "madvdontneed=0");
  assert.equal(m.gogc, "100");
  assert.equal(m.gomemlimitBytes, 512 * 1024 * 1024);
  assert.equal(m.rssThresholdBytes, 1024 ** 3);
  assert.equal(m.timezone, "Europe/Berlin");
  // 06:26:08 in Berlin (UTC+1 in November) = 05:26:08 UTC
  assert.equal(m.processStart, Date.UTC(2026, 10, 24, 5, 26, 8));
  assert.deepEqual(
    m.events.map((e) => [e.at, e.label, e.src.line]),
    [
      [Date.UTC(2026, 10, 24, 5, 26, 30), "traffic shifted", 17],
      [Date.UTC(2026, 10, 24, 5, 27, 0), "deploy v2.3.1", 15],
    ],
  );
  assert.equal(m.notes, "The alarm fired at 1 GiB.\nRestarted by hand.\n");
  assert.deepEqual(m.unknownKeys, ["owner", "ticket"]);
});

test("wrong types are reported with their line and ignored", async () => {
  const out = await parse("incident-wrong-types.CONSTRUCTED.yaml");
  assert.equal(out.kind, "parsed");
  if (out.kind !== "parsed") return;
  const m = out.data.meta!;
  assert.equal(m.title, "wrong types");
  assert.equal(m.pid, undefined);
  assert.equal(m.gomemlimitBytes, undefined);
  assert.equal(m.timezone, undefined);
  assert.equal(m.rssThresholdBytes, undefined);
  assert.deepEqual(
    m.events.map((e) => e.label),
    ["fine"],
  );
  const lines = out.data.issues!.filter((i) => i.severity === "warning").map((i) => i.src?.line);
  assert.deepEqual(lines, [2, 3, 4, 5, 7]);
  assert.match(out.data.issues![0]!.message, /^incident\.yaml:2: pid: expected a process id/);
});

test("a YAML syntax error makes the file malformed at its line", async () => {
  const out = await parse("incident-syntax-error.CONSTRUCTED.yaml");
  assert.equal(out.kind, "malformed");
  // The yaml parser places this one where the compact mapping that the bad line breaks begins.
  if (out.kind === "malformed") {
    assert.equal(out.line, 4);
    assert.match(out.message, /^YAML syntax error: Nested mappings are not allowed/);
  }
});

test("sizes: bytes, binary and SI suffixes", () => {
  assert.equal(parseSize("536870912"), 536870912);
  assert.equal(parseSize("512MiB"), 536870912);
  assert.equal(parseSize("1.5GiB"), 1610612736);
  assert.equal(parseSize("2GB"), 2e9);
  assert.equal(parseSize("lots"), null);
});

test("ingest reads zone-less stamps in incident.yaml's timezone unless --tz was given", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "memgap-yaml-"));
  try {
    await writeFile(path.join(dir, "incident.yaml"), "timezone: Asia/Tokyo\n");
    await copyFile(
      sample("fragmentation/heap_2026-11-24_05-35-34.txt"),
      path.join(dir, "heap_2026-11-24_05-35-34.txt"),
    );
    const fromYaml = await ingestIncident({ incidentDir: dir, incidentId: "x", zone: null });
    assert.equal(fromYaml.meta?.timezone, "Asia/Tokyo");
    // 05:35:34 in Tokyo (UTC+9) = 20:35:34 UTC the day before
    assert.equal(fromYaml.memstats[0]!.t, Date.UTC(2026, 10, 23, 20, 35, 34));
    assert.equal(fromYaml.memstats[0]!.zoneAssumed, true);
    assert.ok(fromYaml.issues.some((i) => /Asia\/Tokyo/.test(i.message)));
    const explicit = await ingestIncident({ incidentDir: dir, incidentId: "x", zone: "UTC" });
    assert.equal(explicit.memstats[0]!.t, Date.UTC(2026, 10, 24, 5, 35, 34));
    assert.equal(explicit.files.find((f) => f.path === "incident.yaml")?.format, "incident-yaml");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
