import { users } from '@agentcaller/db';
import bcrypt from 'bcrypt';
import { SEED_USERS } from '@agentcaller/db/seed-era';
import { createTestDatabase } from '@agentcaller/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/lib/passwords.js';
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

/**
 * The API started (production hashing) on a database already holding `rows`: the mix of hashes
 * is read at start-up, as a server reads it when it starts on an adopted database.
 */
async function appWith(rows: { email: string; hashedPassword: string }[], env: Record<string, string> = {}): Promise<TestContext> {
  const database = await createTestDatabase(process.env.DATABASE_URL, { migrated: true, lasting: true });
  const setup = await startApp({ database: { ...database, drop: async () => {} }, productionHashing: true });
  try {
    if (rows.length > 0) await setup.app.db.insert(users).values(rows);
  } finally {
    await setup.close();
  }
  return startApp({ database, productionHashing: true, env });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** How long a wrong-password sign-in of `username` took on `app`, in ms (401 expected). */
async function refusal(app: TestContext, username: string): Promise<number> {
  const start = performance.now();
  const res = await app.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username, password: 'wrong password' }) });
  expect(res.statusCode).toBe(401);
  return performance.now() - start;
}

// Issue 10, item 13: an unknown email costs what a real account of this database costs.
describe('unknown emails cost what real accounts of the database cost', () => {
  it('in a database of legacy bcrypt accounts, an unknown email takes about a bcrypt verification', async () => {
    // A passlib hash at cost 12 as the original stored it (the seed-era fixture), not one made here.
    const { hash } = SEED_USERS[1];
    const app = await appWith(Array.from({ length: 5 }, (_, i) => ({ email: `old${i}@example.com`, hashedPassword: hash })));
    try {
      await refusal(app, 'warm-up@example.com');
      const legacy: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 5; i++) {
        legacy.push(await refusal(app, `old${i}@example.com`));
        unknown.push(await refusal(app, `nobody${i}@example.com`));
      }
      // Before issue 10 an unknown email cost one argon2 check, about 7x faster than bcrypt at cost 12.
      const ratio = median(unknown) / median(legacy);
      expect(ratio).toBeGreaterThan(0.6);
      expect(ratio).toBeLessThan(1.6);
    } finally {
      await app.close();
    }
  });
});

