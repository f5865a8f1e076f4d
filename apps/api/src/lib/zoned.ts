// Local dates and times of an IANA time zone, computed with the runtime's zone database (Intl):
// no table of offsets of our own, and no dependence on the database server's tzdata.

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** One formatter per zone; only zones the runtime knows are ever cached, so the map is bounded. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 1024;

function formatter(zone: string): Intl.DateTimeFormat {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= MAX_FORMATTERS) formatters.clear();
    formatters.set(zone, format);
  }
  return format;
}

/** A calendar date (no zone): year, month 1–12, day 1–31. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** The zone's wall clock at `ms`, read as if it were UTC (milliseconds since the epoch). */
function wallClock(zone: string, ms: number): number {
  // Every field the formatter is asked for is set from its parts.
  const parts = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  for (const part of formatter(zone).formatToParts(ms)) {
    if (part.type in parts) parts[part.type as keyof typeof parts] = Number(part.value);
  }
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
}

/** The zone's offset from UTC at `ms`, in milliseconds (whole seconds). */
function offsetAt(zone: string, ms: number): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallClock(zone, whole) - whole;
}

/** The local date of an instant in a zone. */
export function localDateOf(zone: string, ms: number): LocalDate {
  const wall = new Date(wallClock(zone, ms));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

/** The date `days` after `date` (negative: before). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const next = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayIndex(date: LocalDate): number {
  return (new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7;
}

export const dateKey = (date: LocalDate) =>
  `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;

/** Days from `a` to `b` (calendar dates). */
export const daysBetween = (a: LocalDate, b: LocalDate) =>
  Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY_MS);

/**
 * The instant at which the zone's clocks show `minutes` after midnight of `date` (1440 = the next
 * midnight). Where that wall time happens twice (clocks go back) it is the first; where it never
 * happens (clocks go forward) it is read with the offset in force before the change, i.e. moved
 * forward by the gap: 02:30 on Berlin's spring day is 03:30 CEST. This is what PostgreSQL's
 * `timestamp AT TIME ZONE` and Temporal's "compatible" disambiguation do.
 */
export function instantOf(zone: string, date: LocalDate, minutes: number): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minutes * MINUTE_MS;
  const before = offsetAt(zone, wall - DAY_MS / 2);
  const after = offsetAt(zone, wall + DAY_MS / 2);
  const early = wall - before;
  const late = wall - after;
  const candidates = [early, late].filter((t) => t - wall + offsetAt(zone, t) === 0).sort((a, b) => a - b);
  return candidates[0] ?? early;
}
