import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointments } from '@agentcaller/db';
import { eq, sql, type SQL } from 'drizzle-orm';
import { startApp, type TestContext } from './helpers.js';
import {
  appointmentRow,
  countAppointments,
  JSON_UTF8,
  makeAppointment,
  makeClient,
  expect422At,
  expectProblem as problemOfType,
  overlappingPairs,
  signUp,
  UTC_MS,
  type Caller,
  type ProblemBody,
  type WireAppointment,
  type WireClient,
} from './fixtures.js';

let ctx: TestContext;
let alice: Caller;
let bob: Caller;
let ada: WireClient;
let ben: WireClient;
let bobsClient: WireClient;

beforeAll(async () => {
  ctx = await startApp();
  alice = await signUp(ctx.app, 'alice@example.com');
  bob = await signUp(ctx.app, 'bob@example.com');
  ada = await makeClient(alice, 'Ada Lovelace', '+14155550123');
  ben = await makeClient(alice, 'Ben Baker', '(212) 555-0199');
  bobsClient = await makeClient(bob, 'Bob Client', '+14155550142');
});
afterAll(async () => {
  // Whatever the tests did, one calendar never holds two overlapping appointments.
  expect(await overlappingPairs(ctx.app)).toEqual([]);
  await ctx.close();
});

type Page = { items: WireAppointment[]; total: number; limit: number; offset: number };
type Res = { statusCode: number; headers: Record<string, unknown>; body: string; json<T>(): T };

/** The problem type each status has in these tests (PROBLEM_TYPES in the contracts). */
const TYPE_OF_STATUS: Record<number, string> = {
  400: '/problems/bad-request',
  401: '/problems/unauthorized',
  404: '/problems/not-found',
  405: '/problems/method-not-allowed',
  409: '/problems/appointment-conflict',
  413: '/problems/payload-too-large',
  422: '/problems/validation',
};

/** The problem of this status, with the one `type` the API gives that status in these routes. */
const expectProblem = (res: Parameters<typeof problemOfType>[0], status: number): ProblemBody => problemOfType(res, status, TYPE_OF_STATUS[status]!);

function expectConflictWith(res: Res, id: number) {
  expectProblem(res, 409);
  expect(res.json()).toEqual({
    type: '/problems/appointment-conflict',
    title: 'Conflict',
    status: 409,
    detail: expect.any(String) as unknown,
    conflicting_appointment_id: id,
  });
}

const post = (user: Caller, body: unknown) => user.send('POST', '/v1/appointments', body);

const list = async (user: Caller, query: Record<string, string | number> = {}) => {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const res = await user.send('GET', `/v1/appointments${qs ? `?${qs}` : ''}`);
  expect(res.statusCode).toBe(200);
  return res.json<Page>();
};

