/**
 * Dating rows that carry only a time of day (`top - 09:54:12 up ...`, pidstat rows, syslog stamps).
 *
 * Method: the first row is placed on the calendar day (in the capture's zone) that puts it nearest a
 * reference instant from other evidence (the file-name stamps of neighbouring captures, or the file's
 * own mtime for its last row); later rows keep that day and move to the next one whenever the clock
 * goes backwards by more than half a day (a midnight roll-over). A smaller backwards step is a clock
 * adjustment or a reordered line, not a new day.
 */
import { localToEpoch, zoneOffsetMs } from "./zone.js";

const DAY_MS = 86_400_000;
/** A time of day that falls by more than this crossed midnight (capture loops sample far more often than twice a day). */
export const ROLLOVER_BACKSTEP_MS = 12 * 3600_000;

export interface TimeOfDay {
  hour: number;
  minute: number;
  second: number;
  millis: number;
}

/** The local calendar day (year, month 1-based, day) of instant `t` in `zone`. */
export function localDayOf(t: number, zone: string): { y: number; mo: number; d: number } {
  const local = new Date(t + zoneOffsetMs(t, zone));
  return { y: local.getUTCFullYear(), mo: local.getUTCMonth() + 1, d: local.getUTCDate() };
}

function epochOn(day: { y: number; mo: number; d: number }, tod: TimeOfDay, zone: string): number {
  return localToEpoch(day.y, day.mo, day.d, tod.hour, tod.minute, tod.second, tod.millis, zone);
}

function shiftDay(
  day: { y: number; mo: number; d: number },
  by: number,
): { y: number; mo: number; d: number } {
  const u = new Date(Date.UTC(day.y, day.mo - 1, day.d) + by * DAY_MS);
  return { y: u.getUTCFullYear(), mo: u.getUTCMonth() + 1, d: u.getUTCDate() };
}

/** The instant of `tod` on the day (the reference's, the one before or after) nearest `referenceMs`. */
export function nearestInstant(tod: TimeOfDay, referenceMs: number, zone: string): number {
  const day = localDayOf(referenceMs, zone);
  let best = epochOn(day, tod, zone);
  for (const by of [-1, 1]) {
    const t = epochOn(shiftDay(day, by), tod, zone);
    if (Math.abs(t - referenceMs) < Math.abs(best - referenceMs)) best = t;
  }
  return best;
}

/** Turns successive times of day into instants, from a known first day, with midnight roll-over. */
export class DayClock {
  private day: { y: number; mo: number; d: number };
  private lastTodMs: number | null = null;

  constructor(
    firstDay: { y: number; mo: number; d: number },
    private readonly zone: string,
  ) {
    this.day = firstDay;
  }

  /** A clock whose first row is placed nearest `referenceMs`. */
  static near(first: TimeOfDay, referenceMs: number, zone: string): DayClock {
    return new DayClock(localDayOf(nearestInstant(first, referenceMs, zone), zone), zone);
  }

  at(tod: TimeOfDay): number {
    const todMs = ((tod.hour * 60 + tod.minute) * 60 + tod.second) * 1000 + tod.millis;
    if (this.lastTodMs !== null && this.lastTodMs - todMs > ROLLOVER_BACKSTEP_MS) {
      this.day = shiftDay(this.day, 1);
    }
    this.lastTodMs = todMs;
    return epochOn(this.day, tod, this.zone);
  }
}

/** Parse `HH:MM:SS[.frac]` with an optional AM/PM; null when it is not a valid time of day. */
export function parseTimeOfDay(text: string, meridiem?: string): TimeOfDay | null {
  const m = /^(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?$/.exec(text);
  if (!m) return null;
  let hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = Number(m[3]);
  if (meridiem) {
    const pm = /^p/i.test(meridiem);
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 60) return null;
  const millis = m[4] ? Math.floor(Number((m[4] + "000").slice(0, 3))) : 0;
  return { hour, minute, second, millis };
}
