// /v1/admin/users: administrators only (403 for others and for API keys), search and paging,
// deactivate, reactivate, grant, delete, and the last active administrator's rule. Two instances
// and concurrent changes on PostgreSQL: test/services/admin.test.ts.
import { join } from 'node:path';
import { apiKeys, appointments, calls, clients, connect, passwordResetTokens, schedules, users } from '@agentcaller/db';
import { writeDataDir } from '@agentcaller/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, signUp, type Caller } from './fixtures.js';
import { bearer, form, json, startApp, type TestContext } from './helpers.js';
import { removeTempDirs, runCli, tempDir } from './process.js';

let ctx: TestContext;
let admin: Caller;
let other: Caller;

beforeAll(async () => {
  ctx = await startApp();
  admin = await signUp(ctx.app, 'boss@example.com');
  await ctx.app.db.update(users).set({ isSuperuser: true }).where(eq(users.id, admin.id));
  other = await signUp(ctx.app, 'worker@example.com');
});
afterAll(async () => {
  await ctx.close();
  removeTempDirs();
});

const createKey = async (caller: Caller) => (await caller.send('POST', '/v1/api-keys', { name: 'agent' })).json<{ key: string }>().key;
const withKey = (key: string, method: 'GET' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
  ctx.app.inject({ method, url, headers: { ...bearer(key), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
const signInStatus = async (email: string) =>
  (await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: email, password: 'correct horse battery' }) })).statusCode;
const me = (token: string) => ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });

describe('who may', () => {
  it('a non-administrator gets 403 admin-required on every admin route, before the body is read', async () => {
    expectProblem(await other.send('GET', '/v1/admin/users'), 403, '/problems/admin-required');
    expectProblem(await other.send('PATCH', `/v1/admin/users/${admin.id}`, { is_active: false }), 403, '/problems/admin-required');
    expectProblem(await other.send('DELETE', `/v1/admin/users/${admin.id}`), 403, '/problems/admin-required');
    const malformed = await ctx.app.inject({ method: 'PATCH', url: `/v1/admin/users/${admin.id}`, headers: { ...bearer(other.token), 'content-type': 'application/json' }, payload: '{"broken' });
    expectProblem(malformed, 403, '/problems/admin-required');
    expect((await me(admin.token)).json()).toMatchObject({ is_active: true, is_superuser: true });
  });

  it("an administrator's API key gets 403 api-key-not-allowed; no credentials 401", async () => {
    const key = await createKey(admin);
    expectProblem(await withKey(key, 'GET', '/v1/admin/users'), 403, '/problems/api-key-not-allowed');
    expectProblem(await withKey(key, 'PATCH', `/v1/admin/users/${other.id}`, { is_active: false }), 403, '/problems/api-key-not-allowed');
    expectProblem(await withKey(key, 'DELETE', `/v1/admin/users/${other.id}`), 403, '/problems/api-key-not-allowed');
    expectProblem(await ctx.app.inject({ method: 'GET', url: '/v1/admin/users' }), 401, '/problems/unauthorized');
    const [row] = await ctx.app.db.select().from(users).where(eq(users.id, other.id));
    expect(row!.isActive).toBe(true);
  });
});

describe('GET /v1/admin/users', () => {
  it('lists every account by email, with search (any case, LIKE characters literal) and paging', async () => {
    for (const email of ['ann@shop.example', 'bob@shop.example', 'cat@else.example', 'under_score@shop.example']) await signUp(ctx.app, email);
    const all = (await admin.send('GET', '/v1/admin/users?limit=100')).json<{ items: { email: string; is_active: boolean; is_superuser: boolean }[]; total: number }>();
    const emails = all.items.map((u) => u.email);
    expect(emails).toEqual([...emails].sort());
    expect(all.total).toBe(emails.length);
    expect(all.items.find((u) => u.email === 'boss@example.com')).toMatchObject({ is_active: true, is_superuser: true });
    expect(JSON.stringify(all)).not.toMatch(/hashed|argon2|token_version/);

    const shop = (await admin.send('GET', '/v1/admin/users?q=SHOP.example&limit=2')).json<{ items: { email: string }[]; total: number; limit: number; offset: number }>();
    expect(shop).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(shop.items.map((u) => u.email)).toEqual(['ann@shop.example', 'bob@shop.example']);
    const next = (await admin.send('GET', '/v1/admin/users?q=shop.example&limit=2&offset=2')).json<{ items: { email: string }[]; total: number }>();
    expect(next.items.map((u) => u.email)).toEqual(['under_score@shop.example']);
    expect(next.total).toBe(3);
    const past = (await admin.send('GET', '/v1/admin/users?q=shop.example&offset=50')).json<{ items: unknown[]; total: number }>();
    expect(past).toMatchObject({ items: [], total: 3 });
    expect((await admin.send('GET', '/v1/admin/users?q=_')).json<{ items: { email: string }[] }>().items.map((u) => u.email)).toEqual(['under_score@shop.example']);
    expectProblem(await admin.send('GET', '/v1/admin/users?limit=0'), 422, '/problems/validation');
  });
});

