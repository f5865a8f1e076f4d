import { appointments } from '@agentcaller/db';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestContext } from './helpers.js';
import {
  appointmentRow,
  countAppointments,
  makeAppointment,
  makeClient,
  overlappingPairs,
  plusMinutes,
  signUp,
  type Caller,
  type ProblemBody,
  type WireAppointment,
  type WireClient,
} from './fixtures.js';

// With PGlite (the default) app.inject's requests interleave on one connection; with DATABASE_URL
// set they run truly in parallel on the PostgreSQL pool. The tests are the same for both.

const N = 16;

let ctx: TestContext;

beforeAll(async () => {
  ctx = await startApp();
});
afterAll(async () => {
  expect(await overlappingPairs(ctx.app)).toEqual([]);
  await ctx.close();
});

async function rowsOf(ownerId: number) {
  return ctx.app.db.select().from(appointments).where(eq(appointments.ownerId, ownerId)).orderBy(asc(appointments.startsAt));
}

function tally(results: { statusCode: number }[]) {
  const counts: Record<number, number> = {};
  for (const r of results) counts[r.statusCode] = (counts[r.statusCode] ?? 0) + 1;
  return counts;
}

async function twoClients(user: Caller): Promise<[WireClient, WireClient]> {
  return [await makeClient(user, 'First', '+14155550123'), await makeClient(user, 'Second', '+14155550124')];
}

describe('parallel creates of one slot', () => {
  it.each([1, 2, 3])(`round %i: ${N} POSTs, exactly one 201 and ${N - 1} 409s naming the winner, one row`, async (round) => {
    const user = await signUp(ctx.app, `creator${round}@example.com`);
    const clients = await twoClients(user);
    const startsAt = `2027-10-0${round}T10:00:00Z`;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        user.send('POST', '/v1/appointments', {
          client_id: clients[i % 2]!.id,
          // The same slot, written with different offsets.
          starts_at: i % 3 === 0 ? startsAt : i % 3 === 1 ? startsAt.replace('T10:00:00Z', 'T12:00:00+02:00') : startsAt.replace('T10:00:00Z', 'T05:00:00-05:00'),
          ends_at: plusMinutes(startsAt, 60),
          notes: `attempt ${i}`,
        }),
      ),
    );
    expect(tally(results)).toEqual({ 201: 1, 409: N - 1 });
    const winner = results.find((r) => r.statusCode === 201)!.json<WireAppointment>();
    expect(winner.starts_at).toBe('2027-10-0' + round + 'T10:00:00.000Z');
    for (const r of results.filter((x) => x.statusCode === 409)) {
      expect(r.json<ProblemBody>()).toEqual({
        type: '/problems/appointment-conflict',
        title: 'Conflict',
        status: 409,
        detail: expect.any(String) as unknown,
        conflicting_appointment_id: winner.id,
      });
    }
    const rows = await rowsOf(user.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: winner.id, notes: winner.notes, clientId: winner.client_id });
  });

  // Several rounds: on PostgreSQL two inserts refused by each other's exclusion check can deadlock,
  // which a round catches only when the requests interleave just so.
  it.each(Array.from({ length: 12 }, (_, i) => i + 1))(`round %i: ${N} POSTs of a chain of overlapping slots: every answer 201 or 409, the accepted ones never overlap, each 409 names an accepted one in its way`, async (round) => {
    const user = await signUp(ctx.app, `chain${round}@example.com`);
    const [client] = await twoClients(user);
    const base = `2027-11-${String(round).padStart(2, '0')}T08:00:00.000Z`;
    // Slot i is [base + 30i min, base + 30i + 60 min): each overlaps its two neighbours.
    const wanted = Array.from({ length: N }, (_, i) => ({ starts_at: plusMinutes(base, 30 * i), ends_at: plusMinutes(base, 30 * i + 60) }));
    const results = await Promise.all(wanted.map((slot) => user.send('POST', '/v1/appointments', { client_id: client.id, ...slot })));
    const counts = tally(results);
    // Every answer is 201 or 409 (anything else, e.g. a 500 from a deadlock, is shown with its body).
    expect(results.filter((r) => r.statusCode !== 201 && r.statusCode !== 409).map((r) => `${r.statusCode} ${r.body}`)).toEqual([]);
    // At most every other slot fits, at least a third of them (a greedy worst case).
    expect(counts[201]).toBeGreaterThanOrEqual(Math.ceil(N / 3));
    expect(counts[201]).toBeLessThanOrEqual(N / 2);
    const accepted = new Map(results.filter((r) => r.statusCode === 201).map((r) => [r.json<WireAppointment>().id, r.json<WireAppointment>()]));
    results.forEach((r, i) => {
      if (r.statusCode !== 409) return;
      const other = accepted.get(r.json<ProblemBody>().conflicting_appointment_id!);
      expect(other).not.toBeUndefined();
      expect(Date.parse(other!.starts_at) < Date.parse(wanted[i]!.ends_at) && Date.parse(other!.ends_at) > Date.parse(wanted[i]!.starts_at)).toBe(true);
    });
    const rows = await rowsOf(user.id);
    expect(rows.map((r) => r.id).sort((a, b) => a - b)).toEqual([...accepted.keys()].sort((a, b) => a - b));
    expect(await overlappingPairs(ctx.app)).toEqual([]);
  });

  it('two users booking the same slot in parallel both succeed', async () => {
    const users = await Promise.all([signUp(ctx.app, 'par1@example.com'), signUp(ctx.app, 'par2@example.com')]);
    const clients = await Promise.all(users.map((u) => makeClient(u, 'Same', '+14155550123')));
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        users[i % 2]!.send('POST', '/v1/appointments', {
          client_id: clients[i % 2]!.id,
          starts_at: '2027-12-01T10:00:00Z',
          ends_at: '2027-12-01T11:00:00Z',
        }),
      ),
    );
    expect(tally(results)).toEqual({ 201: 2, 409: N - 2 });
    for (const u of users) expect(await countAppointments(ctx.app, u.id)).toBe(1);
  });
});

