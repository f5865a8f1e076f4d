import { appointments, clients } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountGate } from '../src/lib/account-gate.js';
import { HEAVY_PER_ACCOUNT, HEAVY_QUEUE_PER_ACCOUNT, WRITE_QUEUE_PER_ACCOUNT, WRITES_PER_ACCOUNT } from '../src/routes/limits.js';
import { bearer, login, register, startApp, type TestContext } from './helpers.js';

let ctx: TestContext;
let heavy: { authorization: string };
let quiet: { authorization: string };
const ROWS = 20_000;

beforeAll(async () => {
  ctx = await startApp();
  const a = await register(ctx.app, 'flood@example.com');
  await register(ctx.app, 'quiet@example.com');
  heavy = bearer(await login(ctx.app, 'flood@example.com'));
  quiet = bearer(await login(ctx.app, 'quiet@example.com'));
  const [client] = await ctx.app.db.insert(clients).values({ ownerId: a.id, name: 'Busy', phone: '+14155550123' }).returning();
  // One appointment every 30 minutes for the flooding account's calendar.
  await ctx.app.db.execute(sql`
    insert into ${appointments} (owner_id, client_id, starts_at, ends_at)
    select ${a.id}, ${client!.id}, t, t + interval '30 minutes'
      from generate_series(timestamptz '2031-01-01', timestamptz '2031-01-01' + (${ROWS - 1} * interval '30 minutes'), interval '30 minutes') as t`);
}, 120_000);
afterAll(() => ctx.close());

const timed = async (url: string, headers: { authorization: string }) => {
  const start = performance.now();
  const res = await ctx.app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, ms: performance.now() - start };
};

// Issue 10, item 10: the work one account can cause is bounded; others keep their latency.
describe('one account cannot starve the rest', () => {
  // The latency of the other account under the flood is measured on PostgreSQL (a pool of
  // connections to take): test/services/fairness.test.ts.
  it('20 parallel lists of one account: a few run, a bounded queue waits, the rest are 429 at once', async () => {
    const flood = Array.from({ length: 20 }, () => timed('/v1/appointments?limit=100&offset=5000', heavy));
    const other = await timed('/v1/clients', quiet);
    const results = await Promise.all(flood);
    expect(other.status).toBe(200);
    const statuses = results.map((r) => r.status);
    const served = statuses.filter((s) => s === 200).length;
    // Two run and eight wait; the rest are refused at once (a list that ends meanwhile frees a place,
    // so on a pool more than ten may be served).
    expect(served).toBeGreaterThanOrEqual(HEAVY_PER_ACCOUNT + HEAVY_QUEUE_PER_ACCOUNT);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(served + statuses.filter((s) => s === 429).length).toBe(20);
    expect(ctx.app.accountGate.size).toBe(0);
  });

  it("a signed-in write waits for one of its account's write slots: beyond the queue, a 429 problem at once", async () => {
    const account = (await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: quiet })).json<{ id: number }>().id;
    const gate = ctx.app.writeGate;
    // The account's slots all taken, and its queue full.
    for (let i = 0; i < WRITES_PER_ACCOUNT; i++) await gate.acquire(account);
    const queued = Array.from({ length: WRITE_QUEUE_PER_ACCOUNT }, () => gate.acquire(account));
    const create = () => ctx.app.inject({ method: 'POST', url: '/v1/clients', headers: quiet, payload: { name: 'Burst', phone: '+14155550123' } });
    const refused = await create();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toMatchObject({ type: '/problems/throttled', status: 429 });
    // Another account's write does not wait for this one's slots; this one's reads neither.
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/clients', headers: heavy, payload: { name: 'Other', phone: '+14155550123' } })).statusCode).toBe(201);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: quiet })).statusCode).toBe(200);
    // Each slot given back goes to the next in line; then the account's write runs.
    for (let i = 0; i < WRITES_PER_ACCOUNT + WRITE_QUEUE_PER_ACCOUNT; i++) gate.release(account);
    await Promise.all(queued);
    expect(gate.size).toBe(0);
    expect((await create()).statusCode).toBe(201);
    expect(gate.size).toBe(0);
  });

  it('the total stays exact', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/appointments?limit=1', headers: heavy });
    expect(res.json<{ total: number }>().total).toBe(ROWS);
  });

  it('the gate queues, hands on its slots and forgets idle accounts', async () => {
    const gate = new AccountGate(1, 1, 60_000);
    await gate.acquire(7);
    let second = false;
    const waiting = gate.acquire(7).then(() => (second = true));
    await expect(gate.acquire(7)).rejects.toMatchObject({ kind: 'throttled', retryAfterSeconds: 1 });
    await gate.acquire(8);
    expect(second).toBe(false);
    gate.release(7);
    await waiting;
    expect(second).toBe(true);
    gate.release(7);
    gate.release(8);
    expect(gate.size).toBe(0);
  });

  it('a call waits at most maxWaitMs for a slot (503 `unavailable`), and leaves nothing behind', async () => {
    const gate = new AccountGate(1, 4, 50);
    await gate.acquire(7);
    const started = performance.now();
    await expect(gate.acquire(7)).rejects.toMatchObject({ kind: 'unavailable', retryAfterSeconds: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    // The refused call is out of the queue: the slot, released, is free, not handed to it.
    gate.release(7);
    expect(gate.size).toBe(0);
    await gate.acquire(7);
    gate.release(7);
    expect(gate.size).toBe(0);
  });
});
