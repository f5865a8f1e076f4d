import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
