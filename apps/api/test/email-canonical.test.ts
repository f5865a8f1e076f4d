// The canonical form of an address (lib/email.ts) against the database's own lower(): lookups
// compare lower(users.email) with it, so a row the original service stored in capitals is found by
// its own spelling only if the two agree. Round 15's break test: `İlegacy@…` and `ΟΔΟΣ@…` (stored
// by the original) could not sign in or ask for a reset, and could be registered a second time.
import { passwordResetTokens, queryRows, users } from '@agentcaller/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEmail, isEmailAddress, lowerLikeDatabase } from '../src/lib/email.js';
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

  it('refuses domains IDNA cannot read, or too long in their ASCII spelling (round 15\'s re-check)', async () => {
    for (const email of ['a@xn--zz.com', 'a@xn--0.com', 'a@xn--a.com', `d@${'ä'.repeat(60)}.com`]) {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email, password: 'correct horse battery' }) });
      expect(res.statusCode, email).toBe(422);
    }
    // Four labels of 50 ä are 56 characters each in ASCII, 231 in all: within DNS's limits.
    expect(isEmailAddress(canonicalEmail(`d@${Array.from({ length: 4 }, () => 'ä'.repeat(50)).join('.')}.com`))).toBe(true);
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

// Round 15's re-check: a legacy row stored as `solo@xn--exmple-cua.com` could not sign in with any
// spelling, and `solo@exämple.com` could be registered, taking its resets.
describe('accounts the original stored with an xn-- domain', () => {
  it('sign in with any spelling, reset to their own row, and cannot be registered again', async () => {
    const { id } = await register(ctx.app, 'tmp-ace@example.com');
    await ctx.app.db.update(users).set({ email: 'Solo@XN--EXMPLE-CUA.com' }).where(eq(users.id, id));
    for (const spelling of ['Solo@XN--EXMPLE-CUA.com', 'solo@exämple.com', 'SOLO@EXÄMPLE.COM', 'solo@ｅｘäｍｐｌｅ.com']) {
      const login = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: spelling, password: 'correct horse battery' }) });
      expect(login.statusCode, spelling).toBe(200);
      const me = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization: `Bearer ${login.json<{ access_token: string }>().access_token}` } });
      expect(me.json<{ id: number }>().id, spelling).toBe(id);
      expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email: spelling, password: 'another password' }) })).statusCode, spelling).toBe(409);
    }
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/password-reset', ...json({ email: 'solo@exämple.com' }) })).statusCode).toBe(202);
    expect(await ctx.app.db.select({ userId: passwordResetTokens.userId }).from(passwordResetTokens).where(eq(passwordResetTokens.userId, id))).toHaveLength(1);
  });

  it('of a legacy pair, one spelling each, the canonical spelling is the account every spelling names', async () => {
    const first = await register(ctx.app, 'tmp-pair-1@example.com');
    const second = await register(ctx.app, 'tmp-pair-2@example.com');
    await ctx.app.db.update(users).set({ email: 'dup@xn--exmple-cua.com' }).where(eq(users.id, first.id));
    await ctx.app.db.update(users).set({ email: 'Dup@exämple.com' }).where(eq(users.id, second.id));
    for (const spelling of ['dup@xn--exmple-cua.com', 'dup@exämple.com']) {
      const login = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: spelling, password: 'correct horse battery' }) });
      const me = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization: `Bearer ${login.json<{ access_token: string }>().access_token}` } });
      expect(me.json<{ id: number }>().id, spelling).toBe(second.id);
    }
  });
});

let next = 0;
const id36 = () => (++next).toString(36);
