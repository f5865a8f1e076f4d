import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestContext } from './helpers.js';
import { JSON_UTF8, makeAppointment, makeClient, PROBLEM_JSON, signUp, type Caller, type ProblemBody } from './fixtures.js';

let ctx: TestContext;
let alice: Caller;
let bob: Caller;

type Slot = { starts_at: string; ends_at: string };

beforeAll(async () => {
  ctx = await startApp();
  alice = await signUp(ctx.app, 'alice@example.com');
  bob = await signUp(ctx.app, 'bob@example.com');
  const ada = await makeClient(alice, 'Ada', '+14155550123');
  const ben = await makeClient(alice, 'Ben', '+14155550124');
  // Alice's 2027-07-01 (UTC): 09:00-10:00, 10:00-11:00 (back-to-back), 11:30-12:00, 14:00-14:20.
  await makeAppointment(alice, ada.id, '2027-07-01T09:00:00Z', '2027-07-01T10:00:00Z');
  await makeAppointment(alice, ben.id, '2027-07-01T12:00:00+02:00', '2027-07-01T13:00:00+02:00');
  await makeAppointment(alice, ada.id, '2027-07-01T11:30:00Z', '2027-07-01T12:00:00Z');
  await makeAppointment(alice, ben.id, '2027-07-01T14:00:00Z', '2027-07-01T14:20:00Z');
  // A long one across midnight on 2027-07-03.
  await makeAppointment(alice, ada.id, '2027-07-02T22:00:00Z', '2027-07-03T02:00:00Z');
  // Bob is busy all of Alice's day.
  const bobs = await makeClient(bob, 'Bobby', '+14155550125');
  await makeAppointment(bob, bobs.id, '2027-07-01T00:00:00Z', '2027-07-02T00:00:00Z');
});
afterAll(() => ctx.close());

async function slots(user: Caller, from: string, to: string, duration: number | string): Promise<Slot[]> {
  const qs = new URLSearchParams({ from, to, duration_minutes: String(duration) }).toString();
  const res = await user.send('GET', `/v1/availability?${qs}`);
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe(JSON_UTF8);
  const body = res.json<{ slots: Slot[] }>();
  expect(Object.keys(body)).toEqual(['slots']);
  for (const slot of body.slots) expect(Object.keys(slot)).toEqual(['starts_at', 'ends_at']);
  return body.slots;
}

