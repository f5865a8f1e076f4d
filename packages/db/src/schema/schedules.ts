import { sql } from 'drizzle-orm';
import { check, foreignKey, integer, jsonb, pgTable, varchar } from 'drizzle-orm/pg-core';
import { timestamptz } from './timestamptz.js';
import { users } from './users.js';

/** One local working interval, `HH:MM` to `HH:MM` (end may be `24:00`), start before end. */
export interface WorkingInterval {
  start: string;
  end: string;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type WeeklyHours = Record<Weekday, WorkingInterval[]>;
export interface DateOverride {
  /** A local date, `YYYY-MM-DD`. */
  date: string;
  hours: WorkingInterval[];
}

/**
 * When a user's business takes appointments (spec, "Schedule"). One row per user, written whole by
 * `PUT /v1/schedule`; an account without a row (adopted from the original service, or created by
 * it) has the default. The hours are jsonb: they are always read and replaced as a whole, their
 * shape is checked by the API's schema, and no query ever looks inside them (availability reads
 * one row and computes in one pass). The numbers are columns with the contract's ranges as checks.
 */
export const schedules = pgTable(
  'schedules',
  {
    userId: integer('user_id').primaryKey(),
    /** An IANA zone name in its canonical spelling (e.g. `Europe/Berlin`, `UTC`). */
    timeZone: varchar('time_zone', { length: 64 }).notNull(),
    weeklyHours: jsonb('weekly_hours').$type<WeeklyHours>().notNull(),
    dateOverrides: jsonb('date_overrides').$type<DateOverride[]>().notNull().default(sql`'[]'::jsonb`),
    slotIntervalMinutes: integer('slot_interval_minutes').notNull(),
    bufferBeforeMinutes: integer('buffer_before_minutes').notNull(),
    bufferAfterMinutes: integer('buffer_after_minutes').notNull(),
    minimumNoticeMinutes: integer('minimum_notice_minutes').notNull(),
    bookingHorizonDays: integer('booking_horizon_days').notNull(),
    updatedAt: timestamptz('updated_at').notNull().default(sql`now()`),
  },
  (t) => [
    foreignKey({ name: 'schedules_user_id_fkey', columns: [t.userId], foreignColumns: [users.id] }).onDelete('cascade'),
    check('schedules_slot_interval_range', sql`${t.slotIntervalMinutes} BETWEEN 5 AND 240`),
    check('schedules_buffers_range', sql`${t.bufferBeforeMinutes} BETWEEN 0 AND 240 AND ${t.bufferAfterMinutes} BETWEEN 0 AND 240`),
    check('schedules_notice_range', sql`${t.minimumNoticeMinutes} BETWEEN 0 AND 10080`),
    check('schedules_horizon_range', sql`${t.bookingHorizonDays} BETWEEN 1 AND 730`),
    check('schedules_hours_shape', sql`jsonb_typeof(${t.weeklyHours}) = 'object' AND jsonb_typeof(${t.dateOverrides}) = 'array'`),
  ],
);

export type Schedule = typeof schedules.$inferSelect;
export type NewSchedule = typeof schedules.$inferInsert;
