import { currentZoneOf } from '@agentcaller/sdk';
import { toDateValue } from './dateInput';

// Display follows the browser's language and time zone (Intl).
const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayShort = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const dayLong = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const dateOnly = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

export const formatTime = (d: Date) => time.format(d);

// Hour labels of the grid: "9 AM" where the clock has 12 hours, "09:00" where it has 24.
const twelveHour = new Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hour12 === true;
const hourLabel = new Intl.DateTimeFormat(undefined, twelveHour ? { hour: 'numeric' } : { hour: '2-digit', minute: '2-digit' });
export const formatHour = (d: Date) => hourLabel.format(d);
export const formatDayShort = (d: Date) => dayShort.format(d);
export const formatDayLong = (d: Date) => dayLong.format(d);
export const formatWeekday = (d: Date) => weekday.format(d);
export const formatDate = (d: Date) => dateOnly.format(d);

const zonedTime = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
const HOUR_MS = 3_600_000;

/** Does the browser's clock show `d`'s time twice that day (the hour repeated when clocks go back)? */
function repeatedTime(d: Date): boolean {
  const offset = d.getTimezoneOffset();
  return [d.getTime() - 3 * HOUR_MS, d.getTime() + 3 * HOUR_MS].some((near) => {
    const other = new Date(near).getTimezoneOffset();
    // The instant whose wall clock equals d's, if the zone were at the other offset then.
    return other !== offset && new Date(d.getTime() + (other - offset) * 60_000).getTimezoneOffset() === other;
  });
}

/**
 * "10:00 – 10:30" (or the same with the day when it ends on another day). Across a clock change, or
 * in the hour that happens twice, each time carries its zone ("1:30 AM EDT – 1:30 AM EST"), so an
 * hour does not read as nothing.
 */
export function formatTimeRange(start: Date, end: Date): string {
  const zoned = start.getTimezoneOffset() !== end.getTimezoneOffset() || repeatedTime(start) || repeatedTime(end);
  const show = zoned ? (d: Date) => zonedTime.format(d) : formatTime;
  if (toDateValue(start) === toDateValue(end)) return `${show(start)} – ${show(end)}`;
  return `${show(start)} – ${formatDayShort(end)} ${show(end)}`;
}

/** "Mon, 7 Dec, 10:00 – 10:30" */
export function formatWhen(startIso: string, endIso: string): string {
  const start = new Date(startIso);
  return `${formatDayShort(start)}, ${formatTimeRange(start, new Date(endIso))}`;
}

export function formatDuration(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** The browser's IANA time zone by its current name, e.g. "Europe/Paris", "Asia/Kolkata" (not ICU's "Asia/Calcutta"). */
export function browserTimeZone(): string {
  return currentZoneOf(Intl.DateTimeFormat().resolvedOptions().timeZone);
}

const range = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

/** "Dec 7 – 13, 2026" / "7–13 Dec 2026", as the browser's language writes a range of days. */
export function formatWeekLabel(firstDay: Date, lastDay: Date): string {
  return range.formatRange(firstDay, lastDay);
}
