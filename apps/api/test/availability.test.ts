// GET /v1/availability: bookable slots per the caller's schedule (spec, "Appointments" and
// "Schedule"). Dates are chosen relative to today (the notice and the horizon are relative to now);
// the daylight-saving days are the next ones of each zone, and where a local time becomes an
// instant the expectation is PostgreSQL's own `timestamp AT TIME ZONE`, not our code.
import { queryRows } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestContext } from './helpers.js';
import { JSON_UTF8, makeAppointment, makeClient, PROBLEM_JSON, signUp, type Caller, type ProblemBody } from './fixtures.js';

let ctx: TestContext;
let alice: Caller;
let bob: Caller;
let adaId: number;

type Slot = { starts_at: string; ends_at: string };
type Interval = { start: string; end: string };

const DAY_MS = 86_400_000;
const CLOSED = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
const ALL_DAY = [{ start: '00:00', end: '24:00' }];
const EVERY_DAY = { mon: ALL_DAY, tue: ALL_DAY, wed: ALL_DAY, thu: ALL_DAY, fri: ALL_DAY, sat: ALL_DAY, sun: ALL_DAY };

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const at = (date: string, time: string) => `${date}T${time}:00.000Z`;

/** The first Monday at least 14 days from now (UTC). */
function nextMonday(): string {
  const start = Date.now() + 14 * DAY_MS;
  const weekday = (new Date(start).getUTCDay() + 6) % 7;
  return isoDate(start + (7 - weekday) * DAY_MS);
}
const plusDays = (date: string, days: number) => isoDate(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS);

/** The `n`th (1-based; -1 = last) given weekday (0 = Sunday) of a month, as YYYY-MM-DD. */
function nthWeekday(year: number, month: number, weekday: number, n: number): string {
  if (n > 0) {
    const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
    return isoDate(Date.UTC(year, month - 1, 1 + ((weekday - first + 7) % 7) + (n - 1) * 7));
  }
  const last = new Date(Date.UTC(year, month, 0));
  return isoDate(last.getTime() - ((last.getUTCDay() - weekday + 7) % 7) * DAY_MS);
}

/** The next date (at least two days ahead) that `rule` gives for a year. */
function next(rule: (year: number) => string): string {
  const year = new Date().getUTCFullYear();
  const date = rule(year);
  return Date.parse(`${date}T00:00:00Z`) > Date.now() + 2 * DAY_MS ? date : rule(year + 1);
}

const base = {
  time_zone: 'UTC',
  weekly_hours: { ...CLOSED, mon: [{ start: '09:00', end: '17:00' }] },
  date_overrides: [],
  slot_interval_minutes: 30,
  buffer_before_minutes: 0,
  buffer_after_minutes: 0,
  minimum_notice_minutes: 0,
  booking_horizon_days: 730,
};

async function schedule(user: Caller, changes: Record<string, unknown>) {
  const res = await user.send('PUT', '/v1/schedule', { ...base, ...changes });
  expect(res.statusCode).toBe(200);
}

async function available(user: Caller, from: string, to: string, duration: number): Promise<{ time_zone: string; slots: Slot[] }> {
  const qs = new URLSearchParams({ from, to, duration_minutes: String(duration) }).toString();
  const res = await user.send('GET', `/v1/availability?${qs}`);
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe(JSON_UTF8);
  const body = res.json<{ time_zone: string; slots: Slot[] }>();
  expect(Object.keys(body)).toEqual(['time_zone', 'slots']);
  for (const slot of body.slots) expect(Object.keys(slot)).toEqual(['starts_at', 'ends_at']);
  return body;
}
const starts = async (user: Caller, from: string, to: string, duration: number) =>
  (await available(user, from, to, duration)).slots.map((s) => s.starts_at);

/** The instant PostgreSQL gives for a local date and time in a zone. */
async function pgInstant(date: string, time: string, zone: string): Promise<number> {
  const local = time === '24:00' ? `${plusDays(date, 1)} 00:00` : `${date} ${time}`;
  const [row] = await queryRows<{ ms: number }>(ctx.app.db, sql`select (extract(epoch from (${local}::timestamp at time zone ${zone})) * 1000)::float8 as ms`);
  return row!.ms;
}