const slot = (start: string, end: string): Slot => ({ starts_at: `2027-07-01T${start}:00.000Z`, ends_at: `2027-07-01T${end}:00.000Z` });

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
  it('without a bearer token is 401', async () => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/v1/availability?from=2027-07-01T00:00:00Z&to=2027-07-02T00:00:00Z&duration_minutes=30',
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('an empty calendar is one gap: the whole window', async () => {
    expect(await slots(alice, '2027-08-01T08:00:00Z', '2027-08-01T18:00:00Z', 30)).toEqual([
      { starts_at: '2027-08-01T08:00:00.000Z', ends_at: '2027-08-01T18:00:00.000Z' },
    ]);
  });

  it('the window given with offsets is answered in UTC', async () => {
    expect(await slots(alice, '2027-08-01T10:00:00+02:00', '2027-08-01T12:30:00-04:00', 15)).toEqual([
      { starts_at: '2027-08-01T08:00:00.000Z', ends_at: '2027-08-01T16:30:00.000Z' },
    ]);
  });

  it('gaps around the appointments, in order, back-to-back ones leaving no zero gap', async () => {
    expect(await slots(alice, '2027-07-01T08:00:00Z', '2027-07-01T18:00:00Z', 30)).toEqual([
      slot('08:00', '09:00'),
      slot('11:00', '11:30'),
      slot('12:00', '14:00'),
      slot('14:20', '18:00'),
    ]);
  });

  it('with a one-minute duration there is still no zero-length gap between back-to-back appointments', async () => {
    const found = await slots(alice, '2027-07-01T08:00:00Z', '2027-07-01T18:00:00Z', 1);
    expect(found).toEqual([slot('08:00', '09:00'), slot('11:00', '11:30'), slot('12:00', '14:00'), slot('14:20', '18:00')]);
    for (const s of found) expect(Date.parse(s.ends_at)).toBeGreaterThan(Date.parse(s.starts_at));
  });

  it('gaps shorter than the duration are left out; a gap exactly as long is kept', async () => {
    expect(await slots(alice, '2027-07-01T08:00:00Z', '2027-07-01T18:00:00Z', 31)).toEqual([
      slot('08:00', '09:00'),
      slot('12:00', '14:00'),
      slot('14:20', '18:00'),
    ]);
    expect(await slots(alice, '2027-07-01T08:00:00Z', '2027-07-01T18:00:00Z', 60)).toEqual([
      slot('08:00', '09:00'),
      slot('12:00', '14:00'),
      slot('14:20', '18:00'),
    ]);
    expect(await slots(alice, '2027-07-01T08:00:00Z', '2027-07-01T18:00:00Z', 120)).toEqual([slot('12:00', '14:00'), slot('14:20', '18:00')]);
    expect(await slots(alice, '2027-07-01T08:00:00Z', '2027-07-01T18:00:00Z', 221)).toEqual([]);
  });

  it('appointments partly outside the window are clipped to it', async () => {
    expect(await slots(alice, '2027-07-01T09:30:00Z', '2027-07-01T11:45:00Z', 1)).toEqual([slot('11:00', '11:30')]);
    expect(await slots(alice, '2027-07-01T10:30:00Z', '2027-07-01T11:15:00Z', 1)).toEqual([slot('11:00', '11:15')]);
    expect(await slots(alice, '2027-07-01T11:45:00Z', '2027-07-01T14:10:00Z', 1)).toEqual([slot('12:00', '14:00')]);
  });

  it('a window that starts exactly when an appointment ends, or ends when one starts, is free up to the edge', async () => {
    expect(await slots(alice, '2027-07-01T11:00:00Z', '2027-07-01T11:30:00Z', 30)).toEqual([slot('11:00', '11:30')]);
    expect(await slots(alice, '2027-07-01T08:00:00Z', '2027-07-01T09:00:00Z', 60)).toEqual([slot('08:00', '09:00')]);
  });

  it('a window inside one appointment, or inside one that crosses midnight, has no slots', async () => {
    expect(await slots(alice, '2027-07-01T09:15:00Z', '2027-07-01T09:45:00Z', 1)).toEqual([]);
    expect(await slots(alice, '2027-07-02T23:00:00Z', '2027-07-03T01:00:00Z', 1)).toEqual([]);
    expect(await slots(alice, '2027-07-02T20:00:00Z', '2027-07-03T04:00:00Z', 1)).toEqual([
      { starts_at: '2027-07-02T20:00:00.000Z', ends_at: '2027-07-02T22:00:00.000Z' },
      { starts_at: '2027-07-03T02:00:00.000Z', ends_at: '2027-07-03T04:00:00.000Z' },
    ]);
  });

  it("another user's appointments do not make the caller busy, and the caller's do not make them busy", async () => {
    expect(await slots(alice, '2027-07-01T00:00:00Z', '2027-07-01T09:00:00Z', 60)).toEqual([slot('00:00', '09:00')]);
    expect(await slots(bob, '2027-07-01T08:00:00Z', '2027-07-01T18:00:00Z', 1)).toEqual([]);
    expect(await slots(bob, '2027-07-02T20:00:00Z', '2027-07-03T04:00:00Z', 60)).toEqual([
      { starts_at: '2027-07-02T20:00:00.000Z', ends_at: '2027-07-03T04:00:00.000Z' },
    ]);
  });

  it('a duration as long as the window gives the window; one minute longer gives nothing', async () => {
    expect(await slots(alice, '2027-08-02T08:00:00Z', '2027-08-02T09:00:00Z', 60)).toEqual([
      { starts_at: '2027-08-02T08:00:00.000Z', ends_at: '2027-08-02T09:00:00.000Z' },
    ]);
    expect(await slots(alice, '2027-08-02T08:00:00Z', '2027-08-02T09:00:00Z', 61)).toEqual([]);
  });

  it('31 days is accepted, also with the longest duration', async () => {
    const window = { starts_at: '2027-09-01T00:00:00.000Z', ends_at: '2027-10-02T00:00:00.000Z' };
    expect(await slots(alice, '2027-09-01T00:00:00Z', '2027-10-02T00:00:00Z', 30)).toEqual([window]);
    expect(await slots(alice, '2027-09-01T00:00:00Z', '2027-10-02T00:00:00Z', 31 * 24 * 60)).toEqual([window]);
    // 31 days spanning Alice's busy days: every gap, in order.
    const month = await slots(alice, '2027-06-20T00:00:00Z', '2027-07-21T00:00:00Z', 30);
    expect(month.map((s) => s.starts_at)).toEqual([
      '2027-06-20T00:00:00.000Z',
      '2027-07-01T11:00:00.000Z',
      '2027-07-01T12:00:00.000Z',
      '2027-07-01T14:20:00.000Z',
      '2027-07-03T02:00:00.000Z',
    ]);
    expect(month[month.length - 1]!.ends_at).toBe('2027-07-21T00:00:00.000Z');
  });

  it.each([
    ['31 days and 1 minute', { from: '2027-09-01T00:00:00Z', to: '2027-10-02T00:01:00Z', duration_minutes: '30' }, '/to'],
    ['31 days and 1 millisecond', { from: '2027-09-01T00:00:00Z', to: '2027-10-02T00:00:00.001Z', duration_minutes: '30' }, '/to'],
    ['a year', { from: '2027-01-01T00:00:00Z', to: '2028-01-01T00:00:00Z', duration_minutes: '30' }, '/to'],
    ['to equal to from', { from: '2027-09-01T00:00:00Z', to: '2027-09-01T00:00:00Z', duration_minutes: '30' }, '/to'],
    ['to equal to from in another offset', { from: '2027-09-01T00:00:00Z', to: '2027-09-01T02:00:00+02:00', duration_minutes: '30' }, '/to'],
    ['to before from', { from: '2027-09-02T00:00:00Z', to: '2027-09-01T00:00:00Z', duration_minutes: '30' }, '/to'],
    ['duration 0', { from: '2027-09-01T00:00:00Z', to: '2027-09-02T00:00:00Z', duration_minutes: '0' }, '/duration_minutes'],
    ['a negative duration', { from: '2027-09-01T00:00:00Z', to: '2027-09-02T00:00:00Z', duration_minutes: '-30' }, '/duration_minutes'],
    ['a fractional duration', { from: '2027-09-01T00:00:00Z', to: '2027-09-02T00:00:00Z', duration_minutes: '1.5' }, '/duration_minutes'],
    ['a duration that is not a number', { from: '2027-09-01T00:00:00Z', to: '2027-09-02T00:00:00Z', duration_minutes: 'abc' }, '/duration_minutes'],
    ['a duration over 31 days', { from: '2027-09-01T00:00:00Z', to: '2027-09-02T00:00:00Z', duration_minutes: String(31 * 24 * 60 + 1) }, '/duration_minutes'],
    ['no duration', { from: '2027-09-01T00:00:00Z', to: '2027-09-02T00:00:00Z' }, '/duration_minutes'],
    ['no from', { to: '2027-09-02T00:00:00Z', duration_minutes: '30' }, '/from'],
    ['no to', { from: '2027-09-01T00:00:00Z', duration_minutes: '30' }, '/to'],
    ['from without offset', { from: '2027-09-01T00:00:00', to: '2027-09-02T00:00:00Z', duration_minutes: '30' }, '/from'],
    ['to without offset', { from: '2027-09-01T00:00:00Z', to: '2027-09-02T00:00:00', duration_minutes: '30' }, '/to'],
    ['from a date only', { from: '2027-09-01', to: '2027-09-02T00:00:00Z', duration_minutes: '30' }, '/from'],
    ['from in year 0000', { from: '0000-01-01T00:00:00Z', to: '0000-01-02T00:00:00Z', duration_minutes: '30' }, '/from'],
    ['from on February 30', { from: '2027-02-30T00:00:00Z', to: '2027-03-02T00:00:00Z', duration_minutes: '30' }, '/from'],
  ])('%s is 422 at %s', async (_label, query, path) => {
    await expect422(query, path);
  });
});
