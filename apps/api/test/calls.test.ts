import { calls } from '@agentcaller/db';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestContext } from './helpers.js';
import { expectProblem, makeAppointment, makeClient, signUp, UTC_MS, type Caller, type WireClient } from './fixtures.js';

let ctx: TestContext;
let alice: Caller;
let bob: Caller;

interface WireCall {
  id: number;
  client_id: number;
  appointment_id: number | null;
  started_at: string;
  duration_seconds: number;
  outcome: string;
  notes: string | null;
  call_back_at: string | null;
  created_at: string;
}
type Due = { items: { client: { id: number; name: string; phone: string }; last_call: WireCall }[] };

beforeAll(async () => {
  ctx = await startApp();
  alice = await signUp(ctx.app, 'alice@example.com');
  bob = await signUp(ctx.app, 'bob@example.com');
});
afterAll(() => ctx.close());

const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

async function record(user: Caller, body: Record<string, unknown>): Promise<WireCall> {
  const res = await user.send('POST', '/v1/calls', { duration_seconds: 60, started_at: minutesFromNow(-300), ...body });
  if (res.statusCode !== 201) throw new Error(`record call failed: ${res.statusCode} ${res.body}`);
  return res.json<WireCall>();
}

const callCount = async () => (await ctx.app.db.select({ n: count() }).from(calls))[0]!.n;
const due = async (user: Caller, query = '') => (await user.send('GET', `/v1/calls/due${query}`)).json<Due>();

