// Administration across two API instances sharing one PostgreSQL database (each with its own pool,
// as behind a load balancer): every change made on one holds on the other at once, because each
// request reads its user (and an API key its row) from the database. And the last administrator's
// rule under concurrency: two administrators removing each other at the same moment, on two
// instances, cannot both succeed.
import { users } from '@agentcaller/db';
import type { TestDatabase } from '@agentcaller/db/testing';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../faults/api.js';
import { expectProblem, signUp, type Caller } from '../fixtures.js';
import { bearer, form, startApp, type TestContext } from '../helpers.js';

let database: TestDatabase;
let a: TestContext;
let b: TestContext;
let adminOnA: Caller;
let adminOnB: Caller;

/** The same user, sending through the other instance. */
const through = (caller: Caller, ctx: TestContext): Caller => ({
  ...caller,
  send: (method, url, body) =>
    ctx.app.inject(
      body === undefined
        ? { method, url, headers: bearer(caller.token) }
        : { method, url, headers: { ...bearer(caller.token), 'content-type': 'application/json' }, payload: JSON.stringify(body) },
    ),
});

beforeAll(async () => {
  database = await createPostgresDatabase();
  a = await startApp({ database });
  b = await startApp({ database });
  adminOnA = await signUp(a.app, 'root@example.com');
  await a.app.db.update(users).set({ isSuperuser: true }).where(eq(users.id, adminOnA.id));
  adminOnB = through(adminOnA, b);
}, 120_000);
afterAll(async () => {
  await a?.app.close();
  await b?.app.close();
  await database?.drop();
});

const me = (ctx: TestContext, token: string) => ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });
const signInStatus = async (ctx: TestContext, email: string) =>
  (await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: email, password: 'correct horse battery' }) })).statusCode;

describe('two instances, one database', () => {
  it('deactivate on one: the token and the key are refused on the other at once; reactivate on the other: sign-in works on the first', async () => {
    const user = await signUp(b.app, 'leaver@example.com');
    const key = (await user.send('POST', '/v1/api-keys', { name: 'agent' })).json<{ key: string }>().key;
    expect((await me(b, user.token)).statusCode).toBe(200);
    expect((await me(b, key)).statusCode).toBe(200);
    expect((await adminOnA.send('PATCH', `/v1/admin/users/${user.id}`, { is_active: false })).statusCode).toBe(200);
    expectProblem(await me(b, user.token), 401, '/problems/unauthorized');
    expectProblem(await me(b, key), 401, '/problems/unauthorized');
    expect(await signInStatus(b, user.email)).toBe(403);
    expect((await adminOnB.send('PATCH', `/v1/admin/users/${user.id}`, { is_active: true })).statusCode).toBe(200);
    expect(await signInStatus(a, user.email)).toBe(200);
    expectProblem(await me(a, key), 401, '/problems/unauthorized');
  });

  it('grant on one: the other lets the user in at once; demote on the other: the first refuses at once', async () => {
    const deputy = await signUp(a.app, 'deputy@example.com');
    const deputyOnB = through(deputy, b);
    expectProblem(await deputyOnB.send('GET', '/v1/admin/users'), 403, '/problems/admin-required');
    expect((await adminOnA.send('PATCH', `/v1/admin/users/${deputy.id}`, { is_superuser: true })).statusCode).toBe(200);
    expect((await deputyOnB.send('GET', '/v1/admin/users')).statusCode).toBe(200);
    expect((await adminOnB.send('PATCH', `/v1/admin/users/${deputy.id}`, { is_superuser: false })).statusCode).toBe(200);
    expectProblem(await deputy.send('GET', '/v1/admin/users'), 403, '/problems/admin-required');
  });

  it('delete on one: the token is refused on the other, the list on the other no longer has the user', async () => {
    const user = await signUp(a.app, 'gone@example.com');
    expect((await adminOnB.send('DELETE', `/v1/admin/users/${user.id}`)).statusCode).toBe(204);
    expectProblem(await me(a, user.token), 401, '/problems/unauthorized');
    const list = (await adminOnA.send('GET', '/v1/admin/users?q=gone')).json<{ items: unknown[]; total: number }>();
    expect(list).toMatchObject({ items: [], total: 0 });
  });
});

describe('the last administrator, under concurrency', () => {
  const activeAdmins = async () =>
    (await a.app.db.select({ n: count() }).from(users).where(and(eq(users.isSuperuser, true), eq(users.isActive, true))))[0]!.n;

  // Each round: two administrators X and Y (and nobody else); X removes Y on instance A while Y
  // removes X on instance B. Without the row locks both would see two administrators and pass.
  const rounds: [string, (x: Caller, y: Caller) => Promise<number>[]][] = [
    ['deactivate each other', (x, y) => [x.send('PATCH', `/v1/admin/users/${y.id}`, { is_active: false }), through(y, b).send('PATCH', `/v1/admin/users/${x.id}`, { is_active: false })].map(async (r) => (await r).statusCode)],
    ['demote each other', (x, y) => [x.send('PATCH', `/v1/admin/users/${y.id}`, { is_superuser: false }), through(y, b).send('PATCH', `/v1/admin/users/${x.id}`, { is_superuser: false })].map(async (r) => (await r).statusCode)],
    ['delete each other', (x, y) => [x.send('DELETE', `/v1/admin/users/${y.id}`), through(y, b).send('DELETE', `/v1/admin/users/${x.id}`)].map(async (r) => (await r).statusCode)],
    ['demote themselves', (x, y) => [x.send('PATCH', `/v1/admin/users/${x.id}`, { is_superuser: false }), through(y, b).send('PATCH', `/v1/admin/users/${y.id}`, { is_superuser: false })].map(async (r) => (await r).statusCode)],
  ];

  it.each(rounds)('%s at once on two instances: one wins, at least one active administrator remains (10 rounds)', async (label, race) => {
    // Only X and Y administer during the race.
    await a.app.db.update(users).set({ isSuperuser: false });
    for (let round = 0; round < 10; round++) {
      const x = await signUp(a.app, `x-${label.replace(/\W/g, '')}-${round}@example.com`);
      const y = await signUp(a.app, `y-${label.replace(/\W/g, '')}-${round}@example.com`);
      await a.app.db.update(users).set({ isSuperuser: true }).where(eq(users.id, x.id));
      await a.app.db.update(users).set({ isSuperuser: true }).where(eq(users.id, y.id));
      const statuses = (await Promise.all(race(x, y))).sort();
      // The loser is refused as the last administrator (409) or, when the winner removed it first,
      // as no longer an administrator (403 on the lock, or 401 once its token was ended).
      expect(statuses.filter((s) => s === 200 || s === 204), `${label} round ${round}: ${statuses.join(',')}`).toHaveLength(1);
      expect(await activeAdmins()).toBe(1);
      // Back to none before the next round.
      await a.app.db.update(users).set({ isSuperuser: false });
    }
    await a.app.db.update(users).set({ isSuperuser: true }).where(eq(users.id, adminOnA.id));
  }, 120_000);
});
