// PASSWORD_HASH=bcrypt, for a rolling switch-over with the original Python service on the same
// database: bcrypt hashes are never replaced, and new or changed passwords get passlib-compatible
// $2b$12$ hashes. (test/services/python-bcrypt.test.ts checks them with Python's own verifiers.)
import { users } from '@agentcaller/db';
import { SEED_USERS } from '@agentcaller/db/seed-era';
import bcrypt from 'bcrypt';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/lib/passwords.js';
import { bearer, json, login, type TestContext } from './helpers.js';
import { startOnSeedEra, storedHash } from './seed-era.js';

const [admin, ops] = SEED_USERS;
const hashOf = storedHash;
const signIn = (ctx: TestContext, email: string, password: string) => login(ctx.app, email, password);

describe('PASSWORD_HASH=bcrypt on an adopted database', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startOnSeedEra({ PASSWORD_HASH: 'bcrypt' });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('a legacy user signs in and keeps the very hash the original wrote', async () => {
    await signIn(ctx, admin.email, admin.password);
    await signIn(ctx, admin.email, admin.password);
    expect(await hashOf(ctx, admin.email)).toBe(admin.hash);
  });

  it('registration stores a $2b$12$ hash of the password', async () => {
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email: 'fresh@example.com', password: 'a new password' }) })).statusCode).toBe(201);
    const hash = await hashOf(ctx, 'fresh@example.com');
    expect(hash).toMatch(/^\$2b\$12\$[./A-Za-z0-9]{53}$/);
    expect(await bcrypt.compare('a new password', hash)).toBe(true);
  });

  it('a password change stores a $2b$12$ hash of the new password', async () => {
    const token = await signIn(ctx, ops.email, ops.password);
    const res = await ctx.app.inject({
      method: 'PUT',
      url: '/v1/auth/me/password',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      payload: JSON.stringify({ current_password: ops.password, new_password: 'changed password 1' }),
    });
    expect(res.statusCode).toBe(204);
    const hash = await hashOf(ctx, ops.email);
    expect(hash).toMatch(/^\$2b\$12\$/);
    expect(await bcrypt.compare('changed password 1', hash)).toBe(true);
  });

  it('an argon2id user (from a time without it) gets a $2b$12$ hash at sign-in, so the original can verify them again', async () => {
    await ctx.app.db.update(users).set({ hashedPassword: await hashPassword('a new password') }).where(eq(users.email, 'fresh@example.com'));
    expect(await hashOf(ctx, 'fresh@example.com')).toMatch(/^\$argon2id\$/);
    await signIn(ctx, 'fresh@example.com', 'a new password');
    const hash = await hashOf(ctx, 'fresh@example.com');
    expect(hash).toMatch(/^\$2b\$12\$/);
    expect(await bcrypt.compare('a new password', hash)).toBe(true);
  });
});

describe('PASSWORD_HASH=argon2id (the default) on an adopted database', () => {
  it('replaces a legacy bcrypt hash by argon2id at the next sign-in', async () => {
    const ctx = await startOnSeedEra();
    try {
      await signIn(ctx, admin.email, admin.password);
      expect(await hashOf(ctx, admin.email)).toMatch(/^\$argon2id\$/);
    } finally {
      await ctx.close();
    }
  });
});