describe('parallel moves into one slot', () => {
  it.each([1, 2, 3])(`round %i: ${N} PATCHes of different appointments, exactly one 200 and ${N - 1} 409s, no overlapping pair`, async (round) => {
    const user = await signUp(ctx.app, `mover${round}@example.com`);
    const clients = await twoClients(user);
    const day = `2028-01-0${round}`;
    // N non-overlapping appointments, one an hour from 00:00 (the last ends at 16:00), moved to 20:00-21:00.
    const existing: WireAppointment[] = [];
    for (let i = 0; i < N; i++) {
      existing.push(await makeAppointment(user, clients[i % 2]!.id, plusMinutes(`${day}T00:00:00Z`, 60 * i), plusMinutes(`${day}T00:00:00Z`, 60 * i + 60), `#${i}`));
    }
    const before = await rowsOf(user.id);
    expect(before).toHaveLength(N);

    const target = { starts_at: `${day}T20:00:00Z`, ends_at: `${day}T21:00:00Z` };
    const results = await Promise.all(existing.map((a) => user.send('PATCH', `/v1/appointments/${a.id}`, target)));
    expect(tally(results)).toEqual({ 200: 1, 409: N - 1 });

    const winnerIndex = results.findIndex((r) => r.statusCode === 200);
    const winner = results[winnerIndex]!.json<WireAppointment>();
    expect(winner).toEqual({ ...existing[winnerIndex]!, starts_at: `${day}T20:00:00.000Z`, ends_at: `${day}T21:00:00.000Z` });
    results.forEach((r, i) => {
      if (i === winnerIndex) return;
      expect(r.json<ProblemBody>()).toMatchObject({ status: 409, conflicting_appointment_id: winner.id });
    });

    // The losers are untouched, the winner moved, nothing overlaps.
    const after = await rowsOf(user.id);
    expect(after).toHaveLength(N);
    for (const row of before) {
      const now = after.find((r) => r.id === row.id);
      if (row.id === winner.id) {
        expect(now?.startsAt.toISOString()).toBe(`${day}T20:00:00.000Z`);
        expect(now?.endsAt.toISOString()).toBe(`${day}T21:00:00.000Z`);
      } else {
        expect(now).toEqual(row);
      }
    }
    expect(await overlappingPairs(ctx.app)).toEqual([]);
  });

  it(`${N} PATCHes that swap into each other's slots never leave an overlap`, async () => {
    const user = await signUp(ctx.app, 'swapper@example.com');
    const [client] = await twoClients(user);
    const base = '2028-02-01T00:00:00.000Z';
    const existing: WireAppointment[] = [];
    for (let i = 0; i < N; i++) existing.push(await makeAppointment(user, client.id, plusMinutes(base, 60 * i), plusMinutes(base, 60 * i + 60)));
    // Each moves half an hour later, into its neighbour's slot (the last one into free time).
    const results = await Promise.all(
      existing.map((a, i) => user.send('PATCH', `/v1/appointments/${a.id}`, { starts_at: plusMinutes(base, 60 * i + 30), ends_at: plusMinutes(base, 60 * i + 90) })),
    );
    for (const r of results) expect([200, 409]).toContain(r.statusCode);
    // The last one moves into free time unless its neighbour moved into its way first.
    expect(tally(results)[200]).toBeGreaterThanOrEqual(1);
    expect(await rowsOf(user.id)).toHaveLength(N);
    expect(await overlappingPairs(ctx.app)).toEqual([]);
  });
});

describe('deleting a client while booking for it', () => {
  it('every booking is either refused with 404 or removed with the client; nothing is orphaned, never 500', async () => {
    const user = await signUp(ctx.app, 'deleter@example.com');
    const client = await makeClient(user, 'Short-lived', '+14155550123');
    const requests = [
      ...Array.from({ length: N - 1 }, (_, i) =>
        user.send('POST', '/v1/appointments', {
          client_id: client.id,
          starts_at: plusMinutes('2028-03-01T00:00:00.000Z', 60 * i),
          ends_at: plusMinutes('2028-03-01T00:00:00.000Z', 60 * i + 30),
        }),
      ),
    ];
    const results = await Promise.all(requests.toSpliced(N / 2, 0, user.send('DELETE', `/v1/clients/${client.id}`)));
    const deleteResult = results[N / 2]!;
    expect(deleteResult.statusCode).toBe(204);
    for (const r of results.filter((x) => x !== deleteResult)) expect([201, 404]).toContain(r.statusCode);
    expect(await countAppointments(ctx.app, user.id)).toBe(0);
    for (const r of results.filter((x) => x.statusCode === 201)) expect(await appointmentRow(ctx.app, r.json<WireAppointment>().id)).toBeUndefined();
  });
});
