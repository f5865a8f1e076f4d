// Password reset end to end: the API mails through nodemailer to a real SMTP server listening on
// loopback (test/smtp.ts), and the link read from the received mail is what the test confirms with.
import { CSRF_COOKIE, SESSION_COOKIE } from '@agentcaller/contracts';
import { apiKeys, passwordResetTokens, users } from '@agentcaller/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashResetToken } from '../src/services/password-resets.js';
import { expectProblem } from './fixtures.js';
import { bearer, form, json, login, register, startApp, type TestContext } from './helpers.js';
import { resetTokenOf, startSmtp, type TestSmtp } from './smtp.js';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new secret';
const WEB = 'https://app.example.test';
const UNKNOWN_LINK = 'This link is not valid any more: it may have been replaced by a newer one, or the account changed. Ask for a new link.';

let smtp: TestSmtp;
let ctx: TestContext;

beforeAll(async () => {
  smtp = await startSmtp();
  ctx = await startApp({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'AgentCaller <no-reply@example.test>', PUBLIC_WEB_URL: WEB } });
});
afterAll(async () => {
  await ctx.close();
  await smtp.close();
});

const requestReset = (email: string, app = ctx.app) => app.inject({ method: 'POST', url: '/v1/auth/password-reset', ...json({ email }) });
const confirm = (token: string, newPassword = NEW_PASSWORD) =>
  ctx.app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', ...json({ token, new_password: newPassword }) });
const me = (headers: Record<string, string>) => ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers });

/** Asks for a link and reads it from the mail the SMTP server received. */
async function linkFor(email: string): Promise<string> {
  const since = smtp.mails.length;
  const res = await requestReset(email);
  expect(res.statusCode).toBe(202);
  return resetTokenOf(await smtp.next(email, since));
}

