import { revokedTokens, users } from '@agentcaller/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revocationKey } from '../src/lib/token-identity.js';
import { makeJwt, nowSeconds, pythonTokens } from './jwt.js';
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

// While both services run, the Python one keeps issuing tokens with `sub` and `exp` only. After a
// revocation of every token, those it issues later are valid; those from before, or from the same
// second (which may be before), are not. Ours keep the exact version check.
describe("the original service's tokens after every token was revoked", () => {
  const logoutAll = (token: string) => ctx.app.inject({ method: 'POST', url: '/v1/auth/logout-all', headers: bearer(token) });
  const revokedAt = async (email: string) => {
    const [row] = await ctx.app.db.select({ at: users.tokensRevokedAt }).from(users).where(eq(users.email, email));
    if (!row?.at) throw new Error('tokens_revoked_at was not set');
    return Math.floor(row.at.getTime() / 1000);
  };
  /** A user whose account is a day old, so the original's tokens name it (`issuedFor`). */
  const oldUser = async (email: string) => {
    const { id } = await register(ctx.app, email, PASSWORD);
    await ctx.app.db.update(users).set({ createdAt: new Date(Date.now() - 86_400_000) }).where(eq(users.id, id));
    return id;
  };
  const statuses = async (tokens: string[]) => Promise.all(tokens.map(async (token) => (await me(token)).statusCode));
  const minutes = () => ctx.config.accessTokenExpireMinutes;

  it('after sign out everywhere: issued in a later second 200, before or in the same second 401 (python-jose)', async () => {
    await oldUser('py-all@example.com');
    const ours = await login(ctx.app, 'py-all@example.com', PASSWORD);
    expect((await logoutAll(ours)).statusCode).toBe(204);
    const second = await revokedAt('py-all@example.com');
    const [before, same, after] = pythonTokens('py-all@example.com', TEST_SECRET, minutes(), [second - 1, second, second + 1]);
    expect(await statuses([before!, same!, after!])).toEqual([401, 401, 200]);
    // And by the clock, as the service issues them: once the next second has begun.
    await new Promise((resolve) => setTimeout(resolve, (second + 1) * 1000 - Date.now() + 20));
    expect(await statuses(pythonTokens('py-all@example.com', TEST_SECRET, minutes(), [null]))).toEqual([200]);
    // Ours: the old one stays refused, a new one (likely of the same second) works.
    expect(await statuses([ours, await login(ctx.app, 'py-all@example.com', PASSWORD)])).toEqual([401, 200]);
  });

  it('after a password change: the same', async () => {
    await oldUser('py-change@example.com');
    const ours = await login(ctx.app, 'py-change@example.com', PASSWORD);
    expect((await changePassword(ours, { current_password: PASSWORD, new_password: 'a brand new secret' })).statusCode).toBe(204);
    const second = await revokedAt('py-change@example.com');
    const tokens = pythonTokens('py-change@example.com', TEST_SECRET, minutes(), [second - 600, second, second + 1]);
    expect(await statuses(tokens)).toEqual([401, 401, 200]);
    // Our test signer, byte for byte the same shape, agrees.
    const lifetime = minutes() * 60;
    const signed = [second, second + 1].map((at) => makeJwt({ sub: 'py-change@example.com', exp: at + lifetime }, TEST_SECRET));
    expect(await statuses(signed)).toEqual([401, 200]);
  });

  it('ours are judged by their version alone, whatever their time', async () => {
    const id = await oldUser('py-ours@example.com');
    expect((await logoutAll(await login(ctx.app, 'py-ours@example.com', PASSWORD))).statusCode).toBe(204);
    const second = await revokedAt('py-ours@example.com');
    const ours = (ver: number, iat: number) => makeJwt({ sub: 'py-ours@example.com', uid: id, ver, iat, exp: second + 3600 }, TEST_SECRET);
    expect(await statuses([ours(1, second - 60), ours(0, second + 5)])).toEqual([200, 401]);
  });

  it('a version raised with no time written refuses them all', async () => {
    await oldUser('py-untimed@example.com');
    await ctx.app.db.update(users).set({ tokenVersion: 1 }).where(eq(users.email, 'py-untimed@example.com'));
    expect(await statuses(pythonTokens('py-untimed@example.com', TEST_SECRET, minutes(), [null]))).toEqual([401]);
  });
});
