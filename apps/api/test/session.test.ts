import { users } from '@agentcaller/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, form, json, login, register, startApp, type TestContext } from './helpers.js';

let ctx: TestContext;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  ctx = await startApp();
  await register(ctx.app, 'web@example.com', PASSWORD);
});
afterAll(() => ctx.close());

interface Signed {
  cookie: string;
  csrf: string;
  setCookies: string[];
  body: { user: { id: number; email: string }; csrf_token: string; expires_at: string };
}

async function signIn(email = 'web@example.com', password = PASSWORD): Promise<Signed> {
  const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/session', ...json({ email, password }) });
  expect(res.statusCode).toBe(200);
  const setCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const session = /ac_session=([^;]+)/.exec(setCookies.join('\n'))?.[1];
  const csrf = /ac_csrf=([^;]+)/.exec(setCookies.join('\n'))?.[1];
  if (!session || !csrf) throw new Error('no session cookies');
  return { cookie: `ac_session=${session}; ac_csrf=${csrf}`, csrf, setCookies, body: res.json() };
}

const createClient = (headers: Record<string, string>) =>
  ctx.app.inject({
    method: 'POST',
    url: '/v1/clients',
    headers: { ...headers, 'content-type': 'application/json' },
    payload: JSON.stringify({ name: 'Ann', phone: '+14155550123' }),
  });

describe('browser sessions (HttpOnly cookie + CSRF)', () => {
  it('sign-in sets an HttpOnly SameSite=Strict session cookie and a readable CSRF cookie, and no token in the body', async () => {
    const { setCookies, body, csrf } = await signIn();
    const session = setCookies.find((c) => c.startsWith('ac_session='))!;
    const csrfCookie = setCookies.find((c) => c.startsWith('ac_csrf='))!;
    expect(session).toMatch(/; HttpOnly/);
    expect(session).toMatch(/; SameSite=Strict/);
    expect(session).toMatch(/; Path=\//);
    expect(session).toMatch(/; Max-Age=3600/);
    expect(session).not.toMatch(/; Secure/);
    expect(csrfCookie).not.toMatch(/HttpOnly/);
    expect(csrfCookie).toMatch(/; SameSite=Strict/);
    expect(Object.keys(body)).toEqual(['user', 'csrf_token', 'expires_at']);
    expect(body.user.email).toBe('web@example.com');
    expect(body.csrf_token).toBe(csrf);
    expect(JSON.stringify(body)).not.toContain(/ac_session=([^;]+)/.exec(session)![1]!);
    expect(Math.abs(Date.parse(body.expires_at) - Date.now() - 3600_000)).toBeLessThan(10_000);
  });

  it('the cookie alone authenticates reads', async () => {
    const { cookie } = await signIn();
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email: 'web@example.com' });
  });

  it('a write with the cookie needs the CSRF header of that very session', async () => {
    const mine = await signIn();
    const other = await signIn();
    const before = await ctx.app.db.query.clients.findMany();
    for (const headers of <Record<string, string>[]>[
      { cookie: mine.cookie },
      { cookie: mine.cookie, 'x-csrf-token': 'forged' },
      { cookie: mine.cookie, 'x-csrf-token': other.csrf },
      { cookie: mine.cookie, 'x-csrf-token': '' },
    ]) {
      const res = await createClient(headers);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ type: '/problems/csrf-rejected', status: 403, detail: 'Missing or invalid CSRF token' });
    }
    expect(await ctx.app.db.query.clients.findMany()).toHaveLength(before.length);
    const ok = await createClient({ cookie: mine.cookie, 'x-csrf-token': mine.csrf });
    expect(ok.statusCode).toBe(201);
  });

  it('bearer tokens need no CSRF header (programs are not browsers)', async () => {
    const token = await login(ctx.app, 'web@example.com', PASSWORD);
    expect((await createClient(bearer(token))).statusCode).toBe(201);
  });

  it('a tampered session cookie is 401', async () => {
    const { cookie } = await signIn();
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie: cookie.replace(/ac_session=[^;]+?(.{4});/, 'ac_session=x.y.z;') } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('sign-out needs the CSRF header, then clears both cookies', async () => {
    const { cookie, csrf } = await signIn();
    expect((await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: { cookie } })).statusCode).toBe(403);
    const res = await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/session', headers: { cookie, 'x-csrf-token': csrf } });
    expect(res.statusCode).toBe(204);
    const cleared = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    expect(cleared.find((c) => c.startsWith('ac_session=;'))).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);
    expect(cleared.find((c) => c.startsWith('ac_csrf=;'))).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);
  });

  it('refuses wrong credentials like the login, and an inactive account with 403', async () => {
    const wrong = await ctx.app.inject({ method: 'POST', url: '/v1/auth/session', ...json({ email: 'web@example.com', password: 'nope nope' }) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ detail: 'Incorrect email or password' });
    expect(wrong.headers['set-cookie']).toBeUndefined();
    await register(ctx.app, 'off@example.com', PASSWORD);
    await ctx.app.db.update(users).set({ isActive: false }).where(eq(users.email, 'off@example.com'));
    const off = await ctx.app.inject({ method: 'POST', url: '/v1/auth/session', ...json({ email: 'off@example.com', password: PASSWORD }) });
    expect(off.statusCode).toBe(403);
  });

  it('refuses bad bodies: missing password 422, a form 400', async () => {
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/session', ...json({ email: 'web@example.com' }) })).statusCode).toBe(422);
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/session', ...form({ email: 'web@example.com', password: PASSWORD }) })).statusCode).toBe(400);
  });

  it('marks the cookies Secure in production', async () => {
    const prod = await startApp({ env: { NODE_ENV: 'production' } });
    try {
      await register(prod.app, 'prod@example.com', PASSWORD);
      const res = await prod.app.inject({ method: 'POST', url: '/v1/auth/session', ...json({ email: 'prod@example.com', password: PASSWORD }) });
      for (const cookie of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) expect(cookie).toMatch(/; Secure/);
    } finally {
      await prod.close();
    }
  });
});

