/**
 * Wall-clock times without a zone: convert a local date-time in an IANA zone to epoch ms.
 *
 * Method: guess UTC, ask Intl what wall-clock that instant shows in the zone, correct by the
 * difference, and repeat once so that DST transitions settle (the standard two-pass offset fix).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` is a zone Intl knows (an IANA name or "UTC"). */
export function isValidZone(zone: string): boolean {
  // UTC is always valid, and answering it without Intl spares every run ICU's ~10 ms start-up
  if (zone === "UTC" || zone === "Etc/UTC") return true;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `zone` from UTC at instant `ms`, in ms (positive east of Greenwich). */
export function zoneOffsetMs(ms: number, zone: string): number {
  if (zone === "UTC" || zone === "Etc/UTC") return 0;
  const parts = formatterFor(zone).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? "0");
  const asUtc = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Epoch ms of a local wall-clock time in `zone`. Month is 1-based. */
export function localToEpoch(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  zone: string,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (zone === "UTC" || zone === "Etc/UTC") return wall;
  let guess = wall - zoneOffsetMs(wall, zone);
  guess = wall - zoneOffsetMs(guess, zone);
  return guess;
}

/** Parse a fraction of a second ("123", "123456789") to whole milliseconds. */
export function fractionToMs(frac: string | undefined): number {
  if (!frac) return 0;
  return Math.floor(Number((frac + "000").slice(0, 3)));
}

/** Parse a numeric zone ("Z", "+05:30", "-0700", "+00") to an offset in ms east of UTC. */
export function numericZoneToMs(zone: string): number {
  if (zone === "Z" || zone === "z") return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return NaN;
  const sign = m[1] === "-" ? -1 : 1;
  return sign * (Number(m[2]) * 3600_000 + Number(m[3] ?? "0") * 60_000);
}

/** A plausible capture time: between 2000-01-01 and 2100-01-01. Guards epoch-looking numbers in names. */
export function isPlausibleEpochMs(ms: number): boolean {
  return Number.isFinite(ms) && ms >= 946_684_800_000 && ms < 4_102_444_800_000;
}
