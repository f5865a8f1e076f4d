import { Type, type Static } from 'typebox';

/** A local time of day, `HH:MM` (24-hour); `24:00` only as the end of an interval. */
const LocalTime = Type.String({
  pattern: '^(?:[01]\\d|2[0-3]):[0-5]\\d$|^24:00$',
  description: 'a local time HH:MM (00:00 to 24:00)',
  examples: ['09:00'],
});

export const MAX_INTERVALS_PER_DAY = 12;
export const MAX_DATE_OVERRIDES = 400;

/** One working interval of a local day, half-open: `start` before `end`. */
export const WorkingInterval = Type.Object({ start: LocalTime, end: LocalTime });
export type WorkingInterval = Static<typeof WorkingInterval>;

const DayHours = Type.Array(WorkingInterval, {
  maxItems: MAX_INTERVALS_PER_DAY,
  description: 'the working intervals of the day, in local time, not overlapping; empty = closed',
});

export const WeeklyHours = Type.Object(
  { mon: DayHours, tue: DayHours, wed: DayHours, thu: DayHours, fri: DayHours, sat: DayHours, sun: DayHours },
);
export type WeeklyHours = Static<typeof WeeklyHours>;

export const LocalDate = Type.String({
  pattern: '^\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])$',
  description: 'a local date YYYY-MM-DD',
  examples: ['2026-12-24'],
});

export const DateOverride = Type.Object(
  { date: LocalDate, hours: DayHours },
  { description: 'other hours on one local date; empty hours = closed that day' },
);
export type DateOverride = Static<typeof DateOverride>;

/** An IANA time zone name (`Europe/Berlin`, `UTC`); the API checks it against the zone database. */
export const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z][A-Za-z0-9_+\\-]*(?:/[A-Za-z0-9_+\\-]+)*$',
  description: 'an IANA time zone name, e.g. Europe/Berlin',
  examples: ['Europe/Berlin'],
});

export const SCHEDULE_LIMITS = {
  slot_interval_minutes: { minimum: 5, maximum: 240 },
  buffer_before_minutes: { minimum: 0, maximum: 240 },
  buffer_after_minutes: { minimum: 0, maximum: 240 },
  minimum_notice_minutes: { minimum: 0, maximum: 10_080 },
  booking_horizon_days: { minimum: 1, maximum: 730 },
} as const;

export const Schedule = Type.Object(
  {
    time_zone: TimeZone,
    weekly_hours: WeeklyHours,
    date_overrides: Type.Array(DateOverride, { maxItems: MAX_DATE_OVERRIDES }),
    slot_interval_minutes: Type.Integer(SCHEDULE_LIMITS.slot_interval_minutes),
    buffer_before_minutes: Type.Integer(SCHEDULE_LIMITS.buffer_before_minutes),
    buffer_after_minutes: Type.Integer(SCHEDULE_LIMITS.buffer_after_minutes),
    minimum_notice_minutes: Type.Integer(SCHEDULE_LIMITS.minimum_notice_minutes),
    booking_horizon_days: Type.Integer(SCHEDULE_LIMITS.booking_horizon_days),
  },
  { title: 'Schedule' },
);
export type Schedule = Static<typeof Schedule>;
