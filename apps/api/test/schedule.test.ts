import { schedules, users } from '@agentcaller/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startApp, type TestContext } from './helpers.js';
import { JSON_UTF8, PROBLEM_JSON, signUp, type Caller, type ProblemBody } from './fixtures.js';

let ctx: TestContext;
let alice: Caller;
let bob: Caller;

const DEFAULT_HOURS = {
  mon: [{ start: '09:00', end: '17:00' }],
  tue: [{ start: '09:00', end: '17:00' }],
  wed: [{ start: '09:00', end: '17:00' }],
  thu: [{ start: '09:00', end: '17:00' }],
  fri: [{ start: '09:00', end: '17:00' }],
  sat: [],
  sun: [],
};
const DEFAULT = {
  time_zone: 'UTC',
  weekly_hours: DEFAULT_HOURS,
  date_overrides: [],
  slot_interval_minutes: 30,
  buffer_before_minutes: 0,
  buffer_after_minutes: 0,
  minimum_notice_minutes: 60,
  booking_horizon_days: 60,
};

const valid = {
  ...DEFAULT,
  time_zone: 'Europe/Berlin',
  weekly_hours: { ...DEFAULT_HOURS, mon: [{ start: '13:00', end: '17:00' }, { start: '09:00', end: '12:00' }], sat: [{ start: '10:00', end: '24:00' }] },
  date_overrides: [
    { date: '2027-12-31', hours: [{ start: '09:00', end: '12:00' }] },
    { date: '2027-12-24', hours: [] },
  ],
  slot_interval_minutes: 15,
  buffer_before_minutes: 5,
  buffer_after_minutes: 10,
  minimum_notice_minutes: 120,
  booking_horizon_days: 90,
};

beforeAll(async () => {
  ctx = await startApp();
  alice = await signUp(ctx.app, 'alice@example.com');
  bob = await signUp(ctx.app, 'bob@example.com');
});
afterAll(() => ctx.close());

async function expect422(body: unknown, paths: string[]) {
  const res = await alice.send('PUT', '/v1/schedule', body);
  expect(res.statusCode).toBe(422);
  expect(res.headers['content-type']).toBe(PROBLEM_JSON);
  const problem = res.json<ProblemBody>();
  expect(problem.status).toBe(422);
  expect(typeof problem.detail).toBe('string');
  for (const path of paths) expect(problem.errors?.map((e) => e.path)).toContain(path);
}

describe('GET /v1/schedule', () => {
  it('without credentials is 401', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/schedule' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('a new account has the default, in UTC when sign-up gave no zone, stored with the account', async () => {
    const res = await bob.send('GET', '/v1/schedule');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(JSON_UTF8);
    expect(res.json()).toEqual(DEFAULT);
    const [row] = await ctx.app.db.select().from(schedules).where(eq(schedules.userId, bob.id));
    expect(row?.timeZone).toBe('UTC');
  });

  it('sign-up with a time zone keeps it (canonical spelling); an unknown one is 422 and creates nothing', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      ...json({ email: 'zoned@example.com', password: 'correct horse battery', time_zone: 'america/new_york' }),
    });
    expect(res.statusCode).toBe(201);
    expect(Object.keys(res.json())).toEqual(['id', 'email']);
    const [row] = await ctx.app.db.select().from(schedules).where(eq(schedules.userId, res.json<{ id: number }>().id));
    expect(row?.timeZone).toBe('America/New_York');

    for (const zone of ['Mars/Olympus_Mons', '+02:00', 'Europe/', '']) {
      const bad = await ctx.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        ...json({ email: 'nozone@example.com', password: 'correct horse battery', time_zone: zone }),
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.json<ProblemBody>().errors?.map((e) => e.path)).toContain('/time_zone');
    }
    expect(await ctx.app.db.select().from(users).where(eq(users.email, 'nozone@example.com'))).toEqual([]);
  });

  it('an account without a stored schedule (adopted from the original service) has the default in UTC', async () => {
    const carol = await signUp(ctx.app, 'carol@example.com');
    await ctx.app.db.delete(schedules).where(eq(schedules.userId, carol.id));
    const res = await carol.send('GET', '/v1/schedule');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(DEFAULT);
  });
});

