import { currentTimeZoneName, type DateOverride, type Schedule as WireSchedule, type ValidationIssue, type WeeklyHours, type WorkingInterval } from '@agentcaller/contracts';
import { schedules, WEEKDAYS, type Database, type Schedule } from '@agentcaller/db';
import { eq } from 'drizzle-orm';
import { ValidationError } from '../errors.js';

const NINE_TO_FIVE: WorkingInterval[] = [{ start: '09:00', end: '17:00' }];

/** The schedule of an account that has none stored (spec: Mon–Fri 09:00–17:00, 30-minute grid, …). */
export function defaultSchedule(timeZone = 'UTC'): WireSchedule {
  return {
    time_zone: timeZone,
    weekly_hours: { mon: NINE_TO_FIVE, tue: NINE_TO_FIVE, wed: NINE_TO_FIVE, thu: NINE_TO_FIVE, fri: NINE_TO_FIVE, sat: [], sun: [] },
    date_overrides: [],
    slot_interval_minutes: 30,
    buffer_before_minutes: 0,
    buffer_after_minutes: 0,
    minimum_notice_minutes: 60,
    booking_horizon_days: 60,
  };
}

/** Minutes after local midnight of `HH:MM` (`24:00` = 1440). */
export const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

const UNKNOWN_ZONE = 'must be a time zone of the IANA database, e.g. Europe/Berlin';

/** An IANA zone in its canonical spelling, or a 422 naming `path`. */
export function checkedTimeZone(name: string, path: string): string {
  const zone = currentTimeZoneName(name);
  if (!zone) throw new ValidationError([{ path, message: UNKNOWN_ZONE }]);
  return zone;
}

/** One day's intervals ordered by start; reversed, empty or overlapping ones are reported. */
function checkedDay(hours: WorkingInterval[], path: string, issues: ValidationIssue[]): WorkingInterval[] {
  const ordered = hours.map((interval, index) => ({ interval, index })).sort((a, b) => minutesOf(a.interval.start) - minutesOf(b.interval.start));
  let previousEnd = -1;
  for (const { interval, index } of ordered) {
    if (minutesOf(interval.end) <= minutesOf(interval.start)) {
      issues.push({ path: `${path}/${index}/end`, message: 'must be after start' });
    } else if (minutesOf(interval.start) < previousEnd) {
      issues.push({ path: `${path}/${index}`, message: 'overlaps another interval of the same day' });
    }
    previousEnd = Math.max(previousEnd, minutesOf(interval.end));
  }
  return ordered.map(({ interval }) => ({ start: interval.start, end: interval.end }));
}

/**
 * The one canonical form of a schedule: the zone's canonical name, each day's intervals and the
 * overrides in order; every rule the schema cannot state (zone known, intervals in order and apart,
 * one override per date) checked at once, all problems reported together.
 */
function canonicalSchedule(body: WireSchedule): WireSchedule {
  const issues: ValidationIssue[] = [];
  const zone = currentTimeZoneName(body.time_zone);
  if (!zone) issues.push({ path: '/time_zone', message: UNKNOWN_ZONE });
  const weekly = Object.fromEntries(
    WEEKDAYS.map((day) => [day, checkedDay(body.weekly_hours[day], `/weekly_hours/${day}`, issues)]),
  ) as WeeklyHours;
  const seen = new Set<string>();
  const overrides: DateOverride[] = body.date_overrides.map((override, index) => {
    if (Number.isNaN(Date.parse(`${override.date}T00:00:00Z`)) || new Date(`${override.date}T00:00:00Z`).toISOString().slice(0, 10) !== override.date) {
      issues.push({ path: `/date_overrides/${index}/date`, message: 'must be a date of the calendar' });
    } else if (seen.has(override.date)) {
      issues.push({ path: `/date_overrides/${index}/date`, message: 'is given twice' });
    }
    seen.add(override.date);
    return { date: override.date, hours: checkedDay(override.hours, `/date_overrides/${index}/hours`, issues) };
  });
  if (issues.length > 0 || !zone) throw new ValidationError(issues);
  overrides.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { ...body, time_zone: zone, weekly_hours: weekly, date_overrides: overrides };
}

function toWire(row: Schedule): WireSchedule {
  return {
    time_zone: row.timeZone,
    weekly_hours: row.weeklyHours,
    date_overrides: row.dateOverrides,
    slot_interval_minutes: row.slotIntervalMinutes,
    buffer_before_minutes: row.bufferBeforeMinutes,
    buffer_after_minutes: row.bufferAfterMinutes,
    minimum_notice_minutes: row.minimumNoticeMinutes,
    booking_horizon_days: row.bookingHorizonDays,
  };
}

/** The row for a (canonical) schedule. */
export function scheduleRow(userId: number, schedule: WireSchedule) {
  return {
    userId,
    timeZone: schedule.time_zone,
    weeklyHours: schedule.weekly_hours,
    dateOverrides: schedule.date_overrides,
    slotIntervalMinutes: schedule.slot_interval_minutes,
    bufferBeforeMinutes: schedule.buffer_before_minutes,
    bufferAfterMinutes: schedule.buffer_after_minutes,
    minimumNoticeMinutes: schedule.minimum_notice_minutes,
    bookingHorizonDays: schedule.booking_horizon_days,
  };
}

/** One schedule per user: the stored row, or the default for an account without one. */
export class ScheduleService {
  constructor(private readonly db: Database) {}

  async get(userId: number): Promise<WireSchedule> {
    const [row] = await this.db.select().from(schedules).where(eq(schedules.userId, userId));
    return row ? toWire(row) : defaultSchedule();
  }

  /** Replaces the whole schedule in one statement (insert or update: no read-modify-write). */
  async put(userId: number, body: WireSchedule): Promise<WireSchedule> {
    const values = scheduleRow(userId, canonicalSchedule(body));
    const { userId: _key, ...changes } = values;
    const [row] = await this.db
      .insert(schedules)
      .values(values)
      .onConflictDoUpdate({ target: schedules.userId, set: { ...changes, updatedAt: new Date() } })
      .returning();
    return toWire(row!);
  }
}