describe('recording a call', () => {
  let client: WireClient;
  beforeAll(async () => {
    client = await makeClient(alice, 'Ann Lee');
  });

  it('201 with the stored call; times in UTC with milliseconds', async () => {
    const res = await alice.send('POST', '/v1/calls', { client_id: client.id, started_at: '2026-12-01T14:00:00+01:00', duration_seconds: 95, outcome: 'no_answer', notes: 'rang out' });
    expect(res.statusCode).toBe(201);
    const call = res.json<WireCall>();
    expect(call).toMatchObject({ client_id: client.id, appointment_id: null, started_at: '2026-12-01T13:00:00.000Z', duration_seconds: 95, outcome: 'no_answer', notes: 'rang out', call_back_at: null });
    expect(call.created_at).toMatch(UTC_MS);
    const [row] = await ctx.app.db.select().from(calls).where(eq(calls.id, call.id));
    expect(row?.ownerId).toBe(alice.id);
  });

  it.each(['BOOKED', 'Call_Back', 'hung_up', ''])('outcome %j is 422 naming the allowed outcomes', async (outcome) => {
    const problem = expectProblem(await alice.send('POST', '/v1/calls', { client_id: client.id, started_at: minutesFromNow(-1), duration_seconds: 10, outcome }), 422, '/problems/validation');
    const allowed = 'must be one of booked, no_answer, voicemail, call_back, declined, wrong_number';
    expect(problem.errors).toEqual([{ path: '/outcome', message: allowed }]);
    expect(problem.detail).toBe(`/outcome ${allowed}`);
  });

  it('call_back needs call_back_at (422), and call_back_at is only for call_back (422); nothing is stored', async () => {
    const before = await callCount();
    for (const body of [
      { outcome: 'call_back' },
      { outcome: 'call_back', call_back_at: null },
      { outcome: 'no_answer', call_back_at: minutesFromNow(60) },
    ]) {
      const problem = expectProblem(await alice.send('POST', '/v1/calls', { client_id: client.id, started_at: minutesFromNow(-1), duration_seconds: 10, ...body }), 422, '/problems/validation');
      expect(problem.errors?.map((e) => e.path)).toEqual(['/call_back_at']);
    }
    const ok = await record(alice, { client_id: client.id, outcome: 'call_back', started_at: '2026-12-02T09:00:00Z', call_back_at: '2026-12-02T15:00:00+01:00' });
    expect(ok.call_back_at).toBe('2026-12-02T14:00:00.000Z');
    expect(await callCount()).toBe(before + 1);
  });

  it('booked needs one of this client’s appointments (422 without, 422 for another client’s, 404 for another user’s)', async () => {
    const other = await makeClient(alice, 'Other Client');
    const appointment = await makeAppointment(alice, client.id, '2030-02-04T10:00:00Z', '2030-02-04T10:30:00Z');
    const elsewhere = await makeAppointment(alice, other.id, '2030-02-04T11:00:00Z', '2030-02-04T11:30:00Z');
    const bobsClient = await makeClient(bob, 'Bob Client');
    const bobsAppointment = await makeAppointment(bob, bobsClient.id, '2030-02-04T10:00:00Z', '2030-02-04T10:30:00Z');
    const before = await callCount();
    const missing = expectProblem(await alice.send('POST', '/v1/calls', { client_id: client.id, started_at: minutesFromNow(-1), duration_seconds: 10, outcome: 'booked' }), 422, '/problems/validation');
    expect(missing.errors?.map((e) => e.path)).toEqual(['/appointment_id']);
    const wrong = expectProblem(await alice.send('POST', '/v1/calls', { client_id: client.id, started_at: minutesFromNow(-1), duration_seconds: 10, outcome: 'booked', appointment_id: elsewhere.id }), 422, '/problems/validation');
    expect(wrong.errors?.map((e) => e.path)).toEqual(['/appointment_id']);
    expectProblem(await alice.send('POST', '/v1/calls', { client_id: client.id, started_at: minutesFromNow(-1), duration_seconds: 10, outcome: 'booked', appointment_id: bobsAppointment.id }), 404, '/problems/not-found');
    expect(await callCount()).toBe(before);
    const booked = await record(alice, { client_id: client.id, outcome: 'booked', appointment_id: appointment.id });
    expect(booked.appointment_id).toBe(appointment.id);
    // Deleting the appointment keeps the call, unlinked.
    expect((await alice.send('DELETE', `/v1/appointments/${appointment.id}`)).statusCode).toBe(204);
    const listed = (await alice.send('GET', `/v1/calls?client_id=${client.id}&limit=100`)).json<{ items: WireCall[] }>().items;
    expect(listed.find((c) => c.id === booked.id)?.appointment_id).toBeNull();
  });

  it('a booked call cannot name a cancelled appointment (422); nothing is stored', async () => {
    const appointment = await makeAppointment(alice, client.id, '2030-03-04T10:00:00Z', '2030-03-04T10:30:00Z');
    expect((await alice.send('POST', `/v1/appointments/${appointment.id}/cancel`)).statusCode).toBe(200);
    const before = await callCount();
    const refused = expectProblem(
      await alice.send('POST', '/v1/calls', { client_id: client.id, started_at: minutesFromNow(-1), duration_seconds: 10, outcome: 'booked', appointment_id: appointment.id }),
      422,
      '/problems/validation',
    );
    expect(refused.errors?.map((e) => e.path)).toEqual(['/appointment_id']);
    expect(await callCount()).toBe(before);
    // Another outcome may still name it (a call that cancelled it, say).
    expect((await record(alice, { client_id: client.id, outcome: 'declined', appointment_id: appointment.id })).appointment_id).toBe(appointment.id);
  });

  it('a call cannot start in the future (beyond 5 minutes of clock skew), nor be called back before it started (422); nothing is stored', async () => {
    const before = await callCount();
    // A call dated in 2062 would stay the client's latest call for good: no later call could clear the queue.
    const future = expectProblem(
      await alice.send('POST', '/v1/calls', { client_id: client.id, started_at: '2062-12-03T10:00:00Z', duration_seconds: 5, outcome: 'call_back', call_back_at: '2062-12-03T11:00:00Z' }),
      422,
      '/problems/validation',
    );
    expect(future.errors?.map((e) => e.path)).toEqual(['/started_at']);
    expectProblem(await alice.send('POST', '/v1/calls', { client_id: client.id, started_at: minutesFromNow(10), duration_seconds: 5, outcome: 'no_answer' }), 422, '/problems/validation');
    const early = expectProblem(
      await alice.send('POST', '/v1/calls', { client_id: client.id, started_at: minutesFromNow(-60), duration_seconds: 5, outcome: 'call_back', call_back_at: '1900-01-01T00:00:00Z' }),
      422,
      '/problems/validation',
    );
    expect(early.errors?.map((e) => e.path)).toEqual(['/call_back_at']);
    expect(await callCount()).toBe(before);
    // Within the skew: an agent whose clock runs a minute ahead is not refused.
    expect((await record(alice, { client_id: client.id, outcome: 'no_answer', started_at: minutesFromNow(1) })).outcome).toBe('no_answer');
  });

  it('another user’s client is 404 (recording and listing); nothing is stored', async () => {
    const bobsClient = await makeClient(bob, 'Secret Client');
    const before = await callCount();
    expectProblem(await alice.send('POST', '/v1/calls', { client_id: bobsClient.id, started_at: minutesFromNow(-1), duration_seconds: 10, outcome: 'declined' }), 404, '/problems/not-found');
    expectProblem(await alice.send('POST', '/v1/calls', { client_id: 2147483647, started_at: minutesFromNow(-1), duration_seconds: 10, outcome: 'declined' }), 404, '/problems/not-found');
    expectProblem(await alice.send('GET', `/v1/calls?client_id=${bobsClient.id}`), 404, '/problems/not-found');
    expect(await callCount()).toBe(before);
  });

  it('bad input is 422: unknown outcome, negative or over a day of duration, a time without offset, extra-long notes', async () => {
    const base = { client_id: client.id, started_at: minutesFromNow(-1), duration_seconds: 10, outcome: 'declined' };
    for (const [patch, path] of [
      [{ outcome: 'hung_up' }, '/outcome'],
      [{ duration_seconds: -1 }, '/duration_seconds'],
      [{ duration_seconds: 86_401 }, '/duration_seconds'],
      [{ duration_seconds: 1.5 }, '/duration_seconds'],
      [{ started_at: '2026-12-01T14:00:00' }, '/started_at'],
      [{ notes: 'x'.repeat(10_001) }, '/notes'],
      [{ client_id: 0 }, '/client_id'],
    ] as const) {
      const problem = expectProblem(await alice.send('POST', '/v1/calls', { ...base, ...patch }), 422, '/problems/validation');
      expect(problem.errors?.map((e) => e.path)).toContain(path);
    }
  });
});

