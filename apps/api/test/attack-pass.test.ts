// The own attack pass of issue 10 (SECURITY.md, "Attack pass"): each class tried with many inputs;
// what must hold is asserted, so a regression fails here.
import { users } from '@agentcaller/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEmail } from '../src/lib/email.js';
import { bearer, form, login, register, startApp, type TestContext } from './helpers.js';

let ctx: TestContext;
let token: string;
let auth: { authorization: string };
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  ctx = await startApp();
  await register(ctx.app, 'victim@example.com', PASSWORD);
  token = await login(ctx.app, 'victim@example.com', PASSWORD);
  auth = bearer(token);
});
afterAll(() => ctx.close());

const send = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, body?: unknown, headers: Record<string, string> = auth) =>
  ctx.app.inject({ method, url, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

describe('canonical forms', () => {
  it('ids: every spelling of a path id is the id itself or 422, never another row and never 500', async () => {
    const { id } = (await send('POST', '/v1/clients', { name: 'Ann', phone: '+14155550123' })).json<{ id: number }>();
    const spellings = [`0${id}`, `${id}.0`, `+${id}`, ` ${id}`, `${id} `, `0x${id.toString(16)}`, `${id}e0`, '-1', '0', '2147483648', '99999999999999999999', '١', `${id}%00`, `${id}/`, `%2B${id}`, 'NaN', 'Infinity', '1_0'];
    const outcomes = new Map<string, number>();
    for (const spelling of spellings) {
      const res = await send('GET', `/v1/clients/${spelling}`);
      outcomes.set(spelling, res.statusCode);
      expect(res.statusCode, spelling).toBeLessThan(500);
      if (res.statusCode === 200) expect(res.json<{ id: number }>().id).toBe(id);
      else expect([404, 422]).toContain(res.statusCode);
    }
  });

  it('emails: every spelling is the one account (one lock), another account, or no account', async () => {
    // An İ is i in lower case to the database (round 15), and IDNA drops a zero-width space from a
    // domain: spellings of the one address.
    const same = ['VICTIM@example.com', ' victim@EXAMPLE.com ', 'Victim@Example.Com', 'vict\u0130m@example.com', 'victim@example.com\u200b'];
    const other = ['victim@example.com.', 'v\u0131ctim@example.com', 'victim\uff20example.com', 'victim@ex\u0430mple.com', 'victim@example.com\u0000'];
    // Addresses beyond ASCII are addresses (the original's EmailStr took them): a dotless ı, or a
    // Cyrillic а in the domain, names another mailbox, so another account, never the victim's.
    const distinct = ['v\u0131ctim@example.com', 'victim@ex\u0430mple.com'];
    for (const username of same) {
      expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username, password: PASSWORD }) })).statusCode, username).toBe(200);
    }
    for (const username of other) {
      const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username, password: PASSWORD }) });
      expect([401, 422], JSON.stringify(username)).toContain(res.statusCode);
    }
    const victim = (await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: auth })).json<{ id: number; email: string }>();
    for (const email of [...same, ...other]) {
      const res = await send('POST', '/v1/auth/register', { email, password: PASSWORD }, {});
      if (distinct.includes(email)) {
        expect(res.statusCode, JSON.stringify(email)).toBe(201);
        const made = res.json<{ id: number; email: string }>();
        expect(made.id).not.toBe(victim.id);
        expect(made.email).toBe(canonicalEmail(email));
      } else {
        expect([409, 422], JSON.stringify(email)).toContain(res.statusCode);
      }
    }
    // The victim's account is as it was, and still signs in.
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: auth })).json()).toMatchObject(victim);
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: 'victim@example.com', password: PASSWORD }) })).statusCode).toBe(200);
  });

  it('phones: every spelling of one number is stored as one E.164 string, or refused', async () => {
    const spellings = ['+1 415 555 0124', '(415) 555-0124', '415.555.0124', '+1-415-555-0124', '1 415 555 0124', '\uff14\uff11\uff15\uff15\uff15\uff15\uff10\uff11\uff12\uff14', '+1 (415) 555-0124 ext. 9', '+1\u00a0415\u00a0555\u00a00124'];
    const stored = new Set<string>();
    for (const phone of spellings) {
      const res = await send('POST', '/v1/clients', { name: 'Phone', phone });
      expect([201, 422], phone).toContain(res.statusCode);
      if (res.statusCode === 201) stored.add(res.json<{ phone: string }>().phone);
    }
    expect([...stored]).toEqual(['+14155550124']);
  });

  it('tokens: no altered spelling of a token authenticates, in the header or the cookie', async () => {
    const [head, body, sig] = token.split('.') as [string, string, string];
    const variants = [
      `${token}=`,
      `${head}.${body}.${sig.replace(/-/g, '+').replace(/_/g, '/')}`,
      `${head}=.${body}.${sig}`,
      `${head}.${body}=.${sig}`,
      ` ${token}`,
      `${head}.${body}`,
      `${head}.${body}.`,
      `${head.toLowerCase()}.${body}.${sig}`,
    ];
    const me = await send('GET', '/v1/auth/me');
    expect(me.statusCode).toBe(200);
    const logout = await send('POST', '/v1/auth/logout');
    expect(logout.statusCode).toBe(204);
    for (const variant of [token, ...variants]) {
      expect((await send('GET', '/v1/auth/me', undefined, { authorization: `Bearer ${variant}` })).statusCode, variant).toBe(401);
      expect((await send('GET', '/v1/auth/me', undefined, { cookie: `ac_session=${encodeURIComponent(variant)}` })).statusCode, variant).toBe(401);
    }
    token = await login(ctx.app, 'victim@example.com', PASSWORD);
    auth = bearer(token);
  });
});