describe('authentication', () => {
  it.each([
    ['GET', '/v1/appointments'],
    ['POST', '/v1/appointments'],
    ['GET', '/v1/appointments/1'],
    ['PATCH', '/v1/appointments/1'],
    ['DELETE', '/v1/appointments/1'],
  ] as const)('%s %s without a bearer token is 401', async (method, url) => {
    const before = await countAppointments(ctx.app);
    const res = await ctx.app.inject({
      method,
      url,
      ...(method === 'POST' || method === 'PATCH'
        ? {
            headers: { 'content-type': 'application/json' },
            payload: JSON.stringify({ client_id: ada.id, starts_at: '2031-01-01T10:00:00Z', ends_at: '2031-01-01T11:00:00Z' }),
          }
        : {}),
    });
    expectProblem(res, 401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(await countAppointments(ctx.app)).toBe(before);
  });
});

describe('POST /v1/appointments', () => {
  it('creates: 201, exact shape with the embedded client, stored in the caller’s calendar', async () => {
    const res = await post(alice, {
      client_id: ada.id,
      starts_at: '2026-12-01T15:00:00+02:00',
      ends_at: '2026-12-01T16:30:00+02:00',
      notes: 'First call',
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe(JSON_UTF8);
    const body = res.json<WireAppointment>();
    expect(Object.keys(body)).toEqual(['id', 'client_id', 'starts_at', 'ends_at', 'notes', 'notes_truncated', 'status', 'client']);
    expect(Object.keys(body.client)).toEqual(['id', 'name', 'phone']);
    expect(body).toEqual({
      id: body.id,
      client_id: ada.id,
      starts_at: '2026-12-01T13:00:00.000Z',
      ends_at: '2026-12-01T14:30:00.000Z',
      notes: 'First call',
      notes_truncated: false,
      status: 'scheduled',
      client: { id: ada.id, name: 'Ada Lovelace', phone: '+14155550123' },
    });
    expect(Number.isInteger(body.id) && body.id > 0).toBe(true);
    const row = await appointmentRow(ctx.app, body.id);
    expect(row).toMatchObject({ clientId: ada.id, ownerId: alice.id, notes: 'First call' });
    expect(row?.startsAt.toISOString()).toBe('2026-12-01T13:00:00.000Z');
    expect(row?.endsAt.toISOString()).toBe('2026-12-01T14:30:00.000Z');

    const got = await alice.send('GET', `/v1/appointments/${body.id}`);
    expect(got.statusCode).toBe(200);
    expect(Object.keys(got.json<WireAppointment>())).toEqual(['id', 'client_id', 'starts_at', 'ends_at', 'notes', 'notes_truncated', 'status', 'client']);
    expect(got.json()).toEqual(body);
  });

  it('notes absent or null are stored as NULL and answered as null', async () => {
    const absent = await post(alice, { client_id: ada.id, starts_at: '2026-12-02T09:00:00Z', ends_at: '2026-12-02T09:15:00Z' });
    expect(absent.statusCode).toBe(201);
    expect(absent.json<WireAppointment>().notes).toBeNull();
    expect((await appointmentRow(ctx.app, absent.json<WireAppointment>().id))?.notes).toBeNull();
    const explicit = await post(alice, { client_id: ada.id, starts_at: '2026-12-02T09:15:00Z', ends_at: '2026-12-02T09:30:00Z', notes: null });
    expect(explicit.statusCode).toBe(201);
    expect(explicit.json<WireAppointment>().notes).toBeNull();
    expect((await appointmentRow(ctx.app, explicit.json<WireAppointment>().id))?.notes).toBeNull();
  });

  it.each([
    ['+02:00', '2026-12-03T15:00:00+02:00', '2026-12-03T13:00:00.000Z'],
    ['-05:30', '2026-12-03T09:00:00-05:30', '2026-12-03T14:30:00.000Z'],
    ['Z with a fraction', '2026-12-03T15:30:00.5Z', '2026-12-03T15:30:00.500Z'],
    ['+00:00 with microseconds', '2026-12-03T16:00:00.123456+00:00', '2026-12-03T16:00:00.123Z'],
    ['lower-case t and z', '2026-12-03t17:00:00z', '2026-12-03T17:00:00.000Z'],
    ['a space for T', '2026-12-03 18:30:00+01:00', '2026-12-03T17:30:00.000Z'],
    ['+14:00 (Kiribati)', '2026-12-04T23:00:00+14:00', '2026-12-04T09:00:00.000Z'],
    ['a leap day', '2028-02-29T10:00:00Z', '2028-02-29T10:00:00.000Z'],
  ])('an offset of %s is converted to UTC with Z and milliseconds', async (_label, startsAt, expected) => {
    const res = await post(alice, { client_id: ben.id, starts_at: startsAt, ends_at: new Date(Date.parse(expected) + 60_000).toISOString() });
    expect(res.statusCode).toBe(201);
    const body = res.json<WireAppointment>();
    expect(body.starts_at).toBe(expected);
    expect(body.starts_at).toMatch(UTC_MS);
    expect(body.ends_at).toMatch(UTC_MS);
    expect((await appointmentRow(ctx.app, body.id))?.startsAt.toISOString()).toBe(expected);
  });

  describe('bad times are 422 and nothing is stored', () => {
    const base = { client_id: 0, starts_at: '2026-12-10T10:00:00Z', ends_at: '2026-12-10T11:00:00Z' };
    it.each([
      ['starts_at without offset', { starts_at: '2026-12-10T10:00:00' }, '/starts_at'],
      ['ends_at without offset', { ends_at: '2026-12-10T11:00:00' }, '/ends_at'],
      ['a date only', { starts_at: '2026-12-10' }, '/starts_at'],
      ['words', { starts_at: 'tomorrow at ten' }, '/starts_at'],
      ['an epoch number', { starts_at: 1796896800000 }, '/starts_at'],
      ['an offset without colon', { starts_at: '2026-12-10T10:00:00+0200' }, '/starts_at'],
      ['ends equal to starts', { ends_at: '2026-12-10T10:00:00Z' }, '/ends_at'],
      ['ends equal to starts written with another offset', { ends_at: '2026-12-10T12:00:00+02:00' }, '/ends_at'],
      ['ends before starts', { ends_at: '2026-12-10T09:00:00Z' }, '/ends_at'],
      ['year 0000', { starts_at: '0000-01-01T10:00:00Z' }, '/starts_at'],
      ['year 1899', { starts_at: '1899-12-31T10:00:00Z' }, '/starts_at'],
      ['1900 only by its offset (1899 in UTC)', { starts_at: '1900-01-01T00:30:00+01:00' }, '/starts_at'],
      ['after 9999 in UTC', { ends_at: '9999-12-31T23:00:00-05:00' }, '/ends_at'],
      ['February 30', { starts_at: '2026-02-30T10:00:00Z', ends_at: '2026-03-02T10:00:00Z' }, '/starts_at'],
      ['February 29 of a common year', { starts_at: '2027-02-29T10:00:00Z', ends_at: '2027-03-02T10:00:00Z' }, '/starts_at'],
      ['month 13', { starts_at: '2026-13-01T10:00:00Z' }, '/starts_at'],
      ['hour 25', { starts_at: '2026-12-10T25:00:00Z' }, '/starts_at'],
      ['minute 60', { starts_at: '2026-12-10T10:60:00Z' }, '/starts_at'],
      ['offset +24:00', { starts_at: '2026-12-10T10:00:00+24:00' }, '/starts_at'],
      ['a leap second', { starts_at: '2026-12-31T23:59:60Z', ends_at: '2027-01-01T01:00:00Z' }, '/starts_at'],
      ['a NUL', { starts_at: '2026-12-10T10:00:00Z\u0000' }, '/starts_at'],
      ['null', { starts_at: null }, '/starts_at'],
      ['missing', { starts_at: undefined }, '/starts_at'],
    ])('%s', async (_label, patch, path) => {
      const before = await countAppointments(ctx.app);
      const res = await post(alice, { ...base, client_id: ada.id, ...patch });
      expect422At(res, path);
      expect(await countAppointments(ctx.app)).toBe(before);
    });

    it.each([
      ['notes over 10000 characters', { notes: 'n'.repeat(10_001) }, '/notes'],
      ['notes with a NUL', { notes: 'a\u0000b' }, '/notes'],
      ['notes as a number', { notes: 5 }, '/notes'],
      ['client_id as a string (no coercion)', { client_id: String(1) }, '/client_id'],
      ['client_id 0', { client_id: 0 }, '/client_id'],
      ['client_id -1', { client_id: -1 }, '/client_id'],
      ['client_id 2^31', { client_id: 2 ** 31 }, '/client_id'],
      ['client_id 1.5', { client_id: 1.5 }, '/client_id'],
      ['missing client_id', { client_id: undefined }, '/client_id'],
    ])('%s', async (_label, patch, path) => {
      const before = await countAppointments(ctx.app);
      const res = await post(alice, { ...base, client_id: ada.id, ...patch });
      expect422At(res, path);
      expect(await countAppointments(ctx.app)).toBe(before);
    });

    it('notes of exactly 10000 characters are accepted', async () => {
      const res = await post(alice, { ...base, client_id: ada.id, notes: 'n'.repeat(10_000) });
      expect(res.statusCode).toBe(201);
      expect((await appointmentRow(ctx.app, res.json<WireAppointment>().id))?.notes).toHaveLength(10_000);
    });
  });

  it('malformed JSON is 400', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/v1/appointments',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      payload: '{"client_id": 1, "starts_at": ',
    });
    expectProblem(res, 400);
  });

  describe('the client must be the caller’s', () => {
    it("another user's client is 404 and nothing is stored", async () => {
      const before = await countAppointments(ctx.app);
      const res = await post(alice, { client_id: bobsClient.id, starts_at: '2026-12-11T10:00:00Z', ends_at: '2026-12-11T11:00:00Z' });
      const body = expectProblem(res, 404);
      expect(body).toEqual({ type: '/problems/not-found', title: 'Not Found', status: 404, detail: 'Client not found' });
      expect(res.body).not.toContain('Bob Client');
      expect(await countAppointments(ctx.app)).toBe(before);
    });

    it('a client that does not exist is the same 404', async () => {
      const res = await post(alice, { client_id: 2147483647, starts_at: '2026-12-11T10:00:00Z', ends_at: '2026-12-11T11:00:00Z' });
      expect(expectProblem(res, 404).detail).toBe('Client not found');
    });
  });

  describe('overlaps', () => {
    let existing: WireAppointment;
    beforeAll(async () => {
      existing = await makeAppointment(alice, ada.id, '2026-12-15T10:00:00Z', '2026-12-15T11:00:00Z', 'existing');
    });

    it.each([
      ['identical', '2026-12-15T10:00:00Z', '2026-12-15T11:00:00Z', false],
      ['starting inside', '2026-12-15T10:30:00Z', '2026-12-15T11:30:00Z', false],
      ['ending inside', '2026-12-15T09:30:00Z', '2026-12-15T10:30:00Z', false],
      ['inside', '2026-12-15T10:15:00Z', '2026-12-15T10:45:00Z', false],
      ['around', '2026-12-15T09:00:00Z', '2026-12-15T12:00:00Z', false],
      ['by one millisecond', '2026-12-15T10:59:59.999Z', '2026-12-15T12:00:00Z', false],
      ['written in another offset', '2026-12-15T11:59:00+01:00', '2026-12-15T13:00:00+01:00', false],
      ['for another client of the same user', '2026-12-15T10:00:00Z', '2026-12-15T10:01:00Z', true],
    ])('%s is 409 naming the existing appointment, and nothing is inserted', async (_label, startsAt, endsAt, otherClient: boolean) => {
      const before = await countAppointments(ctx.app);
      const res = await post(alice, { client_id: otherClient ? ben.id : ada.id, starts_at: startsAt, ends_at: endsAt, notes: 'intruder' });
      expectConflictWith(res, existing.id);
      expect(await countAppointments(ctx.app)).toBe(before);
      expect(await appointmentRow(ctx.app, existing.id)).toMatchObject({ notes: 'existing', clientId: ada.id });
    });

    it('back-to-back on both sides is fine (half-open intervals)', async () => {
      const after = await post(alice, { client_id: ada.id, starts_at: '2026-12-15T11:00:00Z', ends_at: '2026-12-15T12:00:00Z' });
      expect(after.statusCode).toBe(201);
      const before = await post(alice, { client_id: ben.id, starts_at: '2026-12-15T09:00:00Z', ends_at: '2026-12-15T10:00:00Z' });
      expect(before.statusCode).toBe(201);
      // The same instant written with an offset.
      const offset = await post(alice, { client_id: ben.id, starts_at: '2026-12-15T13:00:00+01:00', ends_at: '2026-12-15T13:30:00+01:00' });
      expect(offset.statusCode).toBe(201);
      expect(offset.json<WireAppointment>().starts_at).toBe('2026-12-15T12:00:00.000Z');
    });

    it("another user's calendar is separate: the same time is fine for them", async () => {
      const res = await post(bob, { client_id: bobsClient.id, starts_at: '2026-12-15T10:00:00Z', ends_at: '2026-12-15T11:00:00Z' });
      expect(res.statusCode).toBe(201);
      const row = await appointmentRow(ctx.app, res.json<WireAppointment>().id);
      expect(row).toMatchObject({ ownerId: bob.id, clientId: bobsClient.id });
    });

    it('an overlap with several appointments names one of them', async () => {
      const res = await post(alice, { client_id: ada.id, starts_at: '2026-12-15T08:00:00Z', ends_at: '2026-12-15T14:00:00Z' });
      expectProblem(res, 409);
      const id = res.json<ProblemBody>().conflicting_appointment_id;
      expect(typeof id).toBe('number');
      const row = await appointmentRow(ctx.app, id!);
      expect(row?.ownerId).toBe(alice.id);
      expect(row!.startsAt.getTime() < Date.parse('2026-12-15T14:00:00Z') && row!.endsAt.getTime() > Date.parse('2026-12-15T08:00:00Z')).toBe(true);
    });
  });

  describe('across a daylight-saving change', () => {
    it('spring forward: 01:30-08:00 to 03:30-07:00 is one hour, 09:30Z-10:30Z', async () => {
      const res = await post(alice, { client_id: ada.id, starts_at: '2026-03-08T01:30:00-08:00', ends_at: '2026-03-08T03:30:00-07:00' });
      expect(res.statusCode).toBe(201);
      const body = res.json<WireAppointment>();
      expect(body.starts_at).toBe('2026-03-08T09:30:00.000Z');
      expect(body.ends_at).toBe('2026-03-08T10:30:00.000Z');
      const row = await appointmentRow(ctx.app, body.id);
      expect(row?.startsAt.toISOString()).toBe('2026-03-08T09:30:00.000Z');
      expect(row?.endsAt.toISOString()).toBe('2026-03-08T10:30:00.000Z');
      expect(row!.endsAt.getTime() - row!.startsAt.getTime()).toBe(3_600_000);

      const next = await post(alice, { client_id: ben.id, starts_at: '2026-03-08T10:30:00Z', ends_at: '2026-03-08T11:00:00Z' });
      expect(next.statusCode).toBe(201);
      // 03:00-07:00 is 10:00Z: inside the first appointment although "03:00" reads as after "03:30-07:00"'s start hour.
      const inside = await post(alice, { client_id: ben.id, starts_at: '2026-03-08T03:00:00-07:00', ends_at: '2026-03-08T03:15:00-07:00' });
      expectConflictWith(inside, body.id);
    });

    it('fall back: 01:30-07:00 to 01:30-08:00 is one hour', async () => {
      const res = await post(alice, { client_id: ada.id, starts_at: '2026-11-01T01:30:00-07:00', ends_at: '2026-11-01T01:30:00-08:00' });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ starts_at: '2026-11-01T08:30:00.000Z', ends_at: '2026-11-01T09:30:00.000Z' });
      // The other way round the same wall-clock times are an hour backwards.
      expect422At(await post(alice, { client_id: ada.id, starts_at: '2026-11-01T01:30:00-08:00', ends_at: '2026-11-01T01:30:00-07:00' }), '/ends_at');
    });
  });
});

