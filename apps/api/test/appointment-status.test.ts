// Appointment status (spec, "Appointments"): cancel frees the time, lists hide cancelled ones unless
// `status=` asks, PATCH sets the status, and back to `scheduled` re-checks the overlap (undo).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestContext } from './helpers.js';
import {
  appointmentRow,
  makeAppointment,
  makeClient,
  overlappingPairs,
  PROBLEM_JSON,
  signUp,
  type Caller,
  type ProblemBody,
  type WireAppointment,
} from './fixtures.js';

let ctx: TestContext;
let alice: Caller;
let bob: Caller;
let clientId: number;

beforeAll(async () => {
  ctx = await startApp();
  alice = await signUp(ctx.app, 'alice@example.com');
  bob = await signUp(ctx.app, 'bob@example.com');
  clientId = (await makeClient(alice, 'Ada')).id;
});
afterAll(() => ctx.close());

type Page = { items: WireAppointment[]; total: number };
const list = async (query: string) => {
  const res = await alice.send('GET', `/v1/appointments?from=2027-03-01T00:00:00Z&to=2027-03-02T00:00:00Z${query}`);
  expect(res.statusCode).toBe(200);
  return res.json<Page>();
};

describe('POST /v1/appointments/{id}/cancel', () => {
  it('answers 200 with the cancelled appointment, keeps the row, and frees the time', async () => {
    const a = await makeAppointment(alice, clientId, '2027-03-01T10:00:00Z', '2027-03-01T11:00:00Z');
    const res = await alice.send('POST', `/v1/appointments/${a.id}/cancel`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ...a, status: 'cancelled' });
    expect((await appointmentRow(ctx.app, a.id))?.status).toBe('cancelled');
    // The time is free: a new appointment there is accepted.
    const b = await makeAppointment(alice, clientId, '2027-03-01T10:30:00Z', '2027-03-01T11:30:00Z');
    expect(b.status).toBe('scheduled');
    // Cancelling again changes nothing.
    expect((await alice.send('POST', `/v1/appointments/${a.id}/cancel`)).json<WireAppointment>().status).toBe('cancelled');
  });

  it("someone else's, unknown and malformed ids are 404 (or 422), never 500; strangers 401", async () => {
    const a = await makeAppointment(alice, clientId, '2027-03-05T10:00:00Z', '2027-03-05T11:00:00Z');
    const other = await bob.send('POST', `/v1/appointments/${a.id}/cancel`);
    expect(other.statusCode).toBe(404);
    expect(other.headers['content-type']).toBe(PROBLEM_JSON);
    expect((await appointmentRow(ctx.app, a.id))?.status).toBe('scheduled');
    expect((await alice.send('POST', '/v1/appointments/999999/cancel')).statusCode).toBe(404);
    expect([404, 422]).toContain((await alice.send('POST', '/v1/appointments/abc/cancel')).statusCode);
    expect([404, 422]).toContain((await alice.send('POST', '/v1/appointments/99999999999/cancel')).statusCode);
    expect((await ctx.app.inject({ method: 'POST', url: `/v1/appointments/${a.id}/cancel` })).statusCode).toBe(401);
  });
});

describe('lists and status', () => {
  it('hide cancelled appointments unless status= asks; total counts what is listed', async () => {
    const all = await list('&status=scheduled,cancelled,completed,no_show');
    expect(all.items.map((i) => i.status)).toEqual(['cancelled', 'scheduled']);
    const shown = await list('');
    expect(shown.items.map((i) => i.status)).toEqual(['scheduled']);
    expect(shown.total).toBe(1);
    const cancelled = await list('&status=cancelled');
    expect(cancelled.items.map((i) => i.status)).toEqual(['cancelled']);
    expect(cancelled.total).toBe(1);
    expect((await list('&status=cancelled,cancelled')).total).toBe(1);
    // Paged past the first row: total still counts only the statuses asked for.
    expect((await list('&status=scheduled&offset=5')).total).toBe(1);
  });

  it.each(['unknown', 'scheduled,', 'Cancelled', ',scheduled', 'scheduled;cancelled', ''])('status=%j is 422', async (status) => {
    const res = await alice.send('GET', `/v1/appointments?status=${encodeURIComponent(status)}`);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toBe(PROBLEM_JSON);
    expect(res.json<ProblemBody>().errors?.map((e) => e.path)).toContain('/status');
  });

  it('PATCH sets completed and no_show (they keep holding the time); an unknown status is 422', async () => {
    const a = await makeAppointment(alice, clientId, '2027-03-10T10:00:00Z', '2027-03-10T11:00:00Z');
    for (const status of ['completed', 'no_show'] as const) {
      const res = await alice.send('PATCH', `/v1/appointments/${a.id}`, { status });
      expect(res.statusCode).toBe(200);
      expect(res.json<WireAppointment>().status).toBe(status);
      expect((await appointmentRow(ctx.app, a.id))?.status).toBe(status);
      const clash = await alice.send('POST', '/v1/appointments', { client_id: clientId, starts_at: '2027-03-10T10:30:00Z', ends_at: '2027-03-10T11:30:00Z' });
      expect(clash.statusCode).toBe(409);
      expect(clash.json<ProblemBody>().conflicting_appointment_id).toBe(a.id);
    }
    const bad = await alice.send('PATCH', `/v1/appointments/${a.id}`, { status: 'done' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<ProblemBody>().errors).toEqual([{ path: '/status', message: 'must be one of scheduled, cancelled, completed, no_show' }]);
    expect((await appointmentRow(ctx.app, a.id))?.status).toBe('no_show');
  });

  it('undo: back to scheduled re-checks the overlap: 409 naming the taker while the time is taken, 200 once it is free', async () => {
    const a = await makeAppointment(alice, clientId, '2027-03-12T10:00:00Z', '2027-03-12T11:00:00Z');
    expect((await alice.send('POST', `/v1/appointments/${a.id}/cancel`)).statusCode).toBe(200);
    const taker = await makeAppointment(alice, clientId, '2027-03-12T10:30:00Z', '2027-03-12T11:30:00Z');
    const refused = await alice.send('PATCH', `/v1/appointments/${a.id}`, { status: 'scheduled' });
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toBe(PROBLEM_JSON);
    expect(refused.json<ProblemBody>().conflicting_appointment_id).toBe(taker.id);
    expect((await appointmentRow(ctx.app, a.id))?.status).toBe('cancelled');
    // Moving and restoring at once is checked as one change.
    const moved = await alice.send('PATCH', `/v1/appointments/${a.id}`, { status: 'scheduled', starts_at: '2027-03-12T09:00:00Z', ends_at: '2027-03-12T10:00:00Z' });
    expect(moved.statusCode).toBe(200);
    expect(moved.json<WireAppointment>()).toMatchObject({ status: 'scheduled', starts_at: '2027-03-12T09:00:00.000Z' });
    expect(await overlappingPairs(ctx.app)).toEqual([]);
  });

  it('DELETE still removes the row, cancelled or not', async () => {
    const a = await makeAppointment(alice, clientId, '2027-03-14T10:00:00Z', '2027-03-14T11:00:00Z');
    await alice.send('POST', `/v1/appointments/${a.id}/cancel`);
    expect((await alice.send('DELETE', `/v1/appointments/${a.id}`)).statusCode).toBe(204);
    expect(await appointmentRow(ctx.app, a.id)).toBeUndefined();
  });
});