/** What the slots of `intervals` on `date` must be: the zone's instants from PostgreSQL, stepped by the grid. */
async function expectedSlots(date: string, intervals: Interval[], zone: string, gridMinutes: number, durationMinutes: number): Promise<Slot[]> {
  const out: Slot[] = [];
  for (const interval of intervals) {
    const start = await pgInstant(date, interval.start, zone);
    const end = await pgInstant(date, interval.end, zone);
    for (let t = start; t + durationMinutes * 60_000 <= end; t += gridMinutes * 60_000) {
      out.push({ starts_at: new Date(t).toISOString(), ends_at: new Date(t + durationMinutes * 60_000).toISOString() });
    }
  }
  return out;
}

const monday = nextMonday();

beforeAll(async () => {
  ctx = await startApp();
  alice = await signUp(ctx.app, 'alice@example.com');
  bob = await signUp(ctx.app, 'bob@example.com');
  adaId = (await makeClient(alice, 'Ada', '+14155550123')).id;
});
afterAll(() => ctx.close());

async function expect422(query: Record<string, string>, path: string) {
  const res = await alice.send('GET', `/v1/availability?${new URLSearchParams(query).toString()}`);
  expect(res.statusCode).toBe(422);
  expect(res.headers['content-type']).toBe(PROBLEM_JSON);
  const body = res.json<ProblemBody>();
  expect(body).toMatchObject({ type: '/problems/validation', title: 'Unprocessable Entity', status: 422 });
  expect(typeof body.detail).toBe('string');
  expect(body.errors?.map((e) => e.path)).toContain(path);
}