describe('GET /v1/appointments', () => {
  let lister: Caller;
  let x: WireClient;
  let y: WireClient;
  const made: Record<string, WireAppointment> = {};
  beforeAll(async () => {
    lister = await signUp(ctx.app, 'lister@example.com');
    x = await makeClient(lister, 'Xavier', '+14155550170');
    y = await makeClient(lister, 'Yolanda', '+14155550171');
    // Inserted out of order.
    made.E = await makeAppointment(lister, y.id, '2027-03-01T13:00:00Z', '2027-03-01T17:00:00Z', 'E');
    made.C = await makeAppointment(lister, x.id, '2027-03-01T10:00:00Z', '2027-03-01T11:00:00Z', 'C');
    made.A = await makeAppointment(lister, x.id, '2027-03-01T08:00:00Z', '2027-03-01T09:00:00Z', 'A');
    made.D = await makeAppointment(lister, y.id, '2027-03-01T11:00:00Z', '2027-03-01T12:00:00Z', 'D');
    made.B = await makeAppointment(lister, y.id, '2027-03-01T09:00:00Z', '2027-03-01T09:30:00Z', 'B');
  });
  const notes = (page: Page) => page.items.map((a) => a.notes);

  it('answers the page shape, ordered by starts_at, with embedded clients', async () => {
    const page = await list(lister);
    expect(Object.keys(page)).toEqual(['items', 'total', 'limit', 'offset']);
    expect(page).toMatchObject({ total: 5, limit: 20, offset: 0 });
    expect(notes(page)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(Object.keys(page.items[0]!)).toEqual(['id', 'client_id', 'starts_at', 'ends_at', 'notes', 'notes_truncated', 'status', 'client']);
    expect(page.items[0]).toEqual(made.A);
    expect(page.items[1]!.client).toEqual({ id: y.id, name: 'Yolanda', phone: '+14155550171' });
  });

  it('pages with limit and offset; total counts every match', async () => {
    const page = await list(lister, { limit: 2, offset: 1 });
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 1 });
    expect(notes(page)).toEqual(['B', 'C']);
    expect(await list(lister, { offset: 5 })).toEqual({ items: [], total: 5, limit: 20, offset: 5 });
    expect(await list(lister, { offset: 500 })).toEqual({ items: [], total: 5, limit: 20, offset: 500 });
  });

  it('[from, to) is half-open: one ending at from and one starting at to are excluded', async () => {
    const page = await list(lister, { from: '2027-03-01T09:00:00Z', to: '2027-03-01T11:00:00Z' });
    expect(notes(page)).toEqual(['B', 'C']);
    expect(page.total).toBe(2);
  });

  it('an appointment spanning the whole range is included', async () => {
    expect(notes(await list(lister, { from: '2027-03-01T14:00:00Z', to: '2027-03-01T15:00:00Z' }))).toEqual(['E']);
  });

  it('a range touching by one millisecond includes both neighbours', async () => {
    expect(notes(await list(lister, { from: '2027-03-01T08:59:59.999Z', to: '2027-03-01T09:00:00.001Z' }))).toEqual(['A', 'B']);
  });

  it('from alone and to alone', async () => {
    expect(notes(await list(lister, { from: '2027-03-01T11:00:00Z' }))).toEqual(['D', 'E']);
    expect(notes(await list(lister, { to: '2027-03-01T09:00:00Z' }))).toEqual(['A']);
  });

  it('from and to with offsets', async () => {
    expect(notes(await list(lister, { from: '2027-03-01T10:00:00+01:00', to: '2027-03-01T06:00:00-05:00' }))).toEqual(['B', 'C']);
  });

  it('a range with nothing in it is an empty page', async () => {
    expect(await list(lister, { from: '2027-03-02T00:00:00Z', to: '2027-03-03T00:00:00Z' })).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
  });

  it('pages: limit and offset keep the total; a page past the end is empty with the right total', async () => {
    const page = await list(lister, { from: '2027-03-01T00:00:00Z', to: '2027-03-02T00:00:00Z', limit: 2, offset: 2 });
    expect(notes(page)).toEqual(['C', 'D']);
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 2 });
    expect(await list(lister, { client_id: y.id, limit: 2, offset: 10 })).toEqual({ items: [], total: 3, limit: 2, offset: 10 });
  });

  it('client_id filters, and combines with the range', async () => {
    expect(notes(await list(lister, { client_id: x.id }))).toEqual(['A', 'C']);
    expect(notes(await list(lister, { client_id: y.id }))).toEqual(['B', 'D', 'E']);
    expect(notes(await list(lister, { client_id: y.id, from: '2027-03-01T09:00:00Z', to: '2027-03-01T11:00:00Z' }))).toEqual(['B']);
  });

  it("another user's client_id or a missing one gives nothing of theirs", async () => {
    expect(await list(lister, { client_id: ada.id })).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
    expect(await list(lister, { client_id: 999_999 })).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
  });

  it("never lists another user's appointments", async () => {
    const page = await list(bob, { limit: 100 });
    expect(page.items.length).toBeGreaterThan(0);
    for (const a of page.items) expect((await appointmentRow(ctx.app, a.id))?.ownerId).toBe(bob.id);
    const ids = page.items.map((a) => a.id);
    for (const a of Object.values(made)) expect(ids).not.toContain(a.id);
  });

  it.each([
    ['to equal to from', { from: '2027-03-01T09:00:00Z', to: '2027-03-01T09:00:00Z' }, '/to'],
    ['to before from', { from: '2027-03-01T09:00:00Z', to: '2027-03-01T08:00:00Z' }, '/to'],
    ['to equal to from in another offset', { from: '2027-03-01T09:00:00Z', to: '2027-03-01T10:00:00+01:00' }, '/to'],
    ['from without offset', { from: '2027-03-01T09:00:00' }, '/from'],
    ['to without offset', { to: '2027-03-01T09:00:00' }, '/to'],
    ['from a date only', { from: '2027-03-01' }, '/from'],
    ['from in year 0000', { from: '0000-01-01T00:00:00Z' }, '/from'],
    ['limit 0', { limit: 0 }, '/limit'],
    ['limit 101', { limit: 101 }, '/limit'],
    ['limit abc', { limit: 'abc' }, '/limit'],
    ['offset -1', { offset: -1 }, '/offset'],
    ['client_id abc', { client_id: 'abc' }, '/client_id'],
    ['client_id 0', { client_id: 0 }, '/client_id'],
  ])('%s is 422 at %s', async (_label, query, path) => {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();
    expect422At(await lister.send('GET', `/v1/appointments?${qs}`), path);
  });
});