describe('races on one row', () => {
  it('20 registrations of one address at once: one 201, the rest 409', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => send('POST', '/v1/auth/register', { email: i % 2 ? 'RACE@example.com' : 'race@example.com', password: PASSWORD }, {})));
    const statuses = results.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
  });

  it('10 logouts of one token at once: no 500, and the token is over', async () => {
    const t = await login(ctx.app, 'race@example.com', PASSWORD);
    const results = await Promise.all(Array.from({ length: 10 }, () => send('POST', '/v1/auth/logout', undefined, bearer(t))));
    expect(results.every((r) => r.statusCode === 204 || r.statusCode === 401)).toBe(true);
    expect((await send('GET', '/v1/auth/me', undefined, bearer(t))).statusCode).toBe(401);
  });

  it('PATCH and DELETE of one appointment at once: no 500', async () => {
    const client = (await send('POST', '/v1/clients', { name: 'Race', phone: '+14155550125' })).json<{ id: number }>();
    for (let round = 0; round < 10; round++) {
      const at = Date.UTC(2032, 0, 1, round);
      const { id } = (await send('POST', '/v1/appointments', { client_id: client.id, starts_at: new Date(at).toISOString(), ends_at: new Date(at + 1800_000).toISOString() })).json<{ id: number }>();
      const [patch, del] = await Promise.all([send('PATCH', `/v1/appointments/${id}`, { notes: 'x' }), send('DELETE', `/v1/appointments/${id}`)]);
      expect([200, 404]).toContain(patch.statusCode);
      expect(del.statusCode).toBe(204);
    }
  });

  it('two password changes with the same current password at once: one 204, one 422, and the winner signs in', async () => {
    await register(ctx.app, 'twice@example.com', PASSWORD);
    const t = bearer(await login(ctx.app, 'twice@example.com', PASSWORD));
    const [a, b] = await Promise.all(
      ['first new password', 'second new password'].map((next) => send('PUT', '/v1/auth/me/password', { current_password: PASSWORD, new_password: next }, t)),
    );
    expect([a!.statusCode, b!.statusCode].sort()).toEqual([204, 422]);
    const winner = a!.statusCode === 204 ? 'first new password' : 'second new password';
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: 'twice@example.com', password: winner }) })).statusCode).toBe(200);
  });

  it('a legacy sign-in racing a password change does not put the old password back', async () => {
    const bcrypt = (await import('bcrypt')).default;
    const legacy = bcrypt.hashSync(PASSWORD, 10);
    const undone: number[] = [];
    for (let round = 0; round < 8; round++) {
      const email = `rehash${round}@example.com`;
      await ctx.app.db.insert(users).values({ email, hashedPassword: legacy });
      const t = bearer(await login(ctx.app, email, PASSWORD));
      await ctx.app.db.update(users).set({ hashedPassword: legacy }).where(eq(users.email, email));
      const [change] = await Promise.all([
        send('PUT', '/v1/auth/me/password', { current_password: PASSWORD, new_password: 'the new password' }, t),
        ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: email, password: PASSWORD }) }),
      ]);
      const next = change.statusCode === 204 ? 'the new password' : PASSWORD;
      if ((await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: email, password: next }) })).statusCode !== 200) undone.push(round);
    }
    expect(undone).toEqual([]);
  });
});

describe('bounds on response size', () => {
  it('the largest page is bounded: 100 items of 10,000-character notes stay near 1 MB', async () => {
    const { id } = (await send('POST', '/v1/clients', { name: 'Big', phone: '+14155550126' })).json<{ id: number }>();
    const [user] = await ctx.app.db.select().from(users).where(eq(users.email, 'victim@example.com'));
    expect(user).toBeTruthy();
    for (let i = 0; i < 100; i++) {
      const at = Date.UTC(2033, 0, 1) + i * 3600_000;
      await send('POST', '/v1/appointments', { client_id: id, starts_at: new Date(at).toISOString(), ends_at: new Date(at + 1800_000).toISOString(), notes: 'n'.repeat(10_000) });
    }
    const res = await send('GET', '/v1/appointments?limit=1000');
    expect(res.statusCode).toBe(422);
    const page = await send('GET', '/v1/appointments?limit=100&from=2033-01-01T00:00:00Z');
    expect(page.statusCode).toBe(200);
    expect(page.body.length).toBeLessThan(1.1 * 1024 * 1024);
  });
});