describe('GET /v1/availability', () => {
  it('without credentials is 401', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/v1/availability?from=${monday}T00:00:00Z&to=${monday}T23:00:00Z&duration_minutes=30` });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('the default schedule: Monday 09:00–17:00 UTC on a 30-minute grid, nothing at the weekend', async () => {
    const { time_zone, slots } = await available(bob, `${plusDays(monday, -2)}T00:00:00Z`, `${plusDays(monday, 1)}T00:00:00Z`, 30);
    expect(time_zone).toBe('UTC');
    expect(slots).toHaveLength(16);
    expect(slots[0]).toEqual({ starts_at: at(monday, '09:00'), ends_at: at(monday, '09:30') });
    expect(slots[15]).toEqual({ starts_at: at(monday, '16:30'), ends_at: at(monday, '17:00') });
  });

  it('starts on the grid aligned to each working interval, wholly inside it and the window', async () => {
    await schedule(alice, { weekly_hours: { ...CLOSED, mon: [{ start: '09:10', end: '11:00' }, { start: '13:00', end: '14:00' }] } });
    // 10:10–10:55 fits before 11:00; 10:40–11:25 would not.
    expect(await starts(alice, `${monday}T00:00:00Z`, `${monday}T23:59:00Z`, 45)).toEqual(['09:10', '09:40', '10:10', '13:00'].map((t) => at(monday, t)));
    // The window cuts: slots must lie wholly inside [from, to).
    expect(await starts(alice, `${monday}T09:20:00Z`, `${monday}T13:45:00Z`, 45)).toEqual(['09:40', '10:10', '13:00'].map((t) => at(monday, t)));
    expect(await starts(alice, `${monday}T09:20:00Z`, `${monday}T13:44:00Z`, 45)).toEqual(['09:40', '10:10'].map((t) => at(monday, t)));
    // Longer than any interval: nothing.
    expect(await starts(alice, `${monday}T00:00:00Z`, `${monday}T23:59:00Z`, 111)).toEqual([]);
  });

  it('appointments that are not cancelled block the slots they touch; cancelled ones free them; others’ do not count', async () => {
    await schedule(alice, { weekly_hours: { ...CLOSED, mon: [{ start: '09:00', end: '12:00' }] }, slot_interval_minutes: 60 });
    const a = await makeAppointment(alice, adaId, at(monday, '10:00'), at(monday, '10:30'));
    const bobsClient = await makeClient(bob, 'Bea', '+14155550124');
    await makeAppointment(bob, bobsClient.id, at(monday, '09:00'), at(monday, '12:00'));
    expect(await starts(alice, `${monday}T00:00:00Z`, `${monday}T23:00:00Z`, 60)).toEqual([at(monday, '09:00'), at(monday, '11:00')]);
    for (const status of ['completed', 'no_show']) {
      expect((await alice.send('PATCH', `/v1/appointments/${a.id}`, { status })).statusCode).toBe(200);
      expect(await starts(alice, `${monday}T00:00:00Z`, `${monday}T23:00:00Z`, 60)).toEqual([at(monday, '09:00'), at(monday, '11:00')]);
    }
    expect((await alice.send('POST', `/v1/appointments/${a.id}/cancel`)).statusCode).toBe(200);
    expect(await starts(alice, `${monday}T00:00:00Z`, `${monday}T23:00:00Z`, 60)).toEqual([at(monday, '09:00'), at(monday, '10:00'), at(monday, '11:00')]);
    expect((await alice.send('PATCH', `/v1/appointments/${a.id}`, { status: 'scheduled' })).statusCode).toBe(200);
  });

  it('buffers widen every appointment: before it and after it', async () => {
    await schedule(alice, {
      weekly_hours: { ...CLOSED, mon: [{ start: '09:00', end: '12:00' }] },
      slot_interval_minutes: 15,
      buffer_before_minutes: 15,
      buffer_after_minutes: 30,
    });
    // The appointment 10:00–10:30 holds 09:45–11:00.
    expect(await starts(alice, `${monday}T00:00:00Z`, `${monday}T23:00:00Z`, 30)).toEqual(
      ['09:00', '09:15', '11:00', '11:15', '11:30'].map((t) => at(monday, t)),
    );
  });

  it('date overrides: a closed day, and other hours on a day', async () => {
    const tuesday = plusDays(monday, 1);
    await schedule(alice, {
      weekly_hours: { ...CLOSED, mon: [{ start: '09:00', end: '10:00' }], tue: [{ start: '09:00', end: '10:00' }] },
      date_overrides: [
        { date: monday, hours: [] },
        { date: tuesday, hours: [{ start: '14:00', end: '15:00' }] },
      ],
    });
    expect(await starts(alice, `${monday}T00:00:00Z`, `${plusDays(monday, 2)}T00:00:00Z`, 30)).toEqual([at(tuesday, '14:00'), at(tuesday, '14:30')]);
    // The following Monday is back to its weekly hours.
    expect(await starts(alice, `${plusDays(monday, 7)}T00:00:00Z`, `${plusDays(monday, 8)}T00:00:00Z`, 30)).toEqual([
      at(plusDays(monday, 7), '09:00'),
      at(plusDays(monday, 7), '09:30'),
    ]);
  });

  it('no slot starts before now + the minimum notice', async () => {
    await schedule(alice, { weekly_hours: EVERY_DAY, slot_interval_minutes: 5, minimum_notice_minutes: 600 });
    const from = new Date(Date.now() - DAY_MS).toISOString();
    const to = new Date(Date.now() + 2 * DAY_MS).toISOString();
    const before = Date.now();
    // A slot as long as the grid step fits at every grid point, so the answer does not depend on the
    // time of day (a 30-minute slot cannot start at 23:45: it would leave the day's 00:00-24:00).
    const first = Date.parse((await starts(alice, from, to, 5))[0]!);
    const after = Date.now();
    // The first grid point (every 5 minutes from midnight) at or after now + 10 hours.
    expect(first).toBeGreaterThanOrEqual(before + 600 * 60_000);
    expect(first).toBeLessThan(after + 600 * 60_000 + 5 * 60_000);
  });

  it('no slot starts later than the booking horizon; a window wholly beyond it is empty', async () => {
    await schedule(alice, { weekly_hours: EVERY_DAY, slot_interval_minutes: 5, booking_horizon_days: 1 });
    const from = new Date(Date.now()).toISOString();
    const to = new Date(Date.now() + 3 * DAY_MS).toISOString();
    // Slots as long as the grid step: the last one starts at the last grid point within the horizon,
    // whatever the time of day.
    const found = await starts(alice, from, to, 5);
    const last = Date.parse(found[found.length - 1]!);
    expect(last).toBeLessThanOrEqual(Date.now() + DAY_MS);
    expect(last).toBeGreaterThan(Date.now() + DAY_MS - 10 * 60_000);
    expect(await starts(alice, new Date(Date.now() + 2 * DAY_MS).toISOString(), to, 5)).toEqual([]);
  });

  it('answers in the schedule’s zone: 09:00–17:00 Asia/Kolkata (+05:30) is 03:30–11:30 UTC', async () => {
    await schedule(alice, { time_zone: 'Asia/Kolkata', weekly_hours: { ...CLOSED, tue: [{ start: '09:00', end: '17:00' }] }, slot_interval_minutes: 60 });
    const tuesday = plusDays(monday, 1);
    const { time_zone, slots } = await available(alice, `${monday}T00:00:00Z`, `${plusDays(monday, 3)}T00:00:00Z`, 60);
    expect(time_zone).toBe('Asia/Kolkata');
    expect(slots.map((s) => s.starts_at)).toEqual(['03:30', '04:30', '05:30', '06:30', '07:30', '08:30', '09:30', '10:30'].map((t) => at(tuesday, t)));
    expect(slots).toEqual(await expectedSlots(tuesday, [{ start: '09:00', end: '17:00' }], 'Asia/Kolkata', 60, 60));
  });

  // The change days: [zone, rule for the date, real hours of local 00:00–06:00 that day].
  const changeDays: [string, string, (year: number) => string, number][] = [
    ['America/New_York', 'spring', (y) => nthWeekday(y, 3, 0, 2), 5],
    ['America/New_York', 'autumn', (y) => nthWeekday(y, 11, 0, 1), 7],
    ['Europe/Berlin', 'spring', (y) => nthWeekday(y, 3, 0, -1), 5],
    ['Europe/Berlin', 'autumn', (y) => nthWeekday(y, 10, 0, -1), 7],
    ['Australia/Adelaide', 'spring', (y) => nthWeekday(y, 10, 0, 1), 5],
    ['Australia/Adelaide', 'autumn', (y) => nthWeekday(y, 4, 0, 1), 7],
  ];

  it.each(changeDays)('%s on its %s change day: local hours are local, 09:00–17:00 is 8 hours', async (zone, _season, rule, nightHours) => {
    const date = next(rule);
    const hours = [{ start: '00:00', end: '06:00' }, { start: '09:00', end: '17:00' }];
    await schedule(alice, { time_zone: zone, weekly_hours: CLOSED, date_overrides: [{ date, hours }], slot_interval_minutes: 60 });
    const window = { from: `${plusDays(date, -1)}T00:00:00Z`, to: `${plusDays(date, 1)}T23:00:00Z` };
    const { slots } = await available(alice, window.from, window.to, 60);
    expect(slots).toEqual(await expectedSlots(date, hours, zone, 60, 60));
    // The night interval has as many hours as the clocks really ran; the day interval 8.
    expect(slots).toHaveLength(nightHours + 8);
    const day = slots.slice(nightHours);
    expect(Date.parse(day[7]!.ends_at) - Date.parse(day[0]!.starts_at)).toBe(8 * 3_600_000);
    // Every start is a whole local hour in the zone.
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    for (const slot of day) expect(local.format(new Date(slot.starts_at))).toMatch(/^(09|1[0-6]):00$/);
  });

  it('an interval that starts in the hour the clocks skip begins when that wall time would have been (as PostgreSQL reads it)', async () => {
    const date = next((y) => nthWeekday(y, 3, 0, -1));
    const hours = [{ start: '02:30', end: '04:00' }];
    await schedule(alice, { time_zone: 'Europe/Berlin', weekly_hours: CLOSED, date_overrides: [{ date, hours }], slot_interval_minutes: 30 });
    const { slots } = await available(alice, `${plusDays(date, -1)}T00:00:00Z`, `${plusDays(date, 1)}T00:00:00Z`, 30);
    expect(slots).toEqual(await expectedSlots(date, hours, 'Europe/Berlin', 30, 30));
    expect(slots).toEqual([{ starts_at: `${date}T01:30:00.000Z`, ends_at: `${date}T02:00:00.000Z` }]);
  });

  it('31 days are answered: a month of working days, in order', async () => {
    await schedule(alice, { weekly_hours: { ...CLOSED, wed: [{ start: '09:00', end: '10:00' }] }, slot_interval_minutes: 60 });
    const found = await starts(alice, `${monday}T00:00:00Z`, `${plusDays(monday, 31)}T00:00:00Z`, 60);
    expect(found).toEqual([2, 9, 16, 23, 30].map((d) => at(plusDays(monday, d), '09:00')));
  });

  it.each([
    ['31 days and 1 minute', { from: '2027-09-01T00:00:00Z', to: '2027-10-02T00:01:00Z', duration_minutes: '30' }, '/to'],
    ['31 days and 1 millisecond', { from: '2027-09-01T00:00:00Z', to: '2027-10-02T00:00:00.001Z', duration_minutes: '30' }, '/to'],
    ['to equal to from in another offset', { from: '2027-09-01T00:00:00Z', to: '2027-09-01T02:00:00+02:00', duration_minutes: '30' }, '/to'],
    ['to before from', { from: '2027-09-02T00:00:00Z', to: '2027-09-01T00:00:00Z', duration_minutes: '30' }, '/to'],
    ['duration 0', { from: '2027-09-01T00:00:00Z', to: '2027-09-02T00:00:00Z', duration_minutes: '0' }, '/duration_minutes'],
    ['a fractional duration', { from: '2027-09-01T00:00:00Z', to: '2027-09-02T00:00:00Z', duration_minutes: '1.5' }, '/duration_minutes'],
    ['a duration over 31 days', { from: '2027-09-01T00:00:00Z', to: '2027-09-02T00:00:00Z', duration_minutes: String(31 * 24 * 60 + 1) }, '/duration_minutes'],
    ['no duration', { from: '2027-09-01T00:00:00Z', to: '2027-09-02T00:00:00Z' }, '/duration_minutes'],
    ['no from', { to: '2027-09-02T00:00:00Z', duration_minutes: '30' }, '/from'],
    ['from without offset', { from: '2027-09-01T00:00:00', to: '2027-09-02T00:00:00Z', duration_minutes: '30' }, '/from'],
    ['from in year 0000', { from: '0000-01-01T00:00:00Z', to: '0000-01-02T00:00:00Z', duration_minutes: '30' }, '/from'],
    ['from on February 30', { from: '2027-02-30T00:00:00Z', to: '2027-03-02T00:00:00Z', duration_minutes: '30' }, '/from'],
  ])('%s is 422 at %s', async (_label, query, path) => {
    await expect422(query, path);
  });
});

describe('GET /v1/availability?exclude_appointment_id=', () => {
  it('counts one of your appointments as free (its own time and what it frees, buffers included); another user’s or an unknown id is 404', async () => {
    const day = plusDays(monday, 21);
    await schedule(alice, { weekly_hours: { ...CLOSED, mon: [{ start: '09:00', end: '12:00' }] }, buffer_after_minutes: 30 });
    const a = await makeAppointment(alice, adaId, at(day, '10:00'), at(day, '10:30'));
    await makeAppointment(alice, adaId, at(day, '11:00'), at(day, '11:30'));
    const window = { from: `${day}T00:00:00Z`, to: `${day}T23:00:00Z`, duration_minutes: '30' };
    const startsExcluding = async (id: number | string) => {
      const res = await alice.send('GET', `/v1/availability?${new URLSearchParams({ ...window, exclude_appointment_id: String(id) }).toString()}`);
      return res;
    };
    // 10:00–11:00 and 11:00–12:00 are held (the appointments and 30 minutes after each).
    expect(await starts(alice, window.from, window.to, 30)).toEqual([at(day, '09:00'), at(day, '09:30')]);
    const freed = await startsExcluding(a.id);
    expect(freed.statusCode).toBe(200);
    expect(freed.json<{ slots: Slot[] }>().slots.map((s) => s.starts_at)).toEqual(['09:00', '09:30', '10:00', '10:30'].map((t) => at(day, t)));

    const bobsClient = await makeClient(bob, 'Bo', '+14155550125');
    const bobs = await makeAppointment(bob, bobsClient.id, at(day, '09:00'), at(day, '09:30'));
    for (const id of [bobs.id, 2147483647]) {
      const res = await startsExcluding(id);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe(PROBLEM_JSON);
      expect(res.json<ProblemBody>()).toMatchObject({ type: '/problems/not-found', status: 404, detail: 'Appointment not found' });
    }
    for (const id of ['0', 'abc', '2147483648']) await expect422({ ...window, exclude_appointment_id: id }, '/exclude_appointment_id');
  });
});