describe('GET /v1/appointments: a window late in a long calendar', () => {
  // The list walks the calendar from `from` (or from the start of the one appointment that
  // contains `from`), not from its first appointment: what starts long before the window and
  // still overlaps it must come back all the same, in order, with the right total.
  let historian: Caller;
  const notesOf = (page: Page) => page.items.map((a) => a.notes);
  const window = { from: '2027-05-01T09:00:00Z', to: '2027-05-01T12:00:00Z' };
  beforeAll(async () => {
    historian = await signUp(ctx.app, 'historian@example.com');
    const h = await makeClient(historian, 'Hilda', '+14155550180');
    // A year of history that ends before the long one starts: 30 minutes every 12 hours (729).
    await ctx.app.db.execute(sql`
      insert into appointments (client_id, owner_id, starts_at, ends_at, notes)
      select ${h.id}, ${historian.id}, t, t + interval '30 minutes', 'old'
      from generate_series('2019-01-01T00:00:00Z'::timestamptz, '2019-12-31T00:00:00Z'::timestamptz, interval '12 hours') t`);
    await makeAppointment(historian, h.id, '2020-01-01T00:00:00Z', '2027-05-01T09:30:00Z', 'long');
    await makeAppointment(historian, h.id, '2027-05-01T09:30:00Z', '2027-05-01T10:00:00Z', 'w1');
    await makeAppointment(historian, h.id, '2027-05-01T11:00:00Z', '2027-05-01T11:30:00Z', 'w2');
    await makeAppointment(historian, h.id, '2027-05-01T12:00:00Z', '2027-05-01T13:00:00Z', 'after');
    // Cancelled appointments overlap anything: one from 2017 into the window, one before it.
    const cancelled = [
      await makeAppointment(historian, h.id, '2017-06-01T00:00:00Z', '2017-06-02T00:00:00Z', 'cancelled-long'),
      await makeAppointment(historian, h.id, '2017-07-01T00:00:00Z', '2017-07-01T01:00:00Z', 'cancelled-short'),
    ];
    for (const a of cancelled) await ctx.app.db.update(appointments).set({ status: 'cancelled' }).where(eq(appointments.id, a.id));
    await ctx.app.db
      .update(appointments)
      .set({ endsAt: new Date('2027-05-01T11:15:00Z') })
      .where(eq(appointments.id, cancelled[0]!.id));
  });

  it('one that started years before the window and ends inside it is listed first', async () => {
    expect(await list(historian, window)).toMatchObject({ total: 3, limit: 20, offset: 0 });
    expect(notesOf(await list(historian, window))).toEqual(['long', 'w1', 'w2']);
  });

  it('pages and the total past the end count it too', async () => {
    const second = await list(historian, { ...window, limit: 1, offset: 1 });
    expect(notesOf(second)).toEqual(['w1']);
    expect(second.total).toBe(3);
    expect(await list(historian, { ...window, offset: 3 })).toEqual({ items: [], total: 3, limit: 20, offset: 3 });
  });

  it('from alone, from at its start, and from at its end (half-open)', async () => {
    expect(notesOf(await list(historian, { from: window.from }))).toEqual(['long', 'w1', 'w2', 'after']);
    expect(notesOf(await list(historian, { from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' }))).toEqual(['long']);
    expect(notesOf(await list(historian, { from: '2027-05-01T09:30:00Z', to: window.to }))).toEqual(['w1', 'w2']);
    // From inside the history: the appointment that contains it, then the next one.
    expect(notesOf(await list(historian, { from: '2019-12-30T12:15:00Z', to: '2019-12-31T01:00:00Z' }))).toEqual(['old', 'old']);
  });

  it('a cancelled one that started long before overlaps the window and is listed when asked for', async () => {
    expect(notesOf(await list(historian, { ...window, status: 'cancelled' }))).toEqual(['cancelled-long']);
    const all = await list(historian, { ...window, status: 'scheduled,cancelled' });
    expect(notesOf(all)).toEqual(['cancelled-long', 'long', 'w1', 'w2']);
    expect(all.total).toBe(4);
    expect(await list(historian, { ...window, status: 'cancelled,scheduled', offset: 9 })).toMatchObject({ items: [], total: 4 });
  });
});

describe('PATCH /v1/appointments/{id}', () => {
  let p1: WireAppointment;
  let p2: WireAppointment;
  beforeAll(async () => {
    p1 = await makeAppointment(alice, ada.id, '2027-04-01T10:00:00Z', '2027-04-01T11:00:00Z', 'p1');
    p2 = await makeAppointment(alice, ada.id, '2027-04-01T12:00:00Z', '2027-04-01T13:00:00Z', 'p2');
  });
  const patch = (id: number, body: unknown) => alice.send('PATCH', `/v1/appointments/${id}`, body);

  it.each([
    ['both times into an overlap', { starts_at: '2027-04-01T10:30:00Z', ends_at: '2027-04-01T11:30:00Z' }],
    ['only starts_at, so the merged interval overlaps', { starts_at: '2027-04-01T10:59:00Z' }],
    ['times and notes and client together', { starts_at: '2027-04-01T10:00:00Z', ends_at: '2027-04-01T10:30:00Z', notes: 'x' }, true],
  ])('%s is 409 naming the other one, and the row is unchanged', async (_label, body, withClient?: boolean) => {
    const before = await appointmentRow(ctx.app, p2.id);
    expectConflictWith(await patch(p2.id, withClient ? { ...body, client_id: ben.id } : body), p1.id);
    expect(await appointmentRow(ctx.app, p2.id)).toEqual(before);
  });

  it('a move that overlaps its own old slot and another names the other, not itself', async () => {
    const before = await appointmentRow(ctx.app, p1.id);
    expectConflictWith(await patch(p1.id, { starts_at: '2027-04-01T10:30:00Z', ends_at: '2027-04-01T12:30:00Z' }), p2.id);
    expect(await appointmentRow(ctx.app, p1.id)).toEqual(before);
  });

  it('changing only the notes on the same times does not conflict with itself', async () => {
    const res = await patch(p1.id, { notes: 'updated notes' });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json<WireAppointment>())).toEqual(['id', 'client_id', 'starts_at', 'ends_at', 'notes', 'notes_truncated', 'status', 'client']);
    expect(res.json()).toEqual({ ...p1, notes: 'updated notes' });
    expect(await appointmentRow(ctx.app, p1.id)).toMatchObject({ notes: 'updated notes', clientId: ada.id });
  });

  it('sending the same times again is fine', async () => {
    const res = await patch(p1.id, { starts_at: '2027-04-01T12:00:00+02:00', ends_at: '2027-04-01T11:00:00Z' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ starts_at: p1.starts_at, ends_at: p1.ends_at });
  });

  it('moving within its own old interval is fine', async () => {
    const res = await patch(p1.id, { starts_at: '2027-04-01T10:30:00Z', ends_at: '2027-04-01T11:30:00Z' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ starts_at: '2027-04-01T10:30:00.000Z', ends_at: '2027-04-01T11:30:00.000Z' });
    const row = await appointmentRow(ctx.app, p1.id);
    expect(row?.startsAt.toISOString()).toBe('2027-04-01T10:30:00.000Z');
    expect(row?.endsAt.toISOString()).toBe('2027-04-01T11:30:00.000Z');
    expect((await patch(p1.id, { starts_at: p1.starts_at, ends_at: p1.ends_at })).statusCode).toBe(200);
  });

  it('moving back-to-back with the other is fine', async () => {
    const res = await patch(p2.id, { starts_at: '2027-04-01T11:00:00Z' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ starts_at: '2027-04-01T11:00:00.000Z', ends_at: '2027-04-01T13:00:00.000Z' });
    expect((await appointmentRow(ctx.app, p2.id))?.startsAt.toISOString()).toBe('2027-04-01T11:00:00.000Z');
  });

  it.each([
    ['ends before starts', { ends_at: '2027-04-01T09:00:00Z' }, '/ends_at'],
    ['ends equal to the existing starts', { ends_at: '2027-04-01T10:00:00Z' }, '/ends_at'],
    ['starts after the existing ends', { starts_at: '2027-04-01T11:30:00Z' }, '/ends_at'],
    ['both given, reversed', { starts_at: '2027-04-01T11:00:00Z', ends_at: '2027-04-01T10:00:00Z' }, '/ends_at'],
    ['starts without offset', { starts_at: '2027-04-01T10:00:00' }, '/starts_at'],
    ['starts in 1899', { starts_at: '1899-04-01T10:00:00Z' }, '/starts_at'],
    ['an empty body', {}, ''],
    ['only unknown fields', { owner_id: 5 }, ''],
    ['a null client_id', { client_id: null }, '/client_id'],
    ['notes with a NUL', { notes: '\u0000' }, '/notes'],
  ])('%s is 422 at %s and the row is unchanged', async (_label, body, path) => {
    const before = await appointmentRow(ctx.app, p1.id);
    expect422At(await patch(p1.id, body), path);
    expect(await appointmentRow(ctx.app, p1.id)).toEqual(before);
  });

  it("moving to another user's client is 404 and the row is unchanged", async () => {
    const before = await appointmentRow(ctx.app, p1.id);
    const res = await patch(p1.id, { client_id: bobsClient.id });
    expect(expectProblem(res, 404).detail).toBe('Client not found');
    expect(await appointmentRow(ctx.app, p1.id)).toEqual(before);
  });

  it("moving to another of the caller's clients changes the embedded client", async () => {
    const res = await patch(p1.id, { client_id: ben.id });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ client_id: ben.id, client: { id: ben.id, name: 'Ben Baker', phone: '+12125550199' } });
    expect((await appointmentRow(ctx.app, p1.id))?.clientId).toBe(ben.id);
  });

  it('notes null clears them', async () => {
    const res = await patch(p1.id, { notes: null });
    expect(res.statusCode).toBe(200);
    expect(res.json<WireAppointment>().notes).toBeNull();
    expect((await appointmentRow(ctx.app, p1.id))?.notes).toBeNull();
  });

  it('an appointment that does not exist is 404', async () => {
    const res = await patch(2147483647, { notes: 'ghost' });
    expect(expectProblem(res, 404).detail).toBe('Appointment not found');
  });
});

