import assert from "node:assert/strict";
import { test } from "node:test";
import { splitLinePrefix, type PrefixContext } from "../../src/ingest/time/line-prefix.js";

const UTC: PrefixContext = { zone: "UTC", referenceYear: 2024 };
const BERLIN: PrefixContext = { zone: "Europe/Berlin", referenceYear: 2024 };
const MSG = "VmRSS:\t  356712 kB";

function split(
  line: string,
  ctx: PrefixContext = UTC,
): { t: string; assumed: boolean; rest: string; form: string } {
  const p = splitLinePrefix(line, ctx);
  assert.ok(p, `a prefix in ${JSON.stringify(line)}`);
  return { t: new Date(p.t).toISOString(), assumed: p.zoneAssumed, rest: p.rest, form: p.form };
}

test("moreutils ts default 'May 09 09:54:12' (no year: reference year, zone assumed)", () => {
  assert.deepEqual(split(`May 09 09:54:12 ${MSG}`), {
    t: "2024-05-09T09:54:12.000Z",
    assumed: true,
    rest: MSG,
    form: "syslog",
  });
});

test("ts '%b %d %H:%M:%.S' fraction", () => {
  assert.equal(split(`May 09 09:54:12.123456 ${MSG}`).t, "2024-05-09T09:54:12.123Z");
});

test("ts '%.s' epoch with microseconds, and epoch seconds alone on a line (date +%s)", () => {
  const a = split(`1715248452.123456 ${MSG}`);
  assert.equal(a.t, "2024-05-09T09:54:12.123Z");
  assert.equal(a.assumed, false);
  const b = split("1715248452");
  assert.equal(b.rest, "");
});

test("epoch milliseconds", () => {
  assert.equal(split(`1715248452123 ${MSG}`).t, "2024-05-09T09:54:12.123Z");
});

test("ts '%Y-%m-%dT%H:%M:%S' ISO without zone: zone assumed", () => {
  const p = split(`2024-05-09T09:54:12 ${MSG}`);
  assert.equal(p.t, "2024-05-09T09:54:12.000Z");
  assert.equal(p.assumed, true);
});

test("ISO with microseconds and Z (the samples' ts form)", () => {
  const p = split("2026-11-24T05:24:22.437596Z gc 1 @0.7s");
  assert.equal(p.t, "2026-11-24T05:24:22.437Z");
  assert.equal(p.assumed, false);
  assert.equal(p.rest, "gc 1 @0.7s");
});

test("date -Is '2024-05-09T09:54:12+02:00'", () => {
  const p = split(`2024-05-09T09:54:12+02:00 ${MSG}`);
  assert.equal(p.t, "2024-05-09T07:54:12.000Z");
  assert.equal(p.assumed, false);
});

test("RFC3339Nano / docker and kubectl --timestamps", () => {
  assert.equal(split(`2024-05-09T09:54:12.123456789Z ${MSG}`).t, "2024-05-09T09:54:12.123Z");
});

test("containerd CRI log line: stream and tag removed", () => {
  const p = split(`2024-05-09T09:54:12.5Z stderr F ${MSG}`);
  assert.equal(p.rest, MSG);
  assert.equal(p.form, "cri");
});

test("date(1) default 'Thu May  9 09:54:12 UTC 2024'", () => {
  const p = split(`Thu May  9 09:54:12 UTC 2024 ${MSG}`);
  assert.equal(p.t, "2024-05-09T09:54:12.000Z");
  assert.equal(p.assumed, false);
});

test("date(1) with a zone abbreviation other than UTC: read in --tz, flagged", () => {
  const p = split(`Thu May  9 09:54:12 CEST 2024 ${MSG}`, BERLIN);
  assert.equal(p.t, "2024-05-09T07:54:12.000Z");
  assert.equal(p.assumed, true);
});

test("ps -o lstart form without zone 'Tue Nov 24 05:30:46 2026'", () => {
  const p = split("Tue Nov 24 05:30:46 2026 (box clock)");
  assert.equal(p.t, "2026-11-24T05:30:46.000Z");
  assert.equal(p.assumed, true);
});

test("journald 'May 09 09:54:12 host svc[123]: '", () => {
  const p = split(`May 09 09:54:12 api-host-1 apisvc[123]: ${MSG}`);
  assert.equal(p.rest, MSG);
  assert.equal(p.t, "2024-05-09T09:54:12.000Z");
});

test("bracketed '[2024-05-09 09:54:12.123]' (ts '[%Y-%m-%d %H:%M:%.S]')", () => {
  const p = split(`[2024-05-09 09:54:12.123456] ${MSG}`);
  assert.equal(p.t, "2024-05-09T09:54:12.123Z");
  assert.equal(p.rest, MSG);
});

test("Python logging comma fraction '2024-05-09 09:54:12,123'", () => {
  assert.equal(split(`2024-05-09 09:54:12,123 ${MSG}`).t, "2024-05-09T09:54:12.123Z");
});

test("Go log package '2024/05/09 09:54:12'", () => {
  const p = split("2024/05/09 09:54:12 listening on :6060");
  assert.equal(p.t, "2024-05-09T09:54:12.000Z");
  assert.equal(p.form, "go-log");
});

test("--tz honoured across a DST change (Europe/Berlin, 2024-03-31)", () => {
  // 01:30 is CET (+01:00), 03:30 is CEST (+02:00): one wall-clock hour apart, one real hour apart too.
  const before = split(`2024-03-31 01:30:00 ${MSG}`, BERLIN);
  const after = split(`2024-03-31 03:30:00 ${MSG}`, BERLIN);
  assert.equal(before.t, "2024-03-31T00:30:00.000Z");
  assert.equal(after.t, "2024-03-31T01:30:00.000Z");
  assert.equal(before.assumed, true);
  // a stamp with its own zone ignores --tz
  assert.equal(split(`2024-03-31T03:30:00+02:00 ${MSG}`, BERLIN).t, "2024-03-31T01:30:00.000Z");
});

test("syslog stamp across New Year takes the year nearest the reference date", () => {
  const ctx: PrefixContext = {
    zone: "UTC",
    referenceYear: 2025,
    referenceDate: Date.parse("2025-01-01T00:05:00Z"),
  };
  assert.equal(split(`Dec 31 23:59:58 ${MSG}`, ctx).t, "2024-12-31T23:59:58.000Z");
  assert.equal(split(`Jan 01 00:00:02 ${MSG}`, ctx).t, "2025-01-01T00:00:02.000Z");
});

test("no prefix: plain messages, syslog without a known year, impossible dates", () => {
  assert.equal(splitLinePrefix("gc 1 @0.011s 1%: ...", UTC), null);
  assert.equal(splitLinePrefix(`May 09 09:54:12 ${MSG}`, { zone: "UTC", referenceYear: null }), null);
  assert.equal(splitLinePrefix(`2024-13-45T09:54:12Z ${MSG}`, UTC), null);
  assert.equal(splitLinePrefix("12345 13212 1088604 00:00 catalogd", UTC), null);
});