describe('POST /v1/auth/logout-all (sign out everywhere)', () => {
  it('refuses every token and browser session of the user from then on, and clears the cookies; others are untouched', async () => {
    await register(ctx.app, 'everywhere@example.com', PASSWORD);
    await register(ctx.app, 'bystander@example.com', PASSWORD);
    const first = await login(ctx.app, 'everywhere@example.com', PASSWORD);
    const second = await login(ctx.app, 'everywhere@example.com', PASSWORD);
    const browser = await signIn('everywhere@example.com');
    const other = await login(ctx.app, 'bystander@example.com', PASSWORD);
    const me = (headers: Record<string, string>) => ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers });
    for (const headers of [bearer(first), bearer(second), { cookie: browser.cookie }]) expect((await me(headers)).statusCode).toBe(200);

    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout-all', headers: bearer(second) });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const cleared = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    expect(cleared.some((c) => /^ac_session=;/.test(c))).toBe(true);

    for (const headers of [bearer(first), bearer(second), { cookie: browser.cookie }]) {
      const refused = await me(headers);
      expect(refused.statusCode).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer');
    }
    expect((await me(bearer(other))).statusCode).toBe(200);
    // Signing in again works, with a token that is accepted.
    expect((await me(bearer(await login(ctx.app, 'everywhere@example.com', PASSWORD)))).statusCode).toBe(200);
  });

  it('from a browser session it needs the CSRF header, like every write', async () => {
    const browser = await signIn('everywhere@example.com');
    const refused = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout-all', headers: { cookie: browser.cookie } });
    expect(refused.statusCode).toBe(403);
    const done = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout-all', headers: { cookie: browser.cookie, 'x-csrf-token': browser.csrf } });
    expect(done.statusCode).toBe(204);
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { cookie: browser.cookie } })).statusCode).toBe(401);
  });

  it('without credentials is 401', async () => {
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout-all' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });
});
