import { users } from '@agentcaller/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type RouteDef } from '@agentcaller/contracts';
import { bearer, json, login, register, startApp, type TestContext } from './helpers.js';

let ctx: TestContext;

beforeAll(async () => {
  ctx = await startApp();
});
afterAll(() => ctx.close());

// A stranger's request is refused before its body or query is looked at: no schema leaks to
// someone without credentials (issue 10, item 8).
describe('authentication runs before validation', () => {
  const cases = [
    { method: 'POST' as const, url: '/v1/clients', ...json({ name: 12, phone: [] }) },
    { method: 'PATCH' as const, url: '/v1/clients/1', ...json({ phone: { x: 1 } }) },
    { method: 'GET' as const, url: '/v1/clients?limit=abc&offset=-4' },
    { method: 'GET' as const, url: '/v1/clients/not-a-number' },
    { method: 'POST' as const, url: '/v1/appointments', ...json({ client_id: 'x' }) },
    { method: 'GET' as const, url: '/v1/appointments?from=yesterday' },
    { method: 'GET' as const, url: '/v1/availability?duration_minutes=-1' },
    { method: 'PUT' as const, url: '/v1/auth/me/password', ...json({ new_password: 1 }) },
  ];

  it.each(cases)('$method $url without credentials is 401, not 422', async (request) => {
    const res = await ctx.app.inject(request);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).not.toHaveProperty('errors');
  });

  it.each(cases)('$method $url with a bad token is 401 too', async (request) => {
    const headers = 'headers' in request ? request.headers : {};
    const res = await ctx.app.inject({ ...request, headers: { ...headers, ...bearer('a.b.c') } });
    expect(res.statusCode).toBe(401);
  });

  it('a signed-in caller still gets the 422 with its errors', async () => {
    await register(ctx.app, 'first@example.com');
    const token = await login(ctx.app, 'first@example.com');
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/clients?limit=abc', headers: bearer(token) });
    expect(res.statusCode).toBe(422);
    expect(res.json<{ errors: unknown[] }>().errors.length).toBeGreaterThan(0);
  });
});

// Authentication runs in `onRequest`, before the body is read: a stranger's unreadable body is 401
// on every authenticated route that takes one (from the route table), and the cookie rules hold.
describe('authentication runs before the body is read', () => {
  const withBody = (Object.entries(routes) as [string, RouteDef][]).filter(([, def]) => def.auth && def.body);
  const url = (path: string) => path.replace(/:[a-z_]+/g, '1');
  const malformed = [
    { 'content-type': 'application/json', payload: '{"broken": ' },
    { 'content-type': 'text/plain', payload: 'hello' },
  ];

  it('covers every authenticated route with a body', () => {
    expect(withBody.map(([name]) => name).sort()).toEqual(['changePassword', 'createApiKey', 'createAppointment', 'createCall', 'createClient', 'putSchedule', 'updateAdminUser', 'updateAppointment', 'updateClient']);
  });

  it.each(withBody)('%s: an unreadable body without credentials, or with a bad token, is 401 with WWW-Authenticate: Bearer', async (_name, def) => {
    for (const { payload, ...headers } of malformed) {
      for (const credentials of [{}, bearer('a.b.c'), bearer(`ac_${'x'.repeat(43)}`), { cookie: 'ac_session=a.b.c' }]) {
        const res = await ctx.app.inject({ method: def.method, url: url(def.path), headers: { ...headers, ...credentials }, payload });
        expect(res.statusCode, `${headers['content-type']} ${JSON.stringify(credentials)}`).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        expect(res.json()).toMatchObject({ type: '/problems/unauthorized', status: 401 });
      }
    }
  });

  it('a signed-in caller with an unreadable body gets the 400; a cookie session without its CSRF header gets the 403 first', async () => {
    await register(ctx.app, 'body@example.com');
    // An administrator, so the admin route reads the body too (anyone else stops at 403 admin-required first).
    await ctx.app.db.update(users).set({ isSuperuser: true }).where(eq(users.email, 'body@example.com'));
    const token = await login(ctx.app, 'body@example.com');
    const session = await ctx.app.inject({ method: 'POST', url: '/v1/auth/session', ...json({ email: 'body@example.com', password: 'correct horse battery' }) });
    const cookies = ([] as string[]).concat(session.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!);
    const csrf = session.json<{ csrf_token: string }>().csrf_token;
    const broken = { 'content-type': 'application/json' };
    for (const [, def] of withBody) {
      const send = (headers: Record<string, string>) => ctx.app.inject({ method: def.method, url: url(def.path), headers: { ...broken, ...headers }, payload: '{"broken": ' });
      expect((await send(bearer(token))).statusCode, def.path).toBe(400);
      const noCsrf = await send({ cookie: cookies.join('; ') });
      expect(noCsrf.statusCode, def.path).toBe(403);
      expect(noCsrf.json()).toMatchObject({ type: '/problems/csrf-rejected' });
      expect((await send({ cookie: cookies.join('; '), 'x-csrf-token': csrf })).statusCode, def.path).toBe(400);
    }
  });
});
