import { MAX_AVAILABILITY_DAYS, type Availability, type Schedule, type Slot, type WorkingInterval } from '@agentcaller/contracts';
import { appointments, queryRows, WEEKDAYS, type Database } from '@agentcaller/db';
import { and, eq, sql } from 'drizzle-orm';
import { NotFoundError, ValidationError } from '../errors.js';
import { iso, parseInstant } from '../lib/time.js';
import { addDays, dateKey, daysBetween, instantOf, localDateOf, weekdayIndex } from '../lib/zoned.js';
import { APPOINTMENT_NOT_FOUND } from './appointments.js';
import { minutesOf, ScheduleService } from './schedule.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** A busy stretch of the calendar, in epoch milliseconds, half-open. */
interface Busy {
  start: number;
  end: number;
}

interface SlotWindow {
  from: number;
  to: number;
  /** The slot's length. */
  durationMs: number;
  /** No slot starts before this (now + notice), nor after `latestStart` (now + horizon). */
  earliestStart: number;
  latestStart: number;
}

/**
 * The bookable slots of `window`, in one pass over the local days: each working interval's grid
 * (stepped from the interval's start), kept when it lies wholly inside the interval and the window,
 * respects notice and horizon, and misses every busy stretch. `busy` is ordered and disjoint (the
 * appointments widened by the buffers, merged), so one pointer walks it alongside the slots.
 */
function bookableSlots(schedule: Schedule, busy: Busy[], window: SlotWindow): Slot[] {
  const zone = schedule.time_zone;
  const step = schedule.slot_interval_minutes * MINUTE_MS;
  const overrides = new Map(schedule.date_overrides.map((o) => [o.date, o.hours]));
  const slots: Slot[] = [];
  // The day before the window's first local date too: its intervals cannot reach into the window
  // (they end by its midnight), but a day that a clock change made longer is not worth reasoning about.
  const first = addDays(localDateOf(zone, window.from), -1);
  const days = daysBetween(first, localDateOf(zone, window.to));
  let b = 0;
  for (let d = 0; d <= days; d++) {
    const date = addDays(first, d);
    const hours: WorkingInterval[] = overrides.get(dateKey(date)) ?? schedule.weekly_hours[WEEKDAYS[weekdayIndex(date)]!];
    for (const interval of hours) {
      const start = instantOf(zone, date, minutesOf(interval.start));
      const end = instantOf(zone, date, minutesOf(interval.end));
      // The first grid point no earlier than the window, the notice: jump there directly.
      const floor = Math.max(window.from, window.earliestStart);
      let t = start >= floor ? start : start + Math.ceil((floor - start) / step) * step;
      for (; t + window.durationMs <= end; t += step) {
        const slotEnd = t + window.durationMs;
        if (slotEnd > window.to || t > window.latestStart) return slots;
        while (b < busy.length && busy[b]!.end <= t) b++;
        if (b < busy.length && busy[b]!.start < slotEnd) continue;
        slots.push({ starts_at: iso(new Date(t)), ends_at: iso(new Date(slotEnd)) });
      }
    }
  }
  return slots;
}

export class AvailabilityService {
  private readonly schedules: ScheduleService;

  constructor(private readonly db: Database) {
    this.schedules = new ScheduleService(db);
  }

  /** The calendar's non-cancelled appointments widened by the buffers, merged, ordered (PostgreSQL's multiranges). */
  private async busy(ownerId: number, from: Date, to: Date, before: number, after: number, excluded: number | undefined): Promise<Busy[]> {
    // Raw SQL takes no Date parameters through every driver: instants travel as RFC 3339 text. The
    // `&&` on the non-cancelled rows is the exclusion constraint's own GiST index.
    const [fromText, toText] = [iso(from), iso(to)];
    const beforeGap = sql`make_interval(mins => ${before}::int)`;
    const afterGap = sql`make_interval(mins => ${after}::int)`;
    return queryRows<Busy>(
      this.db,
      sql`
        select (extract(epoch from lower(g)) * 1000)::float8 as "start", (extract(epoch from upper(g)) * 1000)::float8 as "end"
        from unnest(coalesce(
          (select range_agg(tstzrange(${appointments.startsAt} - ${beforeGap}, ${appointments.endsAt} + ${afterGap}, '[)'))
             from ${appointments}
            where ${appointments.ownerId} = ${ownerId} and ${appointments.status} <> 'cancelled'
              and ${appointments.id} is distinct from ${excluded ?? null}::int
              and tstzrange(${appointments.startsAt}, ${appointments.endsAt}, '[)')
                  && tstzrange(${fromText}::timestamptz - ${afterGap}, ${toText}::timestamptz + ${beforeGap}, '[)')),
          '{}'::tstzmultirange)) as g
        order by lower(g)`,
    );
  }

  /**
   * The bookable slots of `duration_minutes` wholly inside [from, to), at most 31 days wide (spec,
   * "Appointments"). `exclude_appointment_id`, one of the caller's appointments, counts as free (the
   * times it could move to); anyone else's, or none, is 404 as on every appointment route.
   */
  async slots(ownerId: number, query: { from: string; to: string; duration_minutes: number; exclude_appointment_id?: number | undefined }): Promise<Availability> {
    const from = parseInstant(query.from, '/from');
    const to = parseInstant(query.to, '/to');
    if (to.getTime() <= from.getTime()) throw new ValidationError([{ path: '/to', message: 'must be after from' }]);
    if (to.getTime() - from.getTime() > MAX_AVAILABILITY_DAYS * DAY_MS) {
      throw new ValidationError([{ path: '/to', message: `must be at most ${MAX_AVAILABILITY_DAYS} days after from` }]);
    }
    const excluded = query.exclude_appointment_id;
    if (excluded !== undefined) {
      const [own] = await this.db
        .select({ id: appointments.id })
        .from(appointments)
        .where(and(eq(appointments.id, excluded), eq(appointments.ownerId, ownerId)));
      if (!own) throw new NotFoundError(APPOINTMENT_NOT_FOUND);
    }
    const schedule = await this.schedules.get(ownerId);
    const now = Date.now();
    const window: SlotWindow = {
      from: from.getTime(),
      to: to.getTime(),
      durationMs: query.duration_minutes * MINUTE_MS,
      earliestStart: now + schedule.minimum_notice_minutes * MINUTE_MS,
      latestStart: now + schedule.booking_horizon_days * DAY_MS,
    };
    if (Math.max(window.from, window.earliestStart) >= Math.min(window.to, window.latestStart + 1)) {
      return { time_zone: schedule.time_zone, slots: [] };
    }
    const busy = await this.busy(ownerId, from, to, schedule.buffer_before_minutes, schedule.buffer_after_minutes, excluded);
    return { time_zone: schedule.time_zone, slots: bookableSlots(schedule, busy, window) };
  }
}
