import { users } from '@agentcaller/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, makeJwt, nowSeconds, spellings } from './jwt.js';
import { issuedAt, survivesRevocations } from '../src/lib/token-identity.js';
import { bearer, form, json, login, register, startApp, TEST_SECRET, type TestContext } from './helpers.js';

let ctx: TestContext;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  ctx = await startApp({ env: { THROTTLE_LOGIN_FAILURES: '3' } });
});
afterAll(() => ctx.close());



const me = (token: string) => ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });

// Issue 10, item 1: revocation keys what the token is, not how it was spelt.
describe('no spelling of a revoked token works', () => {
  it('after logout, every spelling of the token is 401', async () => {
    await register(ctx.app, 'spell@example.com', PASSWORD);
    const token = await login(ctx.app, 'spell@example.com', PASSWORD);
    const variants = spellings(token);
    expect(new Set(variants).size).toBe(4);
    for (const variant of variants) expect((await me(variant)).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) })).statusCode).toBe(204);
    for (const variant of variants) expect((await me(variant)).statusCode).toBe(401);
  });

  it('logging out with another spelling revokes the original too', async () => {
    await register(ctx.app, 'spell2@example.com', PASSWORD);
    const token = await login(ctx.app, 'spell2@example.com', PASSWORD);
    const other = spellings(token).find((variant) => variant !== token)!;
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(other) })).statusCode).toBe(204);
    for (const variant of spellings(token)) expect((await me(variant)).statusCode).toBe(401);
  });

  it("an original service's token (no jti) is revoked in every spelling", async () => {
    await register(ctx.app, 'spell3@example.com', PASSWORD);
    const original = makeJwt({ sub: 'spell3@example.com', exp: nowSeconds() + 3600 }, TEST_SECRET);
    await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(original) });
    for (const variant of spellings(original)) expect((await me(variant)).statusCode).toBe(401);
  });

  it('a browser session is over in every spelling of its cookie, CSRF header and all', async () => {
    await register(ctx.app, 'spell4@example.com', PASSWORD);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/session', ...json({ email: 'spell4@example.com', password: PASSWORD }) });
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []).join('\n');
    const session = /ac_session=([^;]+)/.exec(cookies)![1]!;
    const csrf = res.json<{ csrf_token: string }>().csrf_token;
    const signOut = await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: { cookie: `ac_session=${session}`, 'x-csrf-token': csrf } });
    expect(signOut.statusCode).toBe(204);
    for (const variant of spellings(session)) {
      const write = await ctx.app.inject({
        method: 'POST',
        url: '/v1/clients',
        headers: { cookie: `ac_session=${variant}`, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        payload: JSON.stringify({ name: 'Ann', phone: '+14155550123' }),
      });
      expect(write.statusCode).toBe(401);
    }
  });
});

// Issue 10, item 5: a token stands for the account it was issued for.
describe("a deleted account's token does not authenticate the next account with that email", () => {
  it('new tokens carry the account id (uid) beside sub', async () => {
    const user = await register(ctx.app, 'bound@example.com', PASSWORD);
    const { payload } = decodeJwt(await login(ctx.app, 'bound@example.com', PASSWORD));
    expect(payload).toMatchObject({ sub: 'bound@example.com', uid: user.id, ver: 0 });
  });

  it('the new account with the old email refuses the old token', async () => {
    await register(ctx.app, 'reborn@example.com', PASSWORD);
    const old = await login(ctx.app, 'reborn@example.com', PASSWORD);
    await ctx.app.db.delete(users).where(eq(users.email, 'reborn@example.com'));
    expect((await me(old)).statusCode).toBe(401);
    await register(ctx.app, 'reborn@example.com', 'another password 2');
    expect((await me(old)).statusCode).toBe(401);
    const fresh = await login(ctx.app, 'reborn@example.com', 'another password 2');
    expect((await me(fresh)).statusCode).toBe(200);
  });

  it("an original service's token (no uid) works for an account older than it, not for a newer one", async () => {
    const user = await register(ctx.app, 'legacy-bound@example.com', PASSWORD);
    const lifetime = ctx.config.accessTokenExpireMinutes * 60;
    // Issued ten minutes ago by the original service, for the account as it was then.
    await ctx.app.db.update(users).set({ createdAt: new Date(Date.now() - 3 * 3600_000) }).where(eq(users.id, user.id));
    const original = makeJwt({ sub: 'legacy-bound@example.com', exp: nowSeconds() - 600 + lifetime }, TEST_SECRET);
    expect((await me(original)).statusCode).toBe(200);
    // The account was deleted and made again after that token was issued.
    await ctx.app.db.update(users).set({ createdAt: new Date(Date.now() - 300_000) }).where(eq(users.id, user.id));
    expect((await me(original)).statusCode).toBe(401);
  });

  it('a token naming another account id is refused', async () => {
    const user = await register(ctx.app, 'forged-uid@example.com', PASSWORD);
    const token = makeJwt({ sub: 'forged-uid@example.com', uid: user.id + 1000, exp: nowSeconds() + 600 }, TEST_SECRET);
    expect((await me(token)).statusCode).toBe(401);
  });
});