describe("another user's appointment", () => {
  let mine: WireAppointment;
  beforeAll(async () => {
    mine = await makeAppointment(alice, ada.id, '2027-05-01T10:00:00Z', '2027-05-01T11:00:00Z', 'private');
  });

  it('GET is 404 with the same body as one that does not exist', async () => {
    const res = await bob.send('GET', `/v1/appointments/${mine.id}`);
    const body = expectProblem(res, 404);
    expect(body).toEqual({ type: '/problems/not-found', title: 'Not Found', status: 404, detail: 'Appointment not found' });
    expect(res.body).not.toContain('private');
    expect((await bob.send('GET', '/v1/appointments/2147483647')).json()).toEqual(body);
  });

  it.each(['notes', 'times', 'client'] as const)('PATCH of its %s is 404 and the row is unchanged', async (what) => {
    const before = await appointmentRow(ctx.app, mine.id);
    const payload = {
      notes: { notes: 'hacked' },
      times: { starts_at: '2027-05-02T10:00:00Z', ends_at: '2027-05-02T11:00:00Z' },
      client: { client_id: bobsClient.id },
    }[what];
    expectProblem(await bob.send('PATCH', `/v1/appointments/${mine.id}`, payload), 404);
    expect(await appointmentRow(ctx.app, mine.id)).toEqual(before);
  });

  it('DELETE is 404 and the row stays', async () => {
    expectProblem(await bob.send('DELETE', `/v1/appointments/${mine.id}`), 404);
    expect(await appointmentRow(ctx.app, mine.id)).toMatchObject({ id: mine.id, ownerId: alice.id, notes: 'private' });
    expect((await alice.send('GET', `/v1/appointments/${mine.id}`)).json()).toEqual(mine);
  });
});