describe('PATCH /v1/admin/users/{id}', () => {
  it('deactivating ends every token, session and key at once; reactivating revives none of them', async () => {
    const target = await signUp(ctx.app, 'leaver@example.com');
    const key = await createKey(target);
    expect((await withKey(key, 'GET', '/v1/clients')).statusCode).toBe(200);
    const off = await admin.send('PATCH', `/v1/admin/users/${target.id}`, { is_active: false });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ id: target.id, email: 'leaver@example.com', is_active: false, is_superuser: false });
    expectProblem(await me(target.token), 401, '/problems/unauthorized');
    expectProblem(await withKey(key, 'GET', '/v1/clients'), 401, '/problems/unauthorized');
    expect(await signInStatus('leaver@example.com')).toBe(403);
    // The time of it too: the original service's tokens (no version) from before are refused.
    const [user] = await ctx.app.db.select({ at: users.tokensRevokedAt }).from(users).where(eq(users.id, target.id));
    expect(user!.at).toBeInstanceOf(Date);

    const on = await admin.send('PATCH', `/v1/admin/users/${target.id}`, { is_active: true });
    expect(on.json()).toMatchObject({ is_active: true });
    expect(await signInStatus('leaver@example.com')).toBe(200);
    // Old credentials stay dead: a reactivation is a fresh start (docs/decisions.md).
    expectProblem(await me(target.token), 401, '/problems/unauthorized');
    expectProblem(await withKey(key, 'GET', '/v1/clients'), 401, '/problems/unauthorized');
    const [row] = await ctx.app.db.select().from(apiKeys).where(eq(apiKeys.userId, target.id));
    expect(row!.revokedAt).not.toBeNull();
  });

  it('deactivating voids a pending reset link', async () => {
    const target = await signUp(ctx.app, 'link@example.com');
    await ctx.app.inject({ method: 'POST', url: '/v1/auth/password-reset', ...json({ email: 'link@example.com' }) });
    expect(await ctx.app.db.$count(passwordResetTokens, eq(passwordResetTokens.userId, target.id))).toBe(1);
    await admin.send('PATCH', `/v1/admin/users/${target.id}`, { is_active: false });
    expect(await ctx.app.db.$count(passwordResetTokens, eq(passwordResetTokens.userId, target.id))).toBe(0);
  });

  it('granting lets the user administer at once; demoting takes it away', async () => {
    const target = await signUp(ctx.app, 'deputy@example.com');
    expectProblem(await target.send('GET', '/v1/admin/users'), 403, '/problems/admin-required');
    expect((await admin.send('PATCH', `/v1/admin/users/${target.id}`, { is_superuser: true })).json()).toMatchObject({ is_superuser: true, is_active: true });
    expect((await target.send('GET', '/v1/admin/users')).statusCode).toBe(200);
    expect((await me(target.token)).json()).toMatchObject({ is_superuser: true });
    expect((await admin.send('PATCH', `/v1/admin/users/${target.id}`, { is_superuser: false })).statusCode).toBe(200);
    expectProblem(await target.send('GET', '/v1/admin/users'), 403, '/problems/admin-required');
  });

  it('404 for no such user, 422 for an empty body or a non-boolean', async () => {
    expectProblem(await admin.send('PATCH', '/v1/admin/users/2147483647', { is_active: false }), 404, '/problems/not-found');
    expectProblem(await admin.send('PATCH', `/v1/admin/users/${other.id}`, {}), 422, '/problems/validation');
    // Only unknown fields (dropped): 422 as every PATCH, not a 200 that changed nothing.
    const unknown = expectProblem(await admin.send('PATCH', `/v1/admin/users/${other.id}`, { email: 'x@y.z' }), 422, '/problems/validation');
    expect(unknown.errors).toEqual([{ path: '', message: 'must change at least one of is_active, is_superuser' }]);
    expectProblem(await admin.send('PATCH', `/v1/admin/users/${other.id}`, { is_active: 'no' }), 422, '/problems/validation');
    expectProblem(await admin.send('PATCH', '/v1/admin/users/0', { is_active: false }), 422, '/problems/validation');
  });
});