describe('POST /v1/auth/password-reset', () => {
  it('mails a link to the web app, from MAIL_FROM, and stores only its hash', async () => {
    const { id } = await register(ctx.app, 'mail@example.com', PASSWORD);
    const since = smtp.mails.length;
    const res = await requestReset(' Mail@Example.com ');
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ message: expect.stringContaining('If an account uses this address') as unknown });
    const mail = await smtp.next('mail@example.com', since);
    expect(mail.raw).toMatch(/^From: AgentCaller <no-reply@example\.test>/m);
    expect(mail.raw).toMatch(/^Subject: Reset your AgentCaller password/m);
    expect(mail.text).toContain(`${WEB}/reset-password#token=`);
    const token = resetTokenOf(mail);
    const [row] = await ctx.app.db.select().from(passwordResetTokens).where(eq(passwordResetTokens.userId, id));
    expect(row!.tokenHash).toBe(hashResetToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(row!.expiresAt.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(row!.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);
  });

  it('mails the address as the account stores it, however it was typed in the request', async () => {
    await register(ctx.app, 'stored@example.com', PASSWORD);
    await ctx.app.db.update(users).set({ email: 'Stored.Spelling@example.com' }).where(eq(users.email, 'stored@example.com'));
    const since = smtp.mails.length;
    expect((await requestReset('STORED.spelling@example.COM')).statusCode).toBe(202);
    // (The domain part is case-blind, and the SMTP client lower-cases it; the mailbox part is kept.)
    const mail = await smtp.next('Stored.Spelling@example.com', since);
    expect(mail.to).toEqual(['Stored.Spelling@example.com']);
  });

  it('mails an address beyond ASCII, as a legacy account of the original stores it (SMTPUTF8)', async () => {
    // The original stored such addresses (its EmailStr took them); the round-14 break test found
    // their accounts signing in but refused a reset (422, ajv's ASCII `email` format).
    const { id } = await register(ctx.app, 'legacy-ascii@example.com', PASSWORD);
    await ctx.app.db.update(users).set({ email: 'jürgen.müller@exämple.com' }).where(eq(users.id, id));
    const since = smtp.mails.length;
    expect((await requestReset('Jürgen.Müller@Exämple.com')).statusCode).toBe(202);
    // As stored, in UTF-8 (RFC 6531: nodemailer asks for SMTPUTF8, which the server offers).
    const mail = await smtp.next('jürgen.müller@exämple.com', since);
    expect(mail.to).toEqual(['jürgen.müller@exämple.com']);
    // And the link works: the account signs in with the new password.
    expect((await confirm(resetTokenOf(mail))).statusCode).toBe(204);
    expect(await login(ctx.app, 'jürgen.müller@exämple.com', NEW_PASSWORD)).toMatch(/^ey/);
  });

  it('answers the same for an unknown address, and mails nobody', async () => {
    const since = smtp.mails.length;
    const unknown = await requestReset('nobody-here@example.com');
    expect(unknown.statusCode).toBe(202);
    await register(ctx.app, 'known@example.com', PASSWORD);
    const known = await requestReset('known@example.com');
    expect(known.body).toBe(unknown.body);
    // The known address's mail arrives; none ever went to the unknown one.
    await smtp.next('known@example.com', since);
    expect(smtp.mails.slice(since).flatMap((m) => m.to)).toEqual(['known@example.com']);
  });

  it('mails nothing for a deactivated account (a new password would not let it in)', async () => {
    await register(ctx.app, 'inactive-reset@example.com', PASSWORD);
    await ctx.app.db.update(users).set({ isActive: false }).where(eq(users.email, 'inactive-reset@example.com'));
    const since = smtp.mails.length;
    expect((await requestReset('inactive-reset@example.com')).statusCode).toBe(202);
    await linkFor('known@example.com');
    expect(smtp.mails.slice(since).flatMap((m) => m.to)).toEqual(['known@example.com']);
  });

  it('refuses an invalid address (422) and a body without one', async () => {
    expectProblem(await requestReset('not an address'), 422, '/problems/validation');
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/password-reset', ...json({}) }), 422, '/problems/validation');
  });

  it('takes about the same time for an unknown address as for a known one (same bounds as sign-in)', async () => {
    await register(ctx.app, 'timing@example.com', PASSWORD);
    const time = async (email: string) => {
      const start = performance.now();
      const res = await requestReset(email);
      const elapsed = performance.now() - start;
      expect(res.statusCode).toBe(202);
      return elapsed;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 15; i++) {
      known.push(await time('timing@example.com'));
      unknown.push(await time(`nobody-timing${i}@example.com`));
    }
    const ratio = median(unknown) / median(known);
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});

describe('POST /v1/auth/password-reset/confirm', () => {
  it('sets the password once; every token, session and API key of the user is refused afterwards', async () => {
    await register(ctx.app, 'victim@example.com', PASSWORD);
    const token = await login(ctx.app, 'victim@example.com', PASSWORD);
    const session = await ctx.app.inject({ method: 'POST', url: '/v1/auth/session', ...json({ email: 'victim@example.com', password: PASSWORD }) });
    const cookie = session.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
    const key = (await ctx.app.inject({ method: 'POST', url: '/v1/api-keys', headers: { ...bearer(token), 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'agent' }) })).json<{ key: string }>().key;
    expect((await me(bearer(key))).statusCode).toBe(200);
    expect((await me({ cookie: `${SESSION_COOKIE}=${cookie}` })).statusCode).toBe(200);

    const link = await linkFor('victim@example.com');
    const res = await confirm(link);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');

    expectProblem(await me(bearer(token)), 401, '/problems/unauthorized');
    expectProblem(await me({ cookie: `${SESSION_COOKIE}=${cookie}; ${CSRF_COOKIE}=x` }), 401, '/problems/unauthorized');
    expectProblem(await me(bearer(key)), 401, '/problems/unauthorized');
    const [keyRow] = await ctx.app.db.select().from(apiKeys).where(sql`${apiKeys.userId} = (select id from users where email = 'victim@example.com')`);
    expect(keyRow!.revokedAt).not.toBeNull();
    // The time of it too: the original service's tokens (no version) from before are refused.
    const [userRow] = await ctx.app.db.select({ at: users.tokensRevokedAt }).from(users).where(eq(users.email, 'victim@example.com'));
    expect(userRow!.at).toBeInstanceOf(Date);
    // The new password signs in, the old one no longer does.
    expect((await me(bearer(await login(ctx.app, 'victim@example.com', NEW_PASSWORD)))).statusCode).toBe(200);
    const old = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: 'victim@example.com', password: PASSWORD }) });
    expectProblem(old, 401, '/problems/invalid-credentials');

    // The link works once.
    const again = expectProblem(await confirm(link, 'yet another secret'), 400, '/problems/invalid-reset-token');
    expect(again.detail).toMatch(/already used/);
    expect((await me(bearer(await login(ctx.app, 'victim@example.com', NEW_PASSWORD)))).statusCode).toBe(200);
  });

  it('a newer link voids the older one', async () => {
    await register(ctx.app, 'twice@example.com', PASSWORD);
    const older = await linkFor('twice@example.com');
    const newer = await linkFor('twice@example.com');
    expect(newer).not.toBe(older);
    const refused = expectProblem(await confirm(older), 400, '/problems/invalid-reset-token');
    expect(refused.detail).toBe(UNKNOWN_LINK);
    expect((await confirm(newer)).statusCode).toBe(204);
  });

  it('says the same true sentence for a link whose account was deactivated or deleted as for a made-up one', async () => {
    await register(ctx.app, 'gone-reset@example.com', PASSWORD);
    const link = await linkFor('gone-reset@example.com');
    await ctx.app.db.delete(users).where(eq(users.email, 'gone-reset@example.com'));
    expect(expectProblem(await confirm(link), 400, '/problems/invalid-reset-token').detail).toBe(UNKNOWN_LINK);
    expect(expectProblem(await confirm(`rst_${'C'.repeat(43)}`), 400, '/problems/invalid-reset-token').detail).toBe(UNKNOWN_LINK);
  });

  it('refuses an expired link (400) and changes nothing', async () => {
    const { id } = await register(ctx.app, 'late@example.com', PASSWORD);
    const link = await linkFor('late@example.com');
    // An hour and a second later.
    await ctx.app.db.update(passwordResetTokens).set({ expiresAt: sql`now() - interval '1 second'` }).where(eq(passwordResetTokens.userId, id));
    const refused = expectProblem(await confirm(link), 400, '/problems/invalid-reset-token');
    expect(refused.detail).toMatch(/expired/);
    expect((await me(bearer(await login(ctx.app, 'late@example.com', PASSWORD)))).statusCode).toBe(200);
  });

  it('refuses unknown and malformed tokens (400), and a weak new password (422) without using the link', async () => {
    expectProblem(await confirm(`rst_${'A'.repeat(43)}`), 400, '/problems/invalid-reset-token');
    expectProblem(await confirm('not-a-token'), 400, '/problems/invalid-reset-token');
    expectProblem(await ctx.app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', ...json({ token: 'x y' , new_password: NEW_PASSWORD }) }), 422, '/problems/validation');
    await register(ctx.app, 'weak@example.com', PASSWORD);
    const link = await linkFor('weak@example.com');
    expectProblem(await confirm(link, 'short'), 422, '/problems/validation');
    expect((await confirm(link)).statusCode).toBe(204);
  });

  it('of two uses at once, one wins', async () => {
    await register(ctx.app, 'race-reset@example.com', PASSWORD);
    const link = await linkFor('race-reset@example.com');
    const statuses = (await Promise.all([confirm(link, 'first new secret'), confirm(link, 'second new secret')])).map((r) => r.statusCode).sort();
    expect(statuses).toEqual([204, 400]);
  });
});

