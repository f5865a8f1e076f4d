// The canonical form of an address (lib/email.ts) against the database's own lower(): lookups
// compare lower(users.email) with it, so a row the original service stored in capitals is found by
// its own spelling only if the two agree. Round 15's break test: `İlegacy@…` and `ΟΔΟΣ@…` (stored
// by the original) could not sign in or ask for a reset, and could be registered a second time.
import { passwordResetTokens, queryRows, users } from '@agentcaller/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEmail, lowerLikeDatabase } from '../src/lib/email.js';
import { form, json, register, startApp, type TestContext } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startApp();
});
afterAll(() => ctx.close());

/** Capitals whose lower case JavaScript's toLowerCase and a database may disagree on, and common ones. */
const CAPITALS = ['İSTANBUL', 'ΟΔΟΣ', 'ΣΟΦΙΑΣ', 'Σ', 'ΌΣΑ.ΜΑΣ', 'ǅŽ', 'Ǆ', 'ẞ', 'K', 'Ω', 'Å', 'ЁЖИК', 'ՀԱՅ', 'ᲛᲐᲠᲘ', 'ZOË', 'ÆØÅ', 'ĲSSEL', 'Ⅻ', 'Ａ', 'ÇĞIŞ'];

describe('the canonical form of an address', () => {
  it("lower-cases as the database's lower() does, character for character", async () => {
    const values = sql.join(CAPITALS.map((text, n) => sql`(${text}::text, ${n}::int)`), sql`, `);
    const rows = await queryRows<{ lower: string }>(ctx.app.db, sql`select lower(t) as lower from (values ${values}) as v(t, n) order by n`);
    expect(CAPITALS.map((text) => lowerLikeDatabase(text))).toEqual(rows.map((row) => row.lower));
    // Which is not JavaScript's own toLowerCase for these two (so the test can tell the difference).
    expect('İ'.toLowerCase()).not.toBe(lowerLikeDatabase('İ'));
    expect('ΟΔΟΣ'.toLowerCase()).not.toBe(lowerLikeDatabase('ΟΔΟΣ'));
  });

  it('spells a domain as IDNA does, in Unicode and lower case', () => {
    expect(canonicalEmail(' Zoë@XN--EXMPLE-CUA.com ')).toBe('zoë@exämple.com');
    expect(canonicalEmail('a@ＥＸＡＭＰＬＥ.com')).toBe('a@example.com');
    expect(canonicalEmail('a@xn--fsqu00a.xn--4rr70v')).toBe('a@例子.广告');
    // What IDNA refuses stays as typed, lower-cased, for the format check to refuse.
    expect(canonicalEmail('A@EXA_MPLE.com')).toBe('a@exa_mple.com');
    expect(canonicalEmail('no-at-sign')).toBe('no-at-sign');
  });
});

describe("accounts the original stored in capitals beyond ASCII", () => {
  it('sign in and reset by their own spelling, and cannot be registered again', async () => {
    for (const stored of ['İlegacy@example.com', 'ΟΔΟΣ@example.com', 'ΣΟΦΙΑΣ.Legacy@Example.com']) {
      // An account as the original stored it: the address as typed, capitals kept.
      const { id } = await register(ctx.app, `tmp-${id36()}@example.com`);
      await ctx.app.db.update(users).set({ email: stored }).where(eq(users.id, id));

      const login = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: stored, password: 'correct horse battery' }) });
      expect(login.statusCode, stored).toBe(200);
      const again = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email: stored, password: 'another password' }) });
      expect(again.statusCode, stored).toBe(409);
      const reset = await ctx.app.inject({ method: 'POST', url: '/v1/auth/password-reset', ...json({ email: stored }) });
      expect(reset.statusCode).toBe(202);
      const links = await ctx.app.db.select({ userId: passwordResetTokens.userId }).from(passwordResetTokens).where(eq(passwordResetTokens.userId, id));
      expect(links, stored).toHaveLength(1);
    }
  });
});

let next = 0;
const id36 = () => (++next).toString(36);