describe('the last active administrator', () => {
  it('cannot be deactivated, demoted or deleted; with a second one, either can go', async () => {
    expectProblem(await admin.send('PATCH', `/v1/admin/users/${admin.id}`, { is_active: false }), 409, '/problems/last-admin');
    expectProblem(await admin.send('PATCH', `/v1/admin/users/${admin.id}`, { is_superuser: false }), 409, '/problems/last-admin');
    expectProblem(await admin.send('DELETE', `/v1/admin/users/${admin.id}`), 409, '/problems/last-admin');
    // A deactivated administrator does not count.
    const dormant = await signUp(ctx.app, 'dormant@example.com');
    await ctx.app.db.update(users).set({ isSuperuser: true, isActive: false }).where(eq(users.id, dormant.id));
    expectProblem(await admin.send('PATCH', `/v1/admin/users/${admin.id}`, { is_superuser: false }), 409, '/problems/last-admin');

    const second = await signUp(ctx.app, 'second@example.com');
    await admin.send('PATCH', `/v1/admin/users/${second.id}`, { is_superuser: true });
    expect((await second.send('PATCH', `/v1/admin/users/${admin.id}`, { is_superuser: false })).statusCode).toBe(200);
    // Now `second` is the last one.
    expectProblem(await second.send('DELETE', `/v1/admin/users/${second.id}`), 409, '/problems/last-admin');
    expect((await second.send('PATCH', `/v1/admin/users/${admin.id}`, { is_superuser: true })).statusCode).toBe(200);
    expect((await admin.send('DELETE', `/v1/admin/users/${second.id}`)).statusCode).toBe(204);
    const active = await ctx.app.db.$count(users, eq(users.isSuperuser, true));
    expect(active).toBeGreaterThanOrEqual(1);
  });
});

describe('DELETE /v1/admin/users/{id}', () => {
  it("deletes the account with its clients, appointments, calls, schedule and keys; its token is dead", async () => {
    const target = await signUp(ctx.app, 'gone@example.com');
    await createKey(target);
    const client = (await target.send('POST', '/v1/clients', { name: 'Ann', phone: '+14155550123' })).json<{ id: number }>();
    const start = Date.UTC(2031, 0, 6, 15);
    const appointment = (await target.send('POST', '/v1/appointments', { client_id: client.id, starts_at: new Date(start).toISOString(), ends_at: new Date(start + 1800_000).toISOString() })).json<{ id: number }>();
    expect((await target.send('POST', '/v1/calls', { client_id: client.id, started_at: new Date(Date.now() - 60_000).toISOString(), duration_seconds: 30, outcome: 'booked', appointment_id: appointment.id })).statusCode).toBe(201);
    const kept = await signUp(ctx.app, 'kept@example.com');
    await kept.send('POST', '/v1/clients', { name: 'Bo', phone: '+14155550100' });

    const res = await admin.send('DELETE', `/v1/admin/users/${target.id}`);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await ctx.app.db.$count(clients, eq(clients.ownerId, target.id))).toBe(0);
    expect(await ctx.app.db.$count(appointments, eq(appointments.ownerId, target.id))).toBe(0);
    expect(await ctx.app.db.$count(calls, eq(calls.ownerId, target.id))).toBe(0);
    expect(await ctx.app.db.$count(schedules, eq(schedules.userId, target.id))).toBe(0);
    expect(await ctx.app.db.$count(apiKeys, eq(apiKeys.userId, target.id))).toBe(0);
    expect(await ctx.app.db.$count(users, eq(users.id, target.id))).toBe(0);
    expect(await ctx.app.db.$count(clients, eq(clients.ownerId, kept.id))).toBe(1);
    expectProblem(await me(target.token), 401, '/problems/unauthorized');
    expectProblem(await admin.send('DELETE', `/v1/admin/users/${target.id}`), 404, '/problems/not-found');
  });
});

describe('pnpm admin:grant EMAIL', () => {
  it('makes the account an administrator on the database the server would open; an unknown address exits 1', async () => {
    const dataDir = tempDir();
    await writeDataDir(join(dataDir, 'pglite'), 'migrated');
    const run = (args: string[]) => runCli('adminGrant', dataDir, args);
    expect((await run([])).code).toBe(64);
    // An account in the folder a server would open (one process at a time: closed before the CLI runs).
    const target = { kind: 'pglite' as const, dataDir: join(dataDir, 'pglite') };
    const before = await connect(target, { maxConnections: 1 });
    await before.db.insert(users).values({ email: 'first@example.com', hashedPassword: 'x' });
    await before.close();

    const missing = await run(['nobody@example.com']);
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('no account has the address nobody@example.com');
    const granted = await run([' First@Example.com ']);
    expect(granted.output).toContain('first@example.com (id 1) is now an administrator');
    expect(granted.code).toBe(0);
    const after = await connect(target, { maxConnections: 1 });
    try {
      expect((await after.db.select().from(users)).map((u) => [u.email, u.isSuperuser])).toEqual([['first@example.com', true]]);
    } finally {
      await after.close();
    }
  }, 120_000);
});
