// The verified-token cache (lib/verified-tokens.ts): a token's signature and claims are checked once,
// while everything that can change during its life is still read from the database per request.
import { users } from '@agentcaller/db';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TokenClaims } from '../src/lib/token-identity.js';
import { VERIFIED_TOKEN_MAX_LENGTH, VERIFIED_TOKENS_MAX, VerifiedTokens } from '../src/lib/verified-tokens.js';
import { bearer, login, register, startApp, TEST_SECRET, type TestContext } from './helpers.js';
import { makeJwt, nowSeconds } from './jwt.js';

let ctx: TestContext;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  ctx = await startApp();
});
afterAll(() => ctx.close());
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

const me = (token: string, app = ctx.app) => app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });

/** A signed-in account: its id and a fresh token of this API's. */
async function account(email: string) {
  const { id } = await register(ctx.app, email, PASSWORD);
  return { id, token: await login(ctx.app, email, PASSWORD) };
}

describe('a token sent again', () => {
  it('is verified (signature, claims) once, however many requests carry it', async () => {
    const { token } = await account('cached@example.com');
    const verify = vi.spyOn(ctx.app.jwt, 'verify');
    for (let i = 0; i < 5; i++) expect((await me(token)).statusCode).toBe(200);
    expect(verify).toHaveBeenCalledTimes(1);
  });
});

// Round 13: `Bearer <token>` exactly, for a token in the cache, skips the header's patterns; any
// other spelling of the header still goes through them, to the same account or to a 401.
describe('the header of a cached token', () => {
  it('authenticates spelt exactly or as the patterns allow, and nothing else around the token', async () => {
    const { token } = await account('spelt@example.com');
    expect((await me(token)).statusCode).toBe(200);
    const sent = (authorization: string) => ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization } });
    for (const header of [`Bearer ${token}`, `bearer ${token}`, `Bearer  ${token}`, `Bearer ${token} `, `BEARER ${token}`]) {
      const res = await sent(header);
      expect(res.statusCode, JSON.stringify(header)).toBe(200);
      expect(res.json<{ email: string }>().email).toBe('spelt@example.com');
    }
    for (const header of [`Bearer ${token}x`, `Bearer ${token}.`, `Bearer x${token}`, `Bearer ${token}\u0000`, `Token ${token}`, token]) {
      expect((await sent(header)).statusCode, JSON.stringify(header)).toBe(401);
    }
  });

  it('is found only as written: cached() takes no other spelling', () => {
    const tokens = new VerifiedTokens(() => ({ sub: 'a@example.com', exp: nowSeconds() + 60 }));
    tokens.check('a.b.c');
    expect(tokens.cached('a.b.c')?.claims.sub).toBe('a@example.com');
    for (const other of ['a.b.c ', ' a.b.c', 'A.b.c', 'a.b.c\u0000']) expect(tokens.cached(other)).toBeUndefined();
  });
});

describe('what the cache does not hold', () => {
  it('a logout refuses a cached token at once', async () => {
    const { token } = await account('cached-logout@example.com');
    expect((await me(token)).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: bearer(token) })).statusCode).toBe(204);
    expect((await me(token)).statusCode).toBe(401);
  });

  it("sign out everywhere (token version, tokens_revoked_at) refuses a cached token, the original service's too", async () => {
    const { id, token } = await account('cached-everywhere@example.com');
    await ctx.app.db.update(users).set({ createdAt: new Date(Date.now() - 86_400_000) }).where(eq(users.id, id));
    const original = makeJwt({ sub: 'cached-everywhere@example.com', exp: nowSeconds() + 600, iat: nowSeconds() - 5 }, TEST_SECRET);
    expect((await me(token)).statusCode).toBe(200);
    expect((await me(original)).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout-all', headers: bearer(token) })).statusCode).toBe(204);
    expect((await me(token)).statusCode).toBe(401);
    expect((await me(original)).statusCode).toBe(401);
  });

  it('a deactivated account is 403 and a deleted one 401, for a cached token', async () => {
    const { id, token } = await account('cached-gone@example.com');
    expect((await me(token)).statusCode).toBe(200);
    await ctx.app.db.update(users).set({ isActive: false }).where(eq(users.id, id));
    expect((await me(token)).statusCode).toBe(403);
    await ctx.app.db.delete(users).where(eq(users.id, id));
    expect((await me(token)).statusCode).toBe(401);
  });
});