describe('the call log', () => {
  it('newest first, [from, to) on started_at, one client, pages with an exact total; nobody else’s calls', async () => {
    const carol = await signUp(ctx.app, 'carol@example.com');
    const one = await makeClient(carol, 'One');
    const two = await makeClient(carol, 'Two');
    const made: WireCall[] = [];
    for (const [client, at] of [[one, '2026-11-01T10:00:00Z'], [two, '2026-11-02T10:00:00Z'], [one, '2026-11-03T10:00:00Z'], [one, '2026-11-03T10:00:00Z']] as const) {
      made.push(await record(carol, { client_id: client.id, started_at: at, outcome: 'voicemail' }));
    }
    await record(bob, { client_id: (await makeClient(bob, 'Bobs')).id, outcome: 'voicemail', started_at: '2026-11-02T12:00:00Z' });
    const page = (await carol.send('GET', '/v1/calls')).json<{ items: WireCall[]; total: number; limit: number; offset: number }>();
    // Same start: the later id first.
    expect(page.items.map((c) => c.id)).toEqual([made[3]!.id, made[2]!.id, made[1]!.id, made[0]!.id]);
    expect(page).toMatchObject({ total: 4, limit: 20, offset: 0 });
    const ofOne = (await carol.send('GET', `/v1/calls?client_id=${one.id}`)).json<{ items: WireCall[]; total: number }>();
    expect(ofOne.items.map((c) => c.id)).toEqual([made[3]!.id, made[2]!.id, made[0]!.id]);
    const window = (await carol.send('GET', '/v1/calls?from=2026-11-02T10:00:00Z&to=2026-11-03T10:00:00Z')).json<{ items: WireCall[] }>();
    expect(window.items.map((c) => c.id)).toEqual([made[1]!.id]);
    const second = (await carol.send('GET', '/v1/calls?limit=2&offset=2')).json<{ items: WireCall[]; total: number }>();
    expect(second.items.map((c) => c.id)).toEqual([made[1]!.id, made[0]!.id]);
    expect(second.total).toBe(4);
    const past = (await carol.send('GET', '/v1/calls?offset=10')).json<{ items: WireCall[]; total: number }>();
    expect(past).toMatchObject({ items: [], total: 4 });
    expectProblem(await carol.send('GET', '/v1/calls?from=2026-11-03T00:00:00Z&to=2026-11-02T00:00:00Z'), 422, '/problems/validation');
    // Deleting a client deletes its calls.
    expect((await carol.send('DELETE', `/v1/clients/${one.id}`)).statusCode).toBe(204);
    expect((await carol.send('GET', '/v1/calls')).json<{ total: number }>().total).toBe(1);
  });
});