describe('throttling', () => {
  it('a completed reset lifts the account\'s sign-in lockout on every source, not the per-source limits', async () => {
    const strict = await startApp({ env: { SMTP_URL: smtp.url, THROTTLE_LOGIN_FAILURES: '5', THROTTLE_SOURCE_ATTEMPTS: '1000' } });
    const loginAs = (password: string, remoteAddress: string) =>
      strict.app.inject({ method: 'POST', url: '/v1/auth/login', remoteAddress, ...form({ username: 'locked-out@example.com', password }) });
    try {
      await register(strict.app, 'locked-out@example.com', PASSWORD);
      for (const source of ['198.51.100.1', '198.51.100.2']) {
        for (let i = 0; i < 5; i++) expect((await loginAs('wrong password', source)).statusCode).toBe(401);
        const locked = await loginAs(PASSWORD, source);
        expectProblem(locked, 429, '/problems/throttled');
        expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
      }
      const since = smtp.mails.length;
      expect((await strict.app.inject({ method: 'POST', url: '/v1/auth/password-reset', ...json({ email: 'locked-out@example.com' }) })).statusCode).toBe(202);
      const link = resetTokenOf(await smtp.next('locked-out@example.com', since));
      expect((await strict.app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', ...json({ token: link, new_password: NEW_PASSWORD }) })).statusCode).toBe(204);
      for (const source of ['198.51.100.1', '198.51.100.2']) expect((await loginAs(NEW_PASSWORD, source)).statusCode).toBe(200);
      // Counting starts again from nothing: five more failures lock it again.
      for (let i = 0; i < 5; i++) expect((await loginAs('wrong again', '198.51.100.1')).statusCode).toBe(401);
      expectProblem(await loginAs(NEW_PASSWORD, '198.51.100.1'), 429, '/problems/throttled');
    } finally {
      await strict.close();
    }
    // The per-source limit is not lifted by a reset.
    const tight = await startApp({ env: { SMTP_URL: smtp.url, THROTTLE_LOGIN_FAILURES: '50', THROTTLE_SOURCE_ATTEMPTS: '3' } });
    try {
      await register(tight.app, 'sprayed@example.com', PASSWORD);
      const since = smtp.mails.length;
      expect((await tight.app.inject({ method: 'POST', url: '/v1/auth/password-reset', remoteAddress: '198.51.100.9', ...json({ email: 'sprayed@example.com' }) })).statusCode).toBe(202);
      const link = resetTokenOf(await smtp.next('sprayed@example.com', since));
      expect((await tight.app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', remoteAddress: '198.51.100.9', ...json({ token: link, new_password: NEW_PASSWORD }) })).statusCode).toBe(204);
      const login = (remoteAddress: string) => tight.app.inject({ method: 'POST', url: '/v1/auth/login', remoteAddress, ...form({ username: 'sprayed@example.com', password: NEW_PASSWORD }) });
      expect((await login('198.51.100.9')).statusCode).toBe(200);
      expectProblem(await login('198.51.100.9'), 429, '/problems/throttled');
    } finally {
      await tight.close();
    }
  });

  it('per address (known or not) and per source, with Retry-After', async () => {
    const strict = await startApp({ env: { SMTP_URL: smtp.url, THROTTLE_LOGIN_FAILURES: '2', THROTTLE_SOURCE_ATTEMPTS: '5' } });
    try {
      for (const email of ['a@example.com', 'a@example.com']) expect((await requestReset(email, strict.app)).statusCode).toBe(202);
      const third = expectProblem(await requestReset('A@example.com', strict.app), 429, '/problems/throttled');
      expect(third.detail).toMatch(/password-reset requests for this address/);
      // Another address from the same source still goes through, until the source's own limit.
      expect((await requestReset('b@example.com', strict.app)).statusCode).toBe(202);
      expect((await requestReset('c@example.com', strict.app)).statusCode).toBe(202);
      const res = await requestReset('d@example.com', strict.app);
      expectProblem(res, 429, '/problems/throttled');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      const confirmRes = await strict.app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', ...json({ token: `rst_${'B'.repeat(43)}`, new_password: NEW_PASSWORD }) });
      expectProblem(confirmRes, 429, '/problems/throttled');
    } finally {
      await strict.close();
    }
  });
});

describe('without SMTP_URL', () => {
  it('in production: no mail is sent or logged, and the request says so (503)', async () => {
    const prod = await startApp({ env: { NODE_ENV: 'production' }, captureLogs: true });
    try {
      await register(prod.app, 'prod@example.com', PASSWORD);
      expectProblem(await requestReset('prod@example.com', prod.app), 503, '/problems/unavailable');
      expect(prod.logs.join('')).not.toContain('reset-password#token=');
      expect(prod.logs.join('')).toContain('SMTP_URL is unset in production');
      // Expected here, and said at start: one warning per request, no error with a stack.
      const lines = prod.logs.flatMap((chunk) => chunk.split('\n')).filter(Boolean).map((line) => JSON.parse(line) as { level: number; msg: string });
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);
      expect(lines.filter((line) => line.msg === 'request refused: not configured on this server')).toEqual([expect.objectContaining({ level: 40 })]);
    } finally {
      await prod.close();
    }
  });
});