describe('the token window', () => {
  it('a cached token expires at its exp, not later', async () => {
    const { id } = await account('cached-expiry@example.com');
    const exp = nowSeconds() + 60;
    const token = makeJwt({ sub: 'cached-expiry@example.com', uid: id, ver: 0, jti: 'expiry', iat: nowSeconds(), exp }, TEST_SECRET);
    expect((await me(token)).statusCode).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(exp * 1000);
    expect((await me(token)).statusCode).toBe(200);
    vi.setSystemTime(exp * 1000 + 1);
    expect((await me(token)).statusCode).toBe(401);
  });

  it('a token is not taken before its nbf, and a cached one is checked against it too', () => {
    let now = 1_000_000;
    const claims = { sub: 'a@example.com', exp: 2_000, nbf: 1_500 };
    const verifier = vi.fn((_token: string): TokenClaims => {
      if (now < claims.nbf * 1000) throw new Error('inactive');
      return { ...claims };
    });
    const cache = new VerifiedTokens(verifier, 10, () => now);
    expect(() => cache.check('t').claims).toThrow('inactive');
    now = 1_500_000;
    expect(cache.check('t').claims).toMatchObject({ sub: 'a@example.com' });
    expect(cache.cached('t')?.claims).toMatchObject({ sub: 'a@example.com' });
    // The clock going back before nbf: the entry is not used, the verifier decides again.
    now = 1_499_999;
    expect(cache.cached('t')).toBeUndefined();
    expect(() => cache.check('t').claims).toThrow('inactive');
    expect(verifier).toHaveBeenCalledTimes(3);
  });
});

