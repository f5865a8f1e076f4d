import type { Schedule } from '@agentcaller/sdk';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const WEEKDAY_NAMES: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

const formatters = new Map<string, Intl.DateTimeFormat>();
function wallClock(zone: string, instant: Date): { date: string; weekday: number; minutes: number } {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday: WEEKDAY_NAMES[parts.weekday ?? ''] ?? 0, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/**
 * Does [start, end) lie inside one working interval of its local day, in the schedule's zone
 * (a date override first, else the weekday's hours)? The booking dialog warns when it does not.
 */
export function withinWorkingHours(schedule: Schedule, start: Date, end: Date): boolean {
  const from = wallClock(schedule.time_zone, start);
  const to = wallClock(schedule.time_zone, end);
  const length = Math.round((end.getTime() - start.getTime()) / 60_000);
  // The end on the same local day, or exactly at the next midnight (an interval ending 24:00).
  const endMinutes = to.date === from.date ? to.minutes : from.minutes + length;
  if (endMinutes > 1440) return false;
  const hours = schedule.date_overrides.find((o) => o.date === from.date)?.hours ?? schedule.weekly_hours[WEEKDAYS[from.weekday]!];
  return hours.some((interval) => minutesOf(interval.start) <= from.minutes && endMinutes <= minutesOf(interval.end));
}