describe('DELETE /v1/appointments/{id}', () => {
  it('answers 204, removes the row and frees the slot', async () => {
    const a = await makeAppointment(alice, ada.id, '2027-06-01T10:00:00Z', '2027-06-01T11:00:00Z');
    expectConflictWith(await post(alice, { client_id: ben.id, starts_at: '2027-06-01T10:00:00Z', ends_at: '2027-06-01T11:00:00Z' }), a.id);
    const res = await alice.send('DELETE', `/v1/appointments/${a.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await appointmentRow(ctx.app, a.id)).toBeUndefined();
    expectProblem(await alice.send('GET', `/v1/appointments/${a.id}`), 404);
    expectProblem(await alice.send('DELETE', `/v1/appointments/${a.id}`), 404);
    const again = await post(alice, { client_id: ben.id, starts_at: '2027-06-01T10:00:00Z', ends_at: '2027-06-01T11:00:00Z' });
    expect(again.statusCode).toBe(201);
  });
});

describe('ids in the path', () => {
  it.each([
    ['abc', 422],
    ['0', 422],
    ['-1', 422],
    ['1.5', 422],
    ['99999999999', 422],
    ['2147483648', 422],
    ['2147483647', 404],
  ])('/v1/appointments/%s is %i on GET, PATCH and DELETE', async (id, status) => {
    const before = await countAppointments(ctx.app);
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const res = await alice.send(method, `/v1/appointments/${id}`, method === 'PATCH' ? { notes: 'x' } : undefined);
      const body = expectProblem(res, status);
      if (status === 422) expect(body.errors?.map((e) => e.path)).toContain('/id');
    }
    expect(await countAppointments(ctx.app)).toBe(before);
  });
});

describe('status (adopted with the original’s overlaps, or set by the scheduling features)', () => {
  it('a cancelled appointment does not hold its time: no 409 names it, lists leave it out', async () => {
    const first = await post(alice, { client_id: ada.id, starts_at: '2032-02-02T10:00:00Z', ends_at: '2032-02-02T11:00:00Z' });
    expect(first.statusCode).toBe(201);
    expect(first.json<WireAppointment>().status).toBe('scheduled');
    const id = first.json<WireAppointment>().id;
    await ctx.app.db.update(appointments).set({ status: 'cancelled' }).where(eq(appointments.id, id));
    const fetched = await alice.send('GET', `/v1/appointments/${id}`);
    expect(fetched.json<WireAppointment>().status).toBe('cancelled');
    // Lists leave it out unless asked for (availability's side: availability.test.ts).
    const listed = await alice.send('GET', '/v1/appointments?from=2032-02-02T09:00:00Z&to=2032-02-02T12:00:00Z');
    expect(listed.json<{ items: WireAppointment[] }>().items.map((a) => a.id)).not.toContain(id);
    const again = await post(alice, { client_id: ben.id, starts_at: '2032-02-02T10:30:00Z', ends_at: '2032-02-02T11:30:00Z' });
    expect(again.statusCode).toBe(201);
    // A third over the new one is refused, naming the new one, never the cancelled one.
    expectConflictWith(await post(alice, { client_id: ada.id, starts_at: '2032-02-02T10:00:00Z', ends_at: '2032-02-02T10:45:00Z' }), again.json<WireAppointment>().id);
    // PATCH keeps working on a cancelled row and keeps its status.
    const patched = await alice.send('PATCH', `/v1/appointments/${id}`, { notes: 'was double-booked' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ notes: 'was double-booked', status: 'cancelled' });
  });
});

// Round 10's break test: appointments written by hand (or by the original service) in year 1, 99 or
// BC came back 2000 years off, or made the whole list and the appointment a 500.
/**
 * A new user with one client, and appointments of that client written straight into the table, as
 * the original service could write them: each row is `starts_at, ends_at, notes` in SQL.
 */
async function legacyCalendar(email: string, rows: SQL[]): Promise<Caller> {
  const owner = await signUp(ctx.app, email);
  const c = await makeClient(owner, 'Legacy client', '+14155550181');
  const values = sql.join(rows.map((row) => sql`(${c.id}, ${owner.id}, ${row})`), sql`, `);
  await ctx.app.db.execute(sql`insert into appointments (client_id, owner_id, starts_at, ends_at, notes) values ${values}`);
  return owner;
}

describe('legacy appointments at dates no one books', () => {
  it('come back at their stored instant, listed and one by one, and a move keeps the year', async () => {
    const antiquarian = await legacyCalendar('antiquarian@example.com', [
      sql`'0044-03-15 10:00:00+00 BC', '0044-03-15 11:00:00+00 BC', 'ides'`,
      sql`'0001-06-01 10:00:00+00', '0001-06-01 11:00:00+00', 'year one'`,
      sql`'0099-06-01 10:00:00+00', '0099-06-01 11:00:00+00', 'year 99'`,
    ]);
    const { items } = await list(antiquarian, { limit: 10 });
    expect(items.map((a) => [a.notes, a.starts_at, a.ends_at])).toEqual([
      ['ides', '-000043-03-15T10:00:00.000Z', '-000043-03-15T11:00:00.000Z'],
      ['year one', '0001-06-01T10:00:00.000Z', '0001-06-01T11:00:00.000Z'],
      ['year 99', '0099-06-01T10:00:00.000Z', '0099-06-01T11:00:00.000Z'],
    ]);
    const one = await antiquarian.send('GET', `/v1/appointments/${items[0]!.id}`);
    expect(one.statusCode, one.body).toBe(200);
    // A change of the notes alone leaves the stored instants as they were.
    const patched = await antiquarian.send('PATCH', `/v1/appointments/${items[1]!.id}`, { notes: 'still year one' });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json<{ starts_at: string }>().starts_at).toBe('0001-06-01T10:00:00.000Z');
  });
});

// The original's `notes` is unbounded TEXT. The round-14 break test: ten 5 MB notes made one list
// page 52 MB, and sixty 10 MB ones a 500 (`Invalid string length`) with the instance at 1.46 GB.
describe('legacy notes longer than the API writes', () => {
  it('are answered cut to 10,000 characters with notes_truncated, everywhere, and stay whole in the table', async () => {
    // Three notes of 2 MB, one of exactly 10,000 characters, one of 10,001 two-byte characters.
    const archivist = await legacyCalendar('archivist@example.com', [
      sql`'2031-01-06 09:00:00+00', '2031-01-06 10:00:00+00', repeat('a', 2000000)`,
      sql`'2031-01-06 10:00:00+00', '2031-01-06 11:00:00+00', repeat('b', 2000000)`,
      sql`'2031-01-06 11:00:00+00', '2031-01-06 12:00:00+00', repeat('c', 2000000)`,
      sql`'2031-01-06 12:00:00+00', '2031-01-06 13:00:00+00', repeat('d', 10000)`,
      sql`'2031-01-06 13:00:00+00', '2031-01-06 14:00:00+00', repeat('é', 10001)`,
    ]);
    const res = await archivist.send('GET', '/v1/appointments?limit=10');
    expect(res.statusCode).toBe(200);
    // Five notes of at most 10,000 characters (é is two bytes): the page stays small.
    expect(res.body.length).toBeLessThan(5 * 10_000 + 10_000 + 3_000);
    const { items } = res.json<Page>();
    expect(items.map((a) => [a.notes?.length, a.notes?.[0], a.notes_truncated])).toEqual([
      [10_000, 'a', true],
      [10_000, 'b', true],
      [10_000, 'c', true],
      [10_000, 'd', false],
      [10_000, 'é', true],
    ]);
    const [first, second] = items as [WireAppointment, WireAppointment];

    // One by one, and in the answer to a change of another field: cut the same way.
    const one = await archivist.send('GET', `/v1/appointments/${first.id}`);
    expect(one.json()).toEqual(first);
    const cancelled = await archivist.send('PATCH', `/v1/appointments/${first.id}`, { status: 'cancelled' });
    expect(cancelled.json()).toEqual({ ...first, status: 'cancelled' });
    // The stored text is untouched by reads and by changes of other fields...
    expect((await appointmentRow(ctx.app, first.id))?.notes).toBe('a'.repeat(2_000_000));
    // ...and replaced only when notes are written.
    const rewritten = await archivist.send('PATCH', `/v1/appointments/${second.id}`, { notes: 'summary' });
    expect(rewritten.json()).toMatchObject({ notes: 'summary', notes_truncated: false });
    expect((await appointmentRow(ctx.app, second.id))?.notes).toBe('summary');
  });
});
