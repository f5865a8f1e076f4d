import { users } from '@agentcaller/db';
import bcrypt from 'bcrypt';
import { SEED_USERS } from '@agentcaller/db/seed-era';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/lib/passwords.js';
import { form, startApp, type TestContext } from './helpers.js';

let ctx: TestContext;
const PASSWORD_72 = 'p'.repeat(72);
const login = (username: string, password: string) => ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username, password }) });

beforeAll(async () => {
  // About hashing itself: the parameters production uses.
  ctx = await startApp({ productionHashing: true });
});
afterAll(() => ctx.close());

// Issue 10, item 7: bcrypt reads only 72 bytes; a longer password must never sign in.
describe('passwords over 72 bytes at sign-in', () => {
  it('a legacy bcrypt account refuses its password with more appended, and keeps its real password', async () => {
    const legacy = bcrypt.hashSync(PASSWORD_72, 10);
    await ctx.app.db.insert(users).values({ email: 'long@example.com', hashedPassword: legacy });
    // Over 72 characters the schema refuses it (422, `maxLength: 72` in the document); up to 72
    // characters but over 72 bytes it is checked, and refused like any wrong password (401).
    for (const extra of ['x', 'anything at all', 'é'.repeat(100)]) {
      const res = await login('long@example.com', PASSWORD_72 + extra);
      expect(res.statusCode).toBe(422);
    }
    const res = await login('long@example.com', `${PASSWORD_72.slice(0, 71)}é`);
    expect(res.statusCode).toBe(401);
    const [row] = await ctx.app.db.select().from(users).where(eq(users.email, 'long@example.com'));
    expect(row!.hashedPassword).toBe(legacy);
    expect((await login('long@example.com', PASSWORD_72)).statusCode).toBe(200);
  });

  it('verifyPassword refuses over 72 bytes against any hash', async () => {
    const hash = bcrypt.hashSync(PASSWORD_72, 4);
    expect(await verifyPassword(hash, PASSWORD_72)).toMatchObject({ ok: true });
    expect(await verifyPassword(hash, `${PASSWORD_72}x`)).toEqual({ ok: false, needsRehash: false });
  });
});

// Issue 10, item 13: an unknown email costs what a real account of this database costs.
describe('unknown emails cost what real accounts of the database cost', () => {
  it('in a database of legacy bcrypt accounts, an unknown email takes about a bcrypt verification', async () => {
    // A passlib hash at cost 12 as the original stored it (the seed-era fixture), not one made here.
    const { hash } = SEED_USERS[1];
    await ctx.app.db.delete(users);
    await ctx.app.db.insert(users).values(Array.from({ length: 5 }, (_, i) => ({ email: `old${i}@example.com`, hashedPassword: hash })));
    const time = async (username: string) => {
      const start = performance.now();
      expect((await login(username, 'wrong password')).statusCode).toBe(401);
      return performance.now() - start;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    await time('warm-up@example.com');
    const legacy: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      legacy.push(await time(`old${i}@example.com`));
      unknown.push(await time(`nobody${i}@example.com`));
    }
    // Before issue 10 an unknown email cost one argon2 check, about 7x faster than bcrypt at cost 12.
    const ratio = median(unknown) / median(legacy);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.6);
  });
});