// The break test of 2026-12-04: with one account still on the original's bcrypt among argon2 ones,
// a wrong password took 211 ms for it and 25-26 ms for an argon2 account or an unknown email, so
// timing told which addresses are adopted accounts not signed in since.
describe('while bcrypt accounts remain, every refused sign-in lasts as long as theirs', () => {
  it('an argon2 account and an unknown email are refused no sooner than a bcrypt account', async () => {
    const argon2 = await hashPassword('a real password', 'argon2id');
    const app = await appWith([
      { email: 'legacy@example.com', hashedPassword: SEED_USERS[1].hash },
      ...Array.from({ length: 9 }, (_, i) => ({ email: `new${i}@example.com`, hashedPassword: argon2 })),
    ]);
    try {
      const legacy: number[] = [];
      const modern: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 5; i++) {
        legacy.push(await refusal(app, 'legacy@example.com'));
        modern.push(await refusal(app, `new${i}@example.com`));
        unknown.push(await refusal(app, `nobody${i}@example.com`));
      }
      expect(median(modern) / median(legacy)).toBeGreaterThan(0.8);
      expect(median(unknown) / median(legacy)).toBeGreaterThan(0.8);
    } finally {
      await app.close();
    }
  });

  it('without bcrypt accounts, a refusal is not held back', async () => {
    const argon2 = await hashPassword('a real password', 'argon2id');
    const app = await appWith(Array.from({ length: 3 }, (_, i) => ({ email: `only${i}@example.com`, hashedPassword: argon2 })));
    try {
      const bcryptHash = SEED_USERS[1].hash;
      const bcryptTimes: number[] = [];
      const refusals: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        await bcrypt.compare('wrong password', bcryptHash);
        bcryptTimes.push(performance.now() - start);
        refusals.push(await refusal(app, `only${i}@example.com`), await refusal(app, `nobody${i}@example.com`));
      }
      expect(median(refusals)).toBeLessThan(0.6 * median(bcryptTimes));
    } finally {
      await app.close();
    }
  });

  it('the first refusal after a start costs what later ones do (the mix is read and bcrypt timed at start-up)', async () => {
    // What this test times is the server's start, not the process's: a refusal on the file's own app
    // first compiles the sign-in path, as earlier tests do when the file runs whole (run alone, the
    // cold JIT alone made the first refusal ~2.5x dearer, round 12).
    for (const name of ['warm-a', 'warm-b']) await refusal(ctx, `${name}@example.com`);
    const app = await appWith(Array.from({ length: 3 }, (_, i) => ({ email: `old${i}@example.com`, hashedPassword: SEED_USERS[1].hash })));
    try {
      // Read at start-up, before any sign-in asks: what the timing below cannot tell alone once an
      // earlier test of this process has timed bcrypt (round 12 found it passing without the read).
      const deadline = Date.now() + 5000;
      while (!app.app.users.refusalsPrepared && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(app.app.users.refusalsPrepared).toBe(true);
      const first = await refusal(app, 'first@example.com');
      const later: number[] = [];
      for (let i = 0; i < 4; i++) later.push(await refusal(app, `later${i}@example.com`));
      // Before, the first unknown email read the mix and made the bcrypt dummy itself: ~3x. The first
      // is one sample against a median of four: 1.8 failed once at 1.83 under a loaded CI run
      // (round 12), so the bound sits between that noise and the ~3x it guards against.
      expect(first / median(later)).toBeLessThan(2.3);
    } finally {
      await app.close();
    }
  });

  // The second break test of round 8: the mix was read at start and every 5 minutes, so a bcrypt
  // hash that appeared meanwhile (the original service adding an account, or this server's own
  // sign-ups under PASSWORD_HASH=bcrypt) left unknown emails refused in argon2's time.
  it('a bcrypt hash that appears while the server runs holds refusals back from the first time it is checked', async () => {
    const argon2 = await hashPassword('a real password', 'argon2id');
    const app = await appWith(Array.from({ length: 3 }, (_, i) => ({ email: `now${i}@example.com`, hashedPassword: argon2 })));
    try {
      const before = median([await refusal(app, 'nobody-a@example.com'), await refusal(app, 'nobody-b@example.com'), await refusal(app, 'nobody-c@example.com')]);
      await app.app.db.insert(users).values({ email: 'arrived@example.com', hashedPassword: SEED_USERS[1].hash });
      const bcryptRefusal = await refusal(app, 'arrived@example.com');
      const after = median([await refusal(app, 'nobody-d@example.com'), await refusal(app, 'nobody-e@example.com'), await refusal(app, 'nobody-f@example.com')]);
      expect(before).toBeLessThan(0.6 * bcryptRefusal);
      expect(after / bcryptRefusal).toBeGreaterThan(0.8);
    } finally {
      await app.close();
    }
  });

  it('under PASSWORD_HASH=bcrypt, the first sign-up holds refusals back', async () => {
    const argon2 = await hashPassword('a real password', 'argon2id');
    const app = await appWith([{ email: 'first@example.com', hashedPassword: argon2 }], { PASSWORD_HASH: 'bcrypt' });
    try {
      const before = median([await refusal(app, 'nobody-g@example.com'), await refusal(app, 'nobody-h@example.com'), await refusal(app, 'nobody-i@example.com')]);
      const start = performance.now();
      const signUp = await app.app.inject({ method: 'POST', url: '/v1/auth/register', payload: { email: 'joined@example.com', password: 'a new password 1' } });
      expect(signUp.statusCode).toBe(201);
      const signUpMs = performance.now() - start;
      const after = median([await refusal(app, 'nobody-j@example.com'), await refusal(app, 'nobody-k@example.com'), await refusal(app, 'nobody-l@example.com')]);
      expect(before).toBeLessThan(0.6 * signUpMs);
      expect(after / signUpMs).toBeGreaterThan(0.8);
    } finally {
      await app.close();
    }
  });
});
