// Tokens as the original service issues them, made by Debian's python3-jose (run by /usr/bin/python3;
// CI installs it: .ci/run), not by our signer: AgentCaller must read them as the original did.
// In test:services, not `pnpm test`: that one needs nothing but Node.
import { users } from '@agentcaller/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, login, register, startApp, TEST_SECRET, type TestContext } from '../helpers.js';
import { decodeJwt, makeJwt, pythonTokens, pythonTokenWithFractionalExp } from '../jwt.js';

/** The password of every account here (the helpers' default). */
const PASSWORD = 'correct horse battery';
let ctx: TestContext;
beforeAll(async () => (ctx = await startApp()));
afterAll(() => ctx.close());

const me = (token: string) => ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });
const changePassword = (token: string, body: unknown) =>
  ctx.app.inject({ method: 'PUT', url: '/v1/auth/me/password', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: JSON.stringify(body) });

describe('a python-jose token', () => {
  // Round 13's break test: python-jose keeps a fractional `exp` made from `time.time()`.
  it('accepts an original token whose exp has a fraction (RFC 7519 NumericDate), until it expires', async () => {
    const { id: userId } = await register(ctx.app, 'fraction@example.com', PASSWORD);
    await ctx.app.db.update(users).set({ createdAt: new Date(Date.now() - 86_400_000) }).where(eq(users.id, userId));
    const token = pythonTokenWithFractionalExp('fraction@example.com', TEST_SECRET, 600);
    expect(String(decodeJwt(token).payload.exp)).toMatch(/\.\d/);
    const res = await me(token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: userId });
    expect((await me(pythonTokenWithFractionalExp('fraction@example.com', TEST_SECRET, -5))).statusCode).toBe(401);
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
