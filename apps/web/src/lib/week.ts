import { addDays, addWeeks, startOfDay, startOfWeek } from 'date-fns';
import { fromDateValue, toDateValue } from './dateInput';

/** Weeks start on Monday, as business calendars do. */
const WEEK_STARTS_ON = 1;

export function weekStartOf(date: Date): Date {
  return startOfWeek(date, { weekStartsOn: WEEK_STARTS_ON });
}

/** The `?week=2026-12-07` parameter: any day of the week (local date); today's week otherwise. */
export function parseWeekParam(value: string | null | undefined, now: Date = new Date()): Date {
  const day = value ? fromDateValue(value) : null;
  return weekStartOf(day ?? now);
}

export function formatDateParam(day: Date): string {
  return toDateValue(day);
}

/** The seven local days of the week; each starts at its own local midnight (DST-safe). */
export function weekDays(weekStart: Date): Date[] {
  return Array.from({ length: 7 }, (_, i) => addDays(weekStart, i));
}

/** The instants of the week, [from, to), for the API's `from`/`to` filters. */
export function weekRange(weekStart: Date): { from: Date; to: Date } {
  return { from: weekStart, to: addWeeks(weekStart, 1) };
}

export function shiftWeek(weekStart: Date, weeks: number): Date {
  return weekStartOf(addWeeks(weekStart, weeks));
}

/** Minutes after local midnight on the wall clock (what the grid shows, also on DST days). */
function wallMinutes(instant: Date): number {
  return instant.getHours() * 60 + instant.getMinutes();
}

export interface Timed {
  starts_at: string;
  ends_at: string;
}

export interface DaySegment<T extends Timed> {
  item: T;
  /** Wall-clock minutes after this day's midnight. */
  startMinute: number;
  endMinute: number;
  /** The appointment began on an earlier day / goes on into the next. */
  continuesBefore: boolean;
  continuesAfter: boolean;
}

/**
 * Places each item in the days of the week it touches, clipped to each day: an appointment from
 * 23:00 to 01:00 appears at the end of one day and the start of the next.
 */
export function layoutWeek<T extends Timed>(items: readonly T[], weekStart: Date): DaySegment<T>[][] {
  const days = weekDays(weekStart);
  return days.map((day) => {
    const dayStart = day.getTime();
    const dayEnd = addDays(day, 1).getTime();
    const segments: DaySegment<T>[] = [];
    for (const item of items) {
      const start = Date.parse(item.starts_at);
      const end = Date.parse(item.ends_at);
      if (end <= dayStart || start >= dayEnd) continue;
      const continuesBefore = start < dayStart;
      const continuesAfter = end > dayEnd;
      const startMinute = continuesBefore ? 0 : wallMinutes(new Date(start));
      segments.push({
        item,
        startMinute,
        // Ends at or after the next midnight: the rest of the day. (On the night clocks go back,
        // the wall clock can run backwards; an item is always at least a minute tall.)
        endMinute: end >= dayEnd ? 24 * 60 : Math.max(wallMinutes(new Date(end)), startMinute + 1),
        continuesBefore,
        continuesAfter,
      });
    }
    return segments.sort((a, b) => a.startMinute - b.startMinute);
  });
}

/** The hours the grid shows: 07:00 to 21:00, widened to fit every appointment of the week. */
export function visibleHours(segments: DaySegment<Timed>[][], defaults: { from: number; to: number } = { from: 7, to: 21 }): { from: number; to: number } {
  let from = defaults.from;
  let to = defaults.to;
  for (const day of segments) {
    for (const s of day) {
      from = Math.min(from, Math.floor(s.startMinute / 60));
      to = Math.max(to, Math.ceil(s.endMinute / 60));
    }
  }
  return { from, to: Math.min(24, Math.max(to, from + 1)) };
}

export function isSameLocalDay(a: Date, b: Date): boolean {
  return startOfDay(a).getTime() === startOfDay(b).getTime();
}
