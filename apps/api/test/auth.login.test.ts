import { PUBLIC_BODY_LIMIT_BYTES } from '@agentcaller/contracts';
import { users } from '@agentcaller/db';
import bcrypt from 'bcrypt';
import { SEED_USERS } from '@agentcaller/db/seed-era';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, nowSeconds } from './jwt.js';
import { bearer, form, json, register, startApp, type TestContext } from './helpers.js';

let ctx: TestContext;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  // About hashing itself: the parameters production uses.
  ctx = await startApp({ productionHashing: true });
  await register(ctx.app, 'user@example.com', PASSWORD);
});
afterAll(() => ctx.close());

const loginRaw = (fields: Record<string, string>) => ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form(fields) });

async function hashOf(email: string) {
  const [row] = await ctx.app.db.select({ hash: users.hashedPassword }).from(users).where(eq(users.email, email));
  return row?.hash ?? '';
}

const INVALID = { type: '/problems/invalid-credentials', title: 'Unauthorized', status: 401, detail: 'Incorrect email or password' };

describe('POST /v1/auth/login', () => {
  it('answers the seed shape with an HS256 token for sub = email', async () => {
    const res = await loginRaw({ username: 'user@example.com', password: PASSWORD });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ access_token: string; token_type: string; expires_in: number }>();
    expect(Object.keys(body)).toEqual(['access_token', 'token_type', 'expires_in']);
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBe(60 * 60);
    const { header, payload } = decodeJwt(body.access_token);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload.sub).toBe('user@example.com');
    expect(typeof payload.jti).toBe('string');
    expect(Number(payload.exp) - Number(payload.iat)).toBe(60 * 60);
    expect(Math.abs(Number(payload.iat) - nowSeconds())).toBeLessThan(5);
    const me = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(body.access_token) });
    expect(me.statusCode).toBe(200);
  });

  // Round 13's break test: FastAPI read an empty optional form field as absent.
  it('takes an empty grant_type as none, as the original did', async () => {
    const res = await loginRaw({ username: 'user@example.com', password: PASSWORD, grant_type: '' });
    expect(res.statusCode).toBe(200);
  });

  it('accepts grant_type=password and ignores scope, client_id and client_secret', async () => {
    const res = await loginRaw({ username: 'user@example.com', password: PASSWORD, grant_type: 'password', scope: 'me items', client_id: 'x', client_secret: 'y' });
    expect(res.statusCode).toBe(200);
  });

  it('reads the username trimmed and case-insensitively', async () => {
    const res = await loginRaw({ username: '  USER@Example.com ', password: PASSWORD });
    expect(res.statusCode).toBe(200);
    expect(decodeJwt(res.json<{ access_token: string }>().access_token).payload.sub).toBe('user@example.com');
  });

  it('gives the same 401 for a wrong password and an unknown email, with WWW-Authenticate', async () => {
    const wrong = await loginRaw({ username: 'user@example.com', password: 'wrong password' });
    const unknown = await loginRaw({ username: 'nobody@example.com', password: PASSWORD });
    for (const res of [wrong, unknown]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(res.json()).toEqual(INVALID);
    }
    expect(wrong.body).toBe(unknown.body);
  });

  it('takes about the same time for an unknown email as for a wrong password', async () => {
    const time = async (username: string) => {
      const start = performance.now();
      await loginRaw({ username, password: 'wrong password' });
      return performance.now() - start;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const wrong: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 7; i++) {
      wrong.push(await time('user@example.com'));
      unknown.push(await time(`nobody${i}@example.com`));
    }
    // Without the dummy verification an unknown email answers in about a millisecond, > 10x faster.
    const ratio = median(unknown) / median(wrong);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  describe('inactive accounts', () => {
    beforeAll(async () => {
      await register(ctx.app, 'inactive@example.com', PASSWORD);
      await ctx.app.db.update(users).set({ isActive: false }).where(eq(users.email, 'inactive@example.com'));
    });

    it('are 403 with the right password', async () => {
      const res = await loginRaw({ username: 'inactive@example.com', password: PASSWORD });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ type: '/problems/inactive-account', title: 'Forbidden', status: 403, detail: 'Inactive user' });
    });

    it('are the ordinary 401 with a wrong password (the account state is not revealed)', async () => {
      const res = await loginRaw({ username: 'inactive@example.com', password: 'wrong password' });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual(INVALID);
    });
  });

  describe("the original service's bcrypt hashes", () => {
    it.each(['$2b$', '$2a$', '$2y$'])('a %s hash verifies and is replaced by argon2id on login', async (prefix) => {
      const email = `legacy-${prefix.replaceAll('$', '')}@example.com`;
      const legacy = prefix + bcrypt.hashSync('legacy password', 10).slice(4);
      await ctx.app.db.insert(users).values({ email, hashedPassword: legacy });

      const wrong = await loginRaw({ username: email, password: 'not it at all' });
      expect(wrong.statusCode).toBe(401);
      expect(await hashOf(email)).toBe(legacy);

      const ok = await loginRaw({ username: email, password: 'legacy password' });
      expect(ok.statusCode).toBe(200);
      const upgraded = await hashOf(email);
      expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

      const again = await loginRaw({ username: email, password: 'legacy password' });
      expect(again.statusCode).toBe(200);
      expect(await hashOf(email)).toBe(upgraded);
    });

    it('a cost-12 passlib hash of a mixed-case email logs in', async () => {
      // The original service's own hash of this password (passlib, cost 12), from the seed-era fixture.
      const [admin] = SEED_USERS;
      expect(admin.password).toBe('changeme123');
      await ctx.app.db.insert(users).values({ email: 'Old.Admin@Example.com', hashedPassword: admin.hash });
      const res = await loginRaw({ username: 'old.admin@example.com', password: 'changeme123' });
      expect(res.statusCode).toBe(200);
      expect(await hashOf('Old.Admin@Example.com')).toMatch(/^\$argon2id\$/);
    });
  });

  describe('bad forms', () => {
    it.each([
      ['missing username', { password: PASSWORD }, '/username'],
      ['missing password', { username: 'user@example.com' }, '/password'],
      ['empty password', { username: 'user@example.com', password: '' }, '/password'],
      ['another grant type', { username: 'user@example.com', password: PASSWORD, grant_type: 'client_credentials' }, '/grant_type'],
    ])('%s is 422', async (_name, fields, path) => {
      const res = await loginRaw(fields);
      expect(res.statusCode).toBe(422);
      expect(res.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain(path);
    });

    it('a JSON body is 400 (the login is an OAuth2 form)', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...json({ username: 'user@example.com', password: PASSWORD }) });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ status: 400, detail: 'Unsupported content type for this route: send application/x-www-form-urlencoded or multipart/form-data' });
    });

    it('a form over 8 KiB is 413 (a route that needs no credentials reads no more)', async () => {
      const res = await loginRaw({ username: 'user@example.com', password: PASSWORD, scope: 'x'.repeat(PUBLIC_BODY_LIMIT_BYTES) });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ type: '/problems/payload-too-large' });
    });
  });

  describe('multipart/form-data (browsers’ FormData; the original FastAPI service took it)', () => {
    const BOUNDARY = '----agentcaller7MA4YWxkTrZu0gW';
    const multipart = (parts: string[], boundary = BOUNDARY) => ({
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`,
    });
    const field = (name: string, value: string) => `Content-Disposition: form-data; name="${name}"\r\n\r\n${value}`;

    it('signs in with the same answer as the urlencoded form, UTF-8 passwords included', async () => {
      await register(ctx.app, 'multi@example.com', 'pässwörd ✓ 123');
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        ...multipart([field('username', 'multi@example.com'), field('password', 'pässwörd ✓ 123'), field('grant_type', 'password'), field('scope', '')]),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ token_type: 'bearer', access_token: expect.any(String) as unknown });
    });

    it('a wrong password is the same 401, a missing field 422, a file part and unknown fields are ignored', async () => {
      const wrong = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...multipart([field('username', 'user@example.com'), field('password', 'nope nope')]) });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toEqual(INVALID);
      const missing = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...multipart([field('username', 'user@example.com')]) });
      expect(missing.statusCode).toBe(422);
      expect(missing.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain('/password');
      const extra = await ctx.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        ...multipart([
          field('username', 'user@example.com'),
          field('password', PASSWORD),
          field('__proto__', 'x'),
          'Content-Disposition: form-data; name="password"; filename="p.txt"\r\nContent-Type: text/plain\r\n\r\nnot read',
        ]),
      });
      expect(extra.statusCode).toBe(200);
    });

    it('a field sent twice is 422, a malformed body or one without a boundary is 400, never 500', async () => {
      const twice = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...multipart([field('username', 'user@example.com'), field('password', PASSWORD), field('password', PASSWORD)]) });
      expect(twice.statusCode).toBe(422);
      for (const payload of ['garbage', `--${BOUNDARY}\r\nno headers here--${BOUNDARY}--\r\n`, `--${BOUNDARY}\r\n${field('username', 'x')}\r\n`]) {
        const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, payload });
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      }
      const noBoundary = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', headers: { 'content-type': 'multipart/form-data' }, payload: 'x' });
      expect(noBoundary.statusCode).toBe(400);
    });

    it('at most 16 parts: 16 sign in, 17 or 80 are 413 payload-too-large, as the document says', async () => {
      const credentials = [field('username', 'user@example.com'), field('password', PASSWORD)];
      const extras = (n: number) => Array.from({ length: n }, (_, i) => field(`extra${i}`, 'x'));
      const sixteen = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...multipart([...credentials, ...extras(14)]) });
      expect(sixteen.statusCode).toBe(200);
      // 80 parts still fit in 8 KiB: the count refuses them, not the body limit.
      expect(Buffer.byteLength(multipart([...credentials, ...extras(78)]).payload)).toBeLessThan(PUBLIC_BODY_LIMIT_BYTES);
      for (const n of [15, 78]) {
        const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...multipart([...credentials, ...extras(n)]) });
        expect(res.statusCode, `${n + 2} parts`).toBe(413);
        expect(res.json()).toMatchObject({ type: '/problems/payload-too-large', detail: 'The multipart body has more than 16 parts' });
      }
      const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ components: { responses: Record<string, { description: string }> } }>();
      expect(doc.components.responses.PayloadTooLarge!.description).toContain('more than 16 parts');
    });
  });
});