describe('the call-back queue', () => {
  it('clients whose latest call is call_back with its time come, the longest waiting first; a later call clears it', async () => {
    const dave = await signUp(ctx.app, 'dave@example.com');
    const [a, b, c, d, e] = await Promise.all(['A', 'B', 'C', 'D', 'E'].map((name) => makeClient(dave, `Client ${name}`)));
    // A: due an hour ago (asked two hours ago). B: due two hours ago. C: due tomorrow.
    await record(dave, { client_id: a!.id, outcome: 'call_back', started_at: minutesFromNow(-180), call_back_at: minutesFromNow(-60) });
    await record(dave, { client_id: b!.id, outcome: 'call_back', started_at: minutesFromNow(-170), call_back_at: minutesFromNow(-120) });
    await record(dave, { client_id: c!.id, outcome: 'call_back', started_at: minutesFromNow(-160), call_back_at: minutesFromNow(24 * 60) });
    // D asked to be called back, then a later call declined: not due.
    await record(dave, { client_id: d!.id, outcome: 'call_back', started_at: minutesFromNow(-150), call_back_at: minutesFromNow(-90) });
    await record(dave, { client_id: d!.id, outcome: 'declined', started_at: minutesFromNow(-30) });
    // E: a call_back recorded after the fact with an earlier start than E's latest call: not the latest, not due.
    await record(dave, { client_id: e!.id, outcome: 'no_answer', started_at: minutesFromNow(-20) });
    await record(dave, { client_id: e!.id, outcome: 'call_back', started_at: minutesFromNow(-200), call_back_at: minutesFromNow(-100) });
    // Bob's due client is not Dave's.
    const bobs = await makeClient(bob, 'Bobs Due');
    await record(bob, { client_id: bobs.id, outcome: 'call_back', started_at: minutesFromNow(-100), call_back_at: minutesFromNow(-99) });

    const queue = await due(dave);
    expect(queue.items.map((item) => item.client.name)).toEqual(['Client B', 'Client A']);
    expect(queue.items[0]!.client).toEqual({ id: b!.id, name: 'Client B', phone: b!.phone });
    expect(queue.items[0]!.last_call).toMatchObject({ client_id: b!.id, outcome: 'call_back' });
    expect(queue.items[0]!.last_call.call_back_at).toMatch(UTC_MS);
    expect((await due(dave, '?limit=1')).items.map((item) => item.client.id)).toEqual([b!.id]);

    // B is called now and books: B leaves the queue; A stays.
    const appointment = await makeAppointment(dave, b!.id, '2030-03-04T10:00:00Z', '2030-03-04T10:30:00Z');
    await record(dave, { client_id: b!.id, outcome: 'booked', appointment_id: appointment.id, started_at: minutesFromNow(-1) });
    expect((await due(dave)).items.map((item) => item.client.id)).toEqual([a!.id]);
    // A asks again for later: not due any more until then.
    await record(dave, { client_id: a!.id, outcome: 'call_back', started_at: minutesFromNow(-1), call_back_at: minutesFromNow(30) });
    expect((await due(dave)).items).toEqual([]);
    expectProblem(await dave.send('GET', '/v1/calls/due?limit=0'), 422, '/problems/validation');
    expectProblem(await dave.send('GET', '/v1/calls/due?limit=101'), 422, '/problems/validation');
  });
});
