import { revokedTokens, users } from '@agentcaller/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationKey } from '../src/lib/token-identity.js';
import { makeJwt, nowSeconds } from './jwt.js';
import { bearer, json, login, register, startApp, TEST_SECRET, type TestContext } from './helpers.js';

let ctx: TestContext;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  ctx = await startApp();
});
afterAll(() => ctx.close());

const me = (token: string) => ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });
const logout = (token: string) => ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) });
const changePassword = (token: string, body: unknown) =>
  ctx.app.inject({ method: 'PUT', url: '/v1/auth/me/password', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: JSON.stringify(body) });

describe('POST /v1/auth/logout', () => {
  it('refuses that token from then on, and only that token', async () => {
    await register(ctx.app, 'out@example.com', PASSWORD);
    const first = await login(ctx.app, 'out@example.com', PASSWORD);
    const second = await login(ctx.app, 'out@example.com', PASSWORD);
    const res = await logout(first);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await me(first)).statusCode).toBe(401);
    expect((await me(first)).json()).toMatchObject({ detail: 'Could not validate credentials' });
    expect((await logout(first)).statusCode).toBe(401);
    expect((await me(second)).statusCode).toBe(200);
  });

  it("works for the original service's tokens too (they have no jti)", async () => {
    const { id } = await register(ctx.app, 'legacy-out@example.com', PASSWORD);
    await ctx.app.db.update(users).set({ createdAt: new Date(Date.now() - 86_400_000) }).where(eq(users.id, id));
    const original = makeJwt({ sub: 'legacy-out@example.com', exp: nowSeconds() + 600 }, TEST_SECRET);
    expect((await me(original)).statusCode).toBe(200);
    expect((await logout(original)).statusCode).toBe(204);
    expect((await me(original)).statusCode).toBe(401);
  });

  it('keeps an entry only until the token would expire, and purges expired ones', async () => {
    await register(ctx.app, 'purge@example.com', PASSWORD);
    await ctx.app.db.insert(revokedTokens).values({ tokenHash: 'stale', expiresAt: new Date(Date.now() - 1000) });
    const token = await login(ctx.app, 'purge@example.com', PASSWORD);
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    await logout(token);
    const rows = await ctx.app.db.select().from(revokedTokens);
    expect(rows.find((r) => r.tokenHash === 'stale')).toBeUndefined();
    const hash = revocationKey(token);
    expect(rows.filter((r) => r.tokenHash === hash).map((r) => r.expiresAt.getTime())).toEqual([exp.exp * 1000]);
    expect(rows.every((r) => r.expiresAt.getTime() > Date.now())).toBe(true);
  });

  it('without a token is 401', async () => {
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout' })).statusCode).toBe(401);
  });
});

describe('PUT /v1/auth/me/password', () => {
  it('refuses every token issued before it, including original-style ones, and the new password works', async () => {
    const { id } = await register(ctx.app, 'change@example.com', PASSWORD);
    await ctx.app.db.update(users).set({ createdAt: new Date(Date.now() - 86_400_000) }).where(eq(users.id, id));
    const a = await login(ctx.app, 'change@example.com', PASSWORD);
    const b = await login(ctx.app, 'change@example.com', PASSWORD);
    const original = makeJwt({ sub: 'change@example.com', exp: nowSeconds() + 600 }, TEST_SECRET);
    expect((await me(original)).statusCode).toBe(200);
    const res = await changePassword(a, { current_password: PASSWORD, new_password: 'a brand new secret' });
    expect(res.statusCode).toBe(204);
    for (const token of [a, b, original]) expect((await me(token)).statusCode).toBe(401);
    const loginOld = await ctx.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `username=change@example.com&password=${encodeURIComponent(PASSWORD)}`,
    });
    expect(loginOld.statusCode).toBe(401);
    const fresh = await login(ctx.app, 'change@example.com', 'a brand new secret');
    expect((await me(fresh)).statusCode).toBe(200);
    const [row] = await ctx.app.db.select().from(users).where(eq(users.email, 'change@example.com'));
    expect(row?.tokenVersion).toBe(1);
    expect(row?.hashedPassword).toMatch(/^\$argon2id\$/);
  });

  it('needs the current password (422 on /current_password, nothing changed)', async () => {
    await register(ctx.app, 'keep@example.com', PASSWORD);
    const token = await login(ctx.app, 'keep@example.com', PASSWORD);
    const [before] = await ctx.app.db.select().from(users).where(eq(users.email, 'keep@example.com'));
    const res = await changePassword(token, { current_password: 'not my password', new_password: 'whatever-long' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ errors: [{ path: '/current_password', message: 'is not your current password' }] });
    const [after] = await ctx.app.db.select().from(users).where(eq(users.email, 'keep@example.com'));
    expect(after).toEqual(before);
    expect((await me(token)).statusCode).toBe(200);
  });

  it.each([
    ['a short new password', { current_password: PASSWORD, new_password: 'short' }, '/new_password'],
    ['a 73-byte new password', { current_password: PASSWORD, new_password: 'x'.repeat(73) }, '/new_password'],
    ['a new password with a NUL', { current_password: PASSWORD, new_password: 'new secret\u0000here' }, '/new_password'],
    ['a missing field', { current_password: PASSWORD }, '/new_password'],
  ])('%s is 422', async (_name, body, path) => {
    await register(ctx.app, `bad${path.length}${JSON.stringify(body).length}@example.com`, PASSWORD);
    const token = await login(ctx.app, `bad${path.length}${JSON.stringify(body).length}@example.com`, PASSWORD);
    const res = await changePassword(token, body);
    expect(res.statusCode).toBe(422);
    expect(res.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain(path);
    expect((await me(token)).statusCode).toBe(200);
  });

  it('without a token is 401', async () => {
    const res = await ctx.app.inject({ method: 'PUT', url: '/v1/auth/me/password', ...json({ current_password: 'a', new_password: 'bbbbbbbb' }) });
    expect(res.statusCode).toBe(401);
  });
});

describe('tokens of inactive or deleted users', () => {
  it('are refused (403 inactive, 401 deleted)', async () => {
    await register(ctx.app, 'gone2@example.com', PASSWORD);
    const token = await login(ctx.app, 'gone2@example.com', PASSWORD);
    await ctx.app.db.update(users).set({ isActive: false }).where(eq(users.email, 'gone2@example.com'));
    expect((await me(token)).statusCode).toBe(403);
    await ctx.app.db.delete(users).where(eq(users.email, 'gone2@example.com'));
    expect((await me(token)).statusCode).toBe(401);
    const [{ n }] = (await ctx.app.db.select({ n: sql<number>`count(*)::int` }).from(users).where(eq(users.email, 'gone2@example.com'))) as [{ n: number }];
    expect(n).toBe(0);
  });
});
