import { PUBLIC_BODY_LIMIT_BYTES } from '@agentcaller/contracts';
import { ARGON2_PARAMETERS, users } from '@agentcaller/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, json, startApp, TEST_ARGON2_PARAMETERS, type TestContext } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  // About hashing itself: the parameters production uses.
  ctx = await startApp({ productionHashing: true });
});
afterAll(() => ctx.close());

const registerRaw = (body: unknown) => ctx.app.inject({ method: 'POST', url: '/v1/auth/register', ...json(body) });

async function storedUser(email: string) {
  const [row] = await ctx.app.db.select().from(users).where(eq(users.email, email));
  return row;
}

async function countUsers() {
  const [row] = await ctx.app.db.select({ n: sql<number>`count(*)::int` }).from(users);
  return row?.n ?? -1;
}

describe('POST /v1/auth/register', () => {
  it('answers 201 with exactly the seed shape and stores the user', async () => {
    const res = await registerRaw({ email: 'admin@example.com', password: 'changeme123' });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json<{ id: number; email: string }>();
    expect(Object.keys(body)).toEqual(['id', 'email']);
    expect(body.email).toBe('admin@example.com');
    const row = await storedUser('admin@example.com');
    expect(row?.id).toBe(body.id);
    expect(row?.isActive).toBe(true);
  });

  it('hashes with argon2id at OWASP parameters or stronger, never returning the hash', async () => {
    const res = await registerRaw({ email: 'hash@example.com', password: 'changeme123' });
    expect(res.body).not.toContain('argon2');
    expect(res.body).not.toContain('changeme123');
    const row = await storedUser('hash@example.com');
    const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(row?.hashedPassword ?? '');
    expect(match).not.toBeNull();
    expect(Number(match?.[1])).toBeGreaterThanOrEqual(19456);
    expect(Number(match?.[2])).toBeGreaterThanOrEqual(2);
    // Exactly ARGON2_PARAMETERS, which are OWASP's Password Storage Cheat Sheet minimum for argon2id
    // (m = 19 MiB, t = 2, p = 1): an app built without test parameters, as the server always is.
    expect(ARGON2_PARAMETERS).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(row?.hashedPassword).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('test fixtures hash at cheaper parameters only when they ask to (BuildOptions, not the environment)', async () => {
    const fixture = await startApp();
    try {
      await fixture.app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email: 'cheap@example.com', password: 'changeme123' }) });
      const [row] = await fixture.app.db.select().from(users).where(eq(users.email, 'cheap@example.com'));
      const { memoryCost, timeCost, parallelism } = TEST_ARGON2_PARAMETERS;
      expect(row?.hashedPassword.startsWith(`$argon2id$v=19$m=${memoryCost},t=${timeCost},p=${parallelism}$`)).toBe(true);
    } finally {
      await fixture.close();
    }
  });

  it('trims and lower-cases the email', async () => {
    const res = await registerRaw({ email: '  Mixed.Case@Example.COM ', password: 'changeme123' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ email: 'mixed.case@example.com' });
    expect((await storedUser('mixed.case@example.com'))?.email).toBe('mixed.case@example.com');
  });

  it('refuses a duplicate email regardless of case with 409 problem+json', async () => {
    const res = await registerRaw({ email: 'ADMIN@example.com', password: 'another-password' });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toEqual({
      type: '/problems/email-taken',
      title: 'Conflict',
      status: 409,
      detail: 'A user with this email already exists',
    });
  });

  it('refuses an email that a mixed-case row of the original service already holds', async () => {
    await ctx.app.db.insert(users).values({ email: 'Legacy.User@Example.com', hashedPassword: 'x' });
    const res = await registerRaw({ email: 'legacy.user@example.com', password: 'changeme123' });
    expect(res.statusCode).toBe(409);
  });

  it('exactly one of 16 parallel registrations of one email succeeds', async () => {
    const before = await countUsers();
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        registerRaw({ email: i % 2 ? 'race@example.com' : 'RACE@example.com', password: `password-${i}` }),
      ),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(15);
    expect(await countUsers()).toBe(before + 1);
  });

  describe('password length in UTF-8 bytes', () => {
    it('accepts 8 and 72 bytes', async () => {
      expect((await registerRaw({ email: 'p8@example.com', password: '12345678' })).statusCode).toBe(201);
      expect((await registerRaw({ email: 'p72@example.com', password: 'é'.repeat(36) })).statusCode).toBe(201);
    });

    it.each([
      ['7 bytes', '1234567', 'must be at least 8 bytes'],
      ['73 ASCII bytes (over the schema maxLength)', 'a'.repeat(73), 'must NOT have more than 72 characters'],
      ['37 characters that are 74 bytes', 'é'.repeat(37), 'must be at most 72 bytes of UTF-8'],
      ['4 characters that are 16 bytes but under 8 characters', '😀😀😀😀', undefined],
      // The original's bcrypt cannot hash a NUL (found by the outside break test: it was accepted).
      ['a NUL at the end', 'abcdefgh\u0000', 'must not contain a NUL character'],
      ['a NUL in the middle', 'abcd\u0000efgh', 'must not contain a NUL character'],
    ])('%s', async (_name, password, message) => {
      const email = `len${password.length}${Buffer.byteLength(password)}@example.com`;
      const res = await registerRaw({ email, password });
      if (message === undefined) {
        expect(res.statusCode).toBe(201);
        return;
      }
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ status: 422, errors: [{ path: '/password', message }] });
      expect(await storedUser(email)).toBeUndefined();
    });
  });

  describe('bad bodies', () => {
    it.each([
      ['not an email', { email: 'not-an-email', password: 'changeme123' }, '/email'],
      ['email over 255 characters', { email: `${'a'.repeat(250)}@example.com`, password: 'changeme123' }, '/email'],
      ['missing email', { password: 'changeme123' }, '/email'],
      ['missing password', { email: 'x@example.com' }, '/password'],
      ['number as password (no coercion)', { email: 'x@example.com', password: 12345678 }, '/password'],
      ['null email', { email: null, password: 'changeme123' }, '/email'],
      ['array body', [{ email: 'x@example.com' }], ''],
    ])('%s is 422 with errors naming %s', async (_name, body, path) => {
      const before = await countUsers();
      const res = await registerRaw(body);
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      const problem = res.json<{ title: string; detail: string; errors: { path: string; message: string }[] }>();
      expect(problem.title).toBe('Unprocessable Entity');
      expect(typeof problem.detail).toBe('string');
      expect(problem.errors.map((e) => e.path)).toContain(path);
      expect(await countUsers()).toBe(before);
    });

    it('malformed JSON is 400', async () => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        headers: { 'content-type': 'application/json' },
        payload: '{"email": "x@example.com", "password": ',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        type: '/problems/bad-request',
        title: 'Bad Request',
        status: 400,
        detail: 'The request body is not valid JSON',
      });
    });

    it('an empty JSON body is 400', async () => {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', headers: { 'content-type': 'application/json' } });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    });

    it('a __proto__ key is refused with 400', async () => {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        headers: { 'content-type': 'application/json' },
        payload: '{"email":"proto@example.com","password":"changeme123","__proto__":{"isActive":false}}',
      });
      expect(res.statusCode).toBe(400);
      expect(await storedUser('proto@example.com')).toBeUndefined();
    });

    it.each([
      ['text/plain', { headers: { 'content-type': 'text/plain' }, payload: 'email=x' }],
      ['a form', form({ email: 'form@example.com', password: 'changeme123' })],
    ])('a %s body is 400 (JSON only)', async (_name, request) => {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', ...request });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ status: 400, detail: 'Unsupported content type for this route: send application/json' });
      expect(await storedUser('form@example.com')).toBeUndefined();
    });

    // A route that needs no credentials reads at most 8 KiB (PUBLIC_BODY_LIMIT_BYTES), not 1 MiB.
    it('a body over 8 KiB is 413', async () => {
      const res = await registerRaw({ email: 'big@example.com', password: 'changeme123', padding: 'x'.repeat(PUBLIC_BODY_LIMIT_BYTES) });
      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ status: 413, title: 'Payload Too Large' });
      expect(await storedUser('big@example.com')).toBeUndefined();
    });

    it('a body of exactly 8 KiB is read (unknown fields ignored)', async () => {
      const fields = { email: 'almost@example.com', password: 'changeme123', padding: '' };
      const padding = 'x'.repeat(PUBLIC_BODY_LIMIT_BYTES - Buffer.byteLength(JSON.stringify(fields)));
      expect(Buffer.byteLength(JSON.stringify({ ...fields, padding }))).toBe(PUBLIC_BODY_LIMIT_BYTES);
      const res = await registerRaw({ ...fields, padding });
      expect(res.statusCode).toBe(201);
      expect(Object.keys(res.json())).toEqual(['id', 'email']);
    });
  });
});