// Issue 10, item 6: one canonical email for storage, lookup and every key.
// The break test of 2026-12-04: the original stored emails as sent, so " spaced@example.com " and
// "SPACED@example.com" could be two accounts, and an NFD and an NFC "josé" two more. A token whose
// `sub` is the first of each pair was looked up in canonical form and answered as the second.
describe("a token whose sub is not in canonical form is its own account's, or nobody's", () => {
  it('a sub with white space around it, or in NFD, is matched exactly, never by its canonical form', async () => {
    const hour = 3600_000;
    const rows = await ctx.app.db
      .insert(users)
      .values([
        { email: ' spaced@example.com ', hashedPassword: 'x', createdAt: new Date(Date.now() - 48 * hour) },
        { email: 'SPACED@example.com', hashedPassword: 'x', createdAt: new Date(Date.now() - 48 * hour) },
        { email: 'jose\u0301@example.com', hashedPassword: 'x', createdAt: new Date(Date.now() - 48 * hour) },
        { email: 'jos\u00e9@example.com', hashedPassword: 'x', createdAt: new Date(Date.now() - 48 * hour) },
        { email: '  gone@example.com', hashedPassword: 'x', createdAt: new Date(Date.now() - 48 * hour) },
      ])
      .returning({ id: users.id, email: users.email });
    const id = (email: string) => rows.find((row) => row.email === email)!.id;
    const original = (sub: string) => makeJwt({ sub, exp: nowSeconds() + 600 }, TEST_SECRET);
    const answeredAs = async (sub: string) => {
      const res = await me(original(sub));
      return res.statusCode === 200 ? res.json<{ id: number }>().id : res.statusCode;
    };
    expect(await answeredAs(' spaced@example.com ')).toBe(id(' spaced@example.com '));
    expect(await answeredAs('SPACED@example.com')).toBe(id('SPACED@example.com'));
    expect(await answeredAs('jose\u0301@example.com')).toBe(id('jose\u0301@example.com'));
    expect(await answeredAs('jos\u00e9@example.com')).toBe(id('jos\u00e9@example.com'));
    // Another spelling of an exact-only address is nobody's, even when one account has its canonical form.
    expect(await answeredAs('  spaced@example.com')).toBe(401);
    // Once the stored address is corrected, the old spelling stops working (db:doctor says so).
    await ctx.app.db.update(users).set({ email: 'gone@example.com' }).where(eq(users.id, id('  gone@example.com')));
    expect(await answeredAs('  gone@example.com')).toBe(401);
    expect(await answeredAs('gone@example.com')).toBe(id('  gone@example.com'));
  });
});

// Round 9's break test: PostgreSQL lower-cases `İ` (U+0130) to `i`, JavaScript to `i̇`. An adopted
// `İvan@…` signed in as `ivan@…`, but its token (sub: the stored spelling) then found nobody.
describe('a token names the account stored with exactly its sub first', () => {
  it('an adopted address that JavaScript and PostgreSQL lower-case differently is its own token\'s account', async () => {
    const [dotted, combining] = await ctx.app.db
      .insert(users)
      .values([
        { email: '\u0130van@example.com', hashedPassword: 'x', createdAt: new Date(Date.now() - 3600_000) },
        // What JavaScript makes of the first one's canonical form (i + U+0307): another account.
        { email: 'i\u0307van@example.com', hashedPassword: 'x', createdAt: new Date(Date.now() - 3600_000) },
      ])
      .returning({ id: users.id });
    const answeredAs = async (sub: string) => {
      const res = await me(makeJwt({ sub, exp: nowSeconds() + 600 }, TEST_SECRET));
      return res.statusCode === 200 ? res.json<{ id: number }>().id : res.statusCode;
    };
    expect(await answeredAs('\u0130van@example.com')).toBe(dotted!.id);
    expect(await answeredAs('i\u0307van@example.com')).toBe(combining!.id);
    // A token this API issued to the first (sub: its stored spelling, uid: its id) works too.
    const issued = ctx.app.issueToken({ ...(await ctx.app.users.findForToken('\u0130van@example.com', ['-', '-']))!.user });
    expect((await me(issued.token)).json<{ id: number }>().id).toBe(dotted!.id);
  });
});

describe('one normalisation of emails', () => {
  it('a U+0130 spelling neither finds the account nor dodges its lockout', async () => {
    await register(ctx.app, 'admin@example.com', PASSWORD);
    for (let i = 0; i < 3; i++) {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: 'admin@example.com', password: 'wrong password' }) });
      expect(res.statusCode).toBe(401);
    }
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: 'ADMIN@example.com', password: PASSWORD }) })).statusCode).toBe(429);
    for (const username of ['adm\u0130n@example.com', 'ADM\u0130N@EXAMPLE.COM', ' adm\u0130n@example.com ']) {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username, password: PASSWORD }) });
      expect(res.statusCode, username).not.toBe(200);
    }
  });

  it('the same address in another case or NFD form is the same account', async () => {
    await register(ctx.app, 'caf\u00e9@example.com'.replace('\u00e9', 'e'), PASSWORD);
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: '  CAFE@Example.com ', password: PASSWORD }) });
    expect(res.statusCode).toBe(200);
  });
});

// Round 13: a fractional `exp` (python-jose from `time.time()`) is judged in whole seconds, like an
// integral one: a token of the revocation's own second may be older than it, and is refused.
describe('the issue time of a token without iat, from a fractional exp', () => {
  it('is a whole second, and one in the second of a revocation does not survive it', () => {
    const lifetime = 1800;
    expect(issuedAt({ exp: 1_000_000.75 }, lifetime)).toBe(1_000_000 - lifetime);
    const revokedAt = new Date((1_000_000 - lifetime) * 1000 + 100);
    const user = { tokenVersion: 1, tokensRevokedAt: revokedAt };
    expect(survivesRevocations({ exp: 1_000_000.75 }, user, lifetime)).toBe(false);
    expect(survivesRevocations({ exp: 1_000_001.25 }, user, lifetime)).toBe(true);
  });
});