describe('tokens that are not the cached one', () => {
  // The cache is keyed by a token's last 32 characters (a Map hashes a whole new string on each
  // lookup); the whole text decides.
  it('two tokens ending alike are each verified, and each served from the cache only as itself', () => {
    const ending = 'S'.repeat(32);
    const [first, second] = [`one.payload.${ending}`, `two.payload.${ending}`];
    const verifier = vi.fn((token: string) => ({ sub: `${token.split('.')[0]}@example.com`, exp: nowSeconds() + 60 }));
    const tokens = new VerifiedTokens(verifier);
    expect(tokens.check(first).claims.sub).toBe('one@example.com');
    expect(tokens.cached(second)).toBeUndefined();
    expect(tokens.check(second).claims.sub).toBe('two@example.com');
    expect(verifier).toHaveBeenCalledTimes(2);
    // They share one slot: the later took it.
    expect([tokens.cached(first), tokens.cached(second)?.claims.sub, tokens.size]).toEqual([undefined, 'two@example.com', 1]);
    expect(tokens.check(second).claims.sub).toBe('two@example.com');
    expect(tokens.check(first).claims.sub).toBe('one@example.com');
    expect(verifier).toHaveBeenCalledTimes(3);
  });

  it('a tampered copy of a cached token is never served from the cache', async () => {
    const { id, token } = await account('cached-tamper@example.com');
    const other = await account('cached-victim@example.com');
    expect((await me(token)).statusCode).toBe(200);
    const [head, body, signature] = token.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(payload.uid).toBe(id);
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...payload, uid: other.id, sub: 'cached-victim@example.com' })).toString('base64url')}.${signature}`;
    const flipped = `${head}.${body}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    for (const bad of [forged, flipped, `${token}A`, token.slice(0, -4)]) {
      expect((await me(bad)).statusCode, bad).toBe(401);
    }
    expect((await me(token)).statusCode).toBe(200);
  });

  it('a token cached by an app with one key is refused by an app with another', async () => {
    const otherKey = 'another-secret-key-of-at-least-32-bytes!!';
    const other = await startApp({ env: { SECRET_KEY: otherKey } });
    try {
      const { id } = await register(other.app, 'cached-key@example.com', PASSWORD);
      const claims = { sub: 'cached-key@example.com', uid: id, ver: 0, jti: 'keys', iat: nowSeconds(), exp: nowSeconds() + 600 };
      // Signed with this app's key: it verifies here (and is cached here), though no such account is here.
      const ours = makeJwt(claims, TEST_SECRET);
      expect((await me(ours)).statusCode).toBe(401);
      expect((await me(ours)).statusCode).toBe(401);
      // The other app has the account, but never verified that text with its own key.
      expect((await me(ours, other.app)).statusCode).toBe(401);
      expect((await me(makeJwt(claims, otherKey), other.app)).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('what is derived from a token', () => {
  it('is made once per cached token, beside its claims, and made again when the entry is not used', () => {
    let now = 1_000_000;
    const verifier = vi.fn((token: string): TokenClaims => ({ sub: token, exp: 2_000 }));
    const derive = vi.fn((token: string) => `key of ${token}`);
    const cache = new VerifiedTokens(verifier, 10, () => now, derive);
    expect(cache.check('t')).toEqual({ claims: { sub: 't', exp: 2_000 }, derived: 'key of t' });
    expect(cache.check('t').derived).toBe('key of t');
    expect(derive).toHaveBeenCalledTimes(1);
    // Past exp the entry is not used: the verifier (and derive) run again.
    now = 2_000_001;
    cache.check('t');
    expect(verifier).toHaveBeenCalledTimes(2);
    expect(derive).toHaveBeenCalledTimes(2);
  });
});

describe('the bound', () => {
  it(`holds at most ${VERIFIED_TOKENS_MAX} tokens, dropping the oldest`, () => {
    const verifier = vi.fn((token: string): TokenClaims => ({ sub: token, exp: nowSeconds() + 600 }));
    const cache = new VerifiedTokens(verifier);
    for (let i = 0; i < VERIFIED_TOKENS_MAX + 500; i++) cache.check(`token-${i}`);
    expect(cache.size).toBe(VERIFIED_TOKENS_MAX);
    verifier.mockClear();
    cache.check(`token-${VERIFIED_TOKENS_MAX + 499}`);
    expect(verifier).not.toHaveBeenCalled();
    cache.check('token-0');
    expect(verifier).toHaveBeenCalledTimes(1);
    expect(cache.size).toBe(VERIFIED_TOKENS_MAX);
  });

  it(`keeps no token longer than ${VERIFIED_TOKEN_MAX_LENGTH} characters (its claims could be any size): it is verified each time`, () => {
    const verifier = vi.fn((token: string): TokenClaims => ({ sub: token, exp: nowSeconds() + 600 }));
    const cache = new VerifiedTokens(verifier);
    const long = 'x'.repeat(VERIFIED_TOKEN_MAX_LENGTH + 1);
    expect(cache.check(long).claims.sub).toBe(long);
    expect(cache.check(long).claims.sub).toBe(long);
    expect(verifier).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
    const longest = 'y'.repeat(VERIFIED_TOKEN_MAX_LENGTH);
    cache.check(longest);
    cache.check(longest);
    expect(verifier).toHaveBeenCalledTimes(3);
    expect(cache.size).toBe(1);
  });

  it('never caches a failure', () => {
    const verifier = vi.fn((): TokenClaims => {
      throw new Error('bad signature');
    });
    const cache = new VerifiedTokens(verifier);
    expect(() => cache.check('t').claims).toThrow('bad signature');
    expect(() => cache.check('t').claims).toThrow('bad signature');
    expect(verifier).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });
});