describe('PUT /v1/schedule', () => {
  it('replaces the schedule: intervals and overrides in order, the zone canonical; GET reads it back', async () => {
    const res = await alice.send('PUT', '/v1/schedule', { ...valid, time_zone: 'europe/berlin' });
    expect(res.statusCode).toBe(200);
    const stored = {
      ...valid,
      weekly_hours: { ...valid.weekly_hours, mon: [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '17:00' }] },
      date_overrides: [valid.date_overrides[1], valid.date_overrides[0]],
    };
    expect(res.json()).toEqual(stored);
    expect((await alice.send('GET', '/v1/schedule')).json()).toEqual(stored);
    const [row] = await ctx.app.db.select().from(schedules).where(eq(schedules.userId, alice.id));
    expect(row).toMatchObject({ timeZone: 'Europe/Berlin', slotIntervalMinutes: 15, bookingHorizonDays: 90 });
    // Bob's is untouched.
    expect((await bob.send('GET', '/v1/schedule')).json()).toEqual(DEFAULT);
  });

  it('stores every spelling of a zone as its one current IANA name (case, ICU’s old names and links)', async () => {
    const cases: [string, string][] = [
      ['asia/kolkata', 'Asia/Kolkata'],
      ['Asia/Kolkata', 'Asia/Kolkata'],
      ['ASIA/CALCUTTA', 'Asia/Kolkata'],
      ['europe/kyiv', 'Europe/Kyiv'],
      ['Europe/Kiev', 'Europe/Kyiv'],
      ['asia/saigon', 'Asia/Ho_Chi_Minh'],
      ['america/buenos_aires', 'America/Argentina/Buenos_Aires'],
      ['US/Eastern', 'America/New_York'],
      ['etc/utc', 'UTC'],
      ['europe/berlin', 'Europe/Berlin'],
    ];
    for (const [sent, stored] of cases) {
      const res = await alice.send('PUT', '/v1/schedule', { ...valid, time_zone: sent });
      expect(res.statusCode, sent).toBe(200);
      expect(res.json<{ time_zone: string }>().time_zone, sent).toBe(stored);
      const [row] = await ctx.app.db.select().from(schedules).where(eq(schedules.userId, alice.id));
      expect(row?.timeZone, sent).toBe(stored);
    }
    const registered = await ctx.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      ...json({ email: 'kolkata@example.com', password: 'correct horse battery', time_zone: 'asia/kolkata' }),
    });
    expect(registered.statusCode).toBe(201);
    const [row] = await ctx.app.db.select().from(schedules).where(eq(schedules.userId, registered.json<{ id: number }>().id));
    expect(row?.timeZone).toBe('Asia/Kolkata');
  });

  it('sign-up stores the account and its schedule together or neither (one statement)', async () => {
    // A schedule the database refuses (a constraint added for this test): the account goes too.
    await ctx.app.db.execute(sql`alter table schedules add constraint test_no_fiji check (time_zone <> 'Pacific/Fiji')`);
    try {
      const refused = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email: 'fiji@example.com', password: 'correct horse battery', time_zone: 'Pacific/Fiji' }) });
      expect(refused.statusCode).toBe(500);
      expect(await ctx.app.db.select().from(users).where(eq(users.email, 'fiji@example.com'))).toEqual([]);
    } finally {
      await ctx.app.db.execute(sql`alter table schedules drop constraint test_no_fiji`);
    }
    const created = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email: 'fiji@example.com', password: 'correct horse battery', time_zone: 'Pacific/Fiji' }) });
    expect(created.statusCode).toBe(201);
    const { id, email } = created.json<{ id: number; email: string }>();
    expect(email).toBe('fiji@example.com');
    const [row] = await ctx.app.db.select().from(schedules).where(eq(schedules.userId, id));
    expect(row).toMatchObject({ timeZone: 'Pacific/Fiji', weeklyHours: DEFAULT_HOURS, dateOverrides: [], slotIntervalMinutes: 30, bookingHorizonDays: 60 });
  });

  it('refuses reversed, empty and overlapping intervals, naming each', async () => {
    await expect422({ ...valid, weekly_hours: { ...DEFAULT_HOURS, tue: [{ start: '17:00', end: '09:00' }] } }, ['/weekly_hours/tue/0/end']);
    await expect422({ ...valid, weekly_hours: { ...DEFAULT_HOURS, tue: [{ start: '09:00', end: '09:00' }] } }, ['/weekly_hours/tue/0/end']);
    await expect422(
      { ...valid, weekly_hours: { ...DEFAULT_HOURS, wed: [{ start: '09:00', end: '12:00' }, { start: '11:30', end: '13:00' }] } },
      ['/weekly_hours/wed/1'],
    );
    await expect422({ ...valid, date_overrides: [{ date: '2027-01-05', hours: [{ start: '10:00', end: '12:00' }, { start: '08:00', end: '10:30' }] }] }, [
      '/date_overrides/0/hours/0',
    ]);
    // Touching intervals do not overlap (half-open).
    const touching = await alice.send('PUT', '/v1/schedule', { ...valid, weekly_hours: { ...DEFAULT_HOURS, wed: [{ start: '09:00', end: '12:00' }, { start: '12:00', end: '13:00' }] } });
    expect(touching.statusCode).toBe(200);
  });

  it('refuses values out of range, unknown zones, bad times and dates, duplicate dates, missing fields', async () => {
    await expect422({ ...valid, time_zone: 'Europe/Atlantis' }, ['/time_zone']);
    await expect422({ ...valid, time_zone: 'UTC+2' }, ['/time_zone']);
    await expect422({ ...valid, slot_interval_minutes: 4 }, ['/slot_interval_minutes']);
    await expect422({ ...valid, slot_interval_minutes: 241 }, ['/slot_interval_minutes']);
    await expect422({ ...valid, buffer_before_minutes: -1 }, ['/buffer_before_minutes']);
    await expect422({ ...valid, buffer_after_minutes: 241 }, ['/buffer_after_minutes']);
    await expect422({ ...valid, minimum_notice_minutes: 10_081 }, ['/minimum_notice_minutes']);
    await expect422({ ...valid, booking_horizon_days: 0 }, ['/booking_horizon_days']);
    await expect422({ ...valid, booking_horizon_days: 731 }, ['/booking_horizon_days']);
    await expect422({ ...valid, weekly_hours: { ...DEFAULT_HOURS, mon: [{ start: '9:00', end: '17:00' }] } }, ['/weekly_hours/mon/0/start']);
    await expect422({ ...valid, weekly_hours: { ...DEFAULT_HOURS, mon: [{ start: '24:00', end: '24:00' }] } }, ['/weekly_hours/mon/0/end']);
    await expect422({ ...valid, weekly_hours: { ...DEFAULT_HOURS, mon: [{ start: '09:00', end: '24:30' }] } }, ['/weekly_hours/mon/0/end']);
    await expect422({ ...valid, date_overrides: [{ date: '2027-02-30', hours: [] }] }, ['/date_overrides/0/date']);
    await expect422({ ...valid, date_overrides: [{ date: '2027-02-03', hours: [] }, { date: '2027-02-03', hours: [] }] }, ['/date_overrides/1/date']);
    await expect422({ ...valid, weekly_hours: { mon: [] } }, ['/weekly_hours/tue']);
    const { booking_horizon_days: _omitted, ...missing } = valid;
    await expect422(missing, ['/booking_horizon_days']);
    // Nothing of the refused schedules was stored.
    const [row] = await ctx.app.db.select().from(schedules).where(eq(schedules.userId, alice.id));
    expect(row?.timeZone).toBe('Europe/Berlin');
    expect(row?.slotIntervalMinutes).toBe(15);
  });

  it('ignores unknown fields, as every body does', async () => {
    const res = await alice.send('PUT', '/v1/schedule', { ...valid, user_id: bob.id, extra: 1 });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json())).not.toContain('extra');
    expect((await bob.send('GET', '/v1/schedule')).json()).toEqual(DEFAULT);
  });

  it('the sizes are bounded: 12 intervals a day, 400 overrides', async () => {
    const many = Array.from({ length: 13 }, (_, i) => ({ start: `${String(i).padStart(2, '0')}:00`, end: `${String(i).padStart(2, '0')}:30` }));
    await expect422({ ...valid, weekly_hours: { ...DEFAULT_HOURS, mon: many } }, ['/weekly_hours/mon']);
    const overrides = Array.from({ length: 401 }, (_, i) => ({ date: new Date(Date.UTC(2027, 0, 1 + i)).toISOString().slice(0, 10), hours: [] }));
    await expect422({ ...valid, date_overrides: overrides }, ['/date_overrides']);
  });

  it('a body that is not JSON is 400; no credentials is 401', async () => {
    const res = await ctx.app.inject({
      method: 'PUT',
      url: '/v1/schedule',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      payload: '{',
    });
    expect(res.statusCode).toBe(400);
    expect((await ctx.app.inject({ method: 'PUT', url: '/v1/schedule', ...json(valid) })).statusCode).toBe(401);
  });

  it('the schedule goes with its account', async () => {
    const dave = await signUp(ctx.app, 'dave@example.com');
    await ctx.app.db.delete(users).where(eq(users.id, dave.id));
    expect(await ctx.app.db.select().from(schedules).where(eq(schedules.userId, dave.id))).toEqual([]);
  });
});
