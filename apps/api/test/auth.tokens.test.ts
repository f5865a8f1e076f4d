import { users } from '@agentcaller/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeJwt, nowSeconds } from './jwt.js';
import { bearer, login, register, startApp, TEST_SECRET, type TestContext } from './helpers.js';

let ctx: TestContext;
let token: string;
let userId: number;

beforeAll(async () => {
  ctx = await startApp();
  userId = (await register(ctx.app, 'admin@example.com')).id;
  token = await login(ctx.app, 'admin@example.com');
});
afterAll(() => ctx.close());

const me = (headers: Record<string, string> = {}) => ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers });

describe('GET /v1/auth/me', () => {
  it('answers the seed shape: id and email first, then is_active, is_superuser and created_at', async () => {
    const res = await me(bearer(token));
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(Object.keys(body)).toEqual(['id', 'email', 'is_active', 'is_superuser', 'created_at']);
    expect(body).toMatchObject({ id: userId, email: 'admin@example.com', is_active: true, is_superuser: false });
    expect(body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(res.body).not.toContain('hashed_password');
    expect(res.body).not.toContain('argon2');
  });

  it('accepts a token made by the original service (only sub and exp) with the same SECRET_KEY', async () => {
    // The original's accounts existed before its tokens were issued (see token-identity.test.ts).
    await ctx.app.db.update(users).set({ createdAt: new Date(Date.now() - 86_400_000) }).where(eq(users.id, userId));
    const original = makeJwt({ sub: 'admin@example.com', exp: nowSeconds() + 600 }, TEST_SECRET);
    const res = await me(bearer(original));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: userId });
  });

  it("accepts an original token whose sub is a mixed-case email of the original's rows", async () => {
    await ctx.app.db.insert(users).values({ email: 'Mixed@Example.com', hashedPassword: 'x', createdAt: new Date(Date.now() - 86_400_000) });
    const res = await me(bearer(makeJwt({ sub: 'Mixed@Example.com', exp: nowSeconds() + 600 }, TEST_SECRET)));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email: 'Mixed@Example.com' });
  });

  it('accepts the scheme in any case', async () => {
    expect((await me({ authorization: `bearer ${token}` })).statusCode).toBe(200);
  });

  it('without credentials is 401 "Not authenticated" with WWW-Authenticate: Bearer', async () => {
    const res = await me();
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toEqual({ type: '/problems/unauthorized', title: 'Unauthorized', status: 401, detail: 'Not authenticated' });
  });

  const sub = 'admin@example.com';
  const future = () => nowSeconds() + 600;
  const tamper = (t: string) => {
    const [h, , s] = t.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'other@example.com', exp: future() })).toString('base64url');
    return `${h}.${payload}.${s}`;
  };

  it.each<[string, () => string]>([
    ['alg none', () => makeJwt({ sub, exp: future() }, TEST_SECRET, { alg: 'none' })],
    ['alg none with a signature', () => makeJwt({ sub, exp: future() }, TEST_SECRET, { alg: 'none' }) + 'c2ln'],
    ['HS512 with the right key', () => makeJwt({ sub, exp: future() }, TEST_SECRET, { alg: 'HS512' })],
    ['HS384 with the right key', () => makeJwt({ sub, exp: future() }, TEST_SECRET, { alg: 'HS384' })],
    ['HS256 labelled RS256', () => makeJwt({ sub, exp: future() }, TEST_SECRET, { header: { alg: 'RS256' } })],
    ['the wrong key', () => makeJwt({ sub, exp: future() }, 'another-secret-key-of-a-different-deployment')],
    ['expired', () => makeJwt({ sub, exp: nowSeconds() - 5 }, TEST_SECRET)],
    ['no exp', () => makeJwt({ sub }, TEST_SECRET)],
    ['no sub', () => makeJwt({ exp: future() }, TEST_SECRET)],
    ['a numeric sub', () => makeJwt({ sub: 1, exp: future() }, TEST_SECRET)],
    ['an unknown sub', () => makeJwt({ sub: 'ghost@example.com', exp: future() }, TEST_SECRET)],
    ['a tampered payload', () => tamper(token)],
    ['a truncated signature', () => token.slice(0, -3)],
    ['garbage', () => 'not.a.token'],
    ['a non-JWT string', () => 'abc'],
  ])('a token with %s is 401', async (_name, make) => {
    const res = await me(bearer(make()));
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toEqual({
      type: '/problems/unauthorized',
      title: 'Unauthorized',
      status: 401,
      detail: 'Could not validate credentials',
    });
  });

  it.each([
    ['Basic credentials', 'Basic YWRtaW46cGFzcw=='],
    ['a bare token', 'TOKEN'],
    ['an empty bearer', 'Bearer '],
    ['two tokens', `Bearer x.y.z Bearer x.y.z`],
  ])('%s in Authorization is 401', async (_name, header) => {
    const value = header === 'TOKEN' ? token : header;
    const res = await me({ authorization: value });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it("refuses an inactive user's token with 403", async () => {
    await register(ctx.app, 'leaver@example.com');
    const leaverToken = await login(ctx.app, 'leaver@example.com');
    expect((await me(bearer(leaverToken))).statusCode).toBe(200);
    await ctx.app.db.update(users).set({ isActive: false }).where(eq(users.email, 'leaver@example.com'));
    const res = await me(bearer(leaverToken));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ status: 403, detail: 'Inactive user' });
  });

  it("refuses a deleted user's token with 401", async () => {
    await register(ctx.app, 'gone@example.com');
    const goneToken = await login(ctx.app, 'gone@example.com');
    await ctx.app.db.delete(users).where(eq(users.email, 'gone@example.com'));
    expect((await me(bearer(goneToken))).statusCode).toBe(401);
  });
});
