/**
 * What arrives on the wire besides a well-formed request (issue 11, black-box findings): bodies and
 * content types on routes that take none, malformed requests, and every such error as a problem.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, json, login, register, startApp, type TestContext } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startApp();
});
afterAll(() => ctx.close());

interface Operation {
  responses: Record<string, unknown>;
}

async function documented(path: string, method: string): Promise<string[]> {
  const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, Operation>> }>();
  return Object.keys(doc.paths[path]![method]!.responses);
}

describe('routes without a body ignore the body and content type that come (FastAPI 0.92 did)', () => {
  it('logout, logout-all, sign-out, DELETE and cancel answer as without a body', async () => {
    await register(ctx.app, 'stray@example.com');
    const strays = [
      { headers: { 'content-type': 'application/json' } },
      { headers: { 'content-type': 'application/json' }, payload: '{bad' },
      { headers: { 'content-type': 'text/plain' }, payload: 'hello' },
      { headers: { 'content-type': 'not a media type' }, payload: 'x' },
      { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '{bad' },
      { headers: {}, payload: '{bad' },
    ];
    for (const stray of strays) {
      const token = await login(ctx.app, 'stray@example.com');
      const auth = bearer(token);
      const client = await ctx.app.inject({ method: 'POST', url: '/v1/clients', headers: auth, payload: { name: 'Ann', phone: '+14155550123' } });
      expect(client.statusCode).toBe(201);
      const id = client.json<{ id: number }>().id;
      const start = new Date(Date.now() + 86_400_000 * (10 + strays.indexOf(stray)));
      const appointment = await ctx.app.inject({
        method: 'POST',
        url: '/v1/appointments',
        headers: { ...auth, ...json({}).headers },
        payload: JSON.stringify({ client_id: id, starts_at: start.toISOString(), ends_at: new Date(start.getTime() + 1_800_000).toISOString() }),
      });
      expect(appointment.statusCode, appointment.body).toBe(201);
      const appointmentId = appointment.json<{ id: number }>().id;
      const calls = [
        { method: 'POST', url: `/v1/appointments/${appointmentId}/cancel`, status: 200 },
        { method: 'DELETE', url: `/v1/appointments/${appointmentId}`, status: 204 },
        { method: 'DELETE', url: `/v1/clients/${id}`, status: 204 },
        { method: 'GET', url: '/v1/auth/me', status: 200 },
        { method: 'DELETE', url: '/v1/auth/session', status: 204 },
      ] as const;
      for (const call of calls) {
        const res = await ctx.app.inject({ method: call.method, url: call.url, headers: { ...auth, ...stray.headers }, ...(stray.payload ? { payload: stray.payload } : {}) });
        expect(res.statusCode, `${call.method} ${call.url} ${JSON.stringify(stray)}: ${res.body}`).toBe(call.status);
      }
      for (const url of ['/v1/auth/logout-all', '/v1/auth/logout']) {
        const fresh = bearer(await login(ctx.app, 'stray@example.com'));
        const res = await ctx.app.inject({ method: 'POST', url, headers: { ...fresh, ...stray.headers }, ...(stray.payload ? { payload: stray.payload } : {}) });
        expect(res.statusCode, `POST ${url} ${JSON.stringify(stray)}: ${res.body}`).toBe(204);
      }
    }
  });

  it('still bounds the dropped body (413), and the document says so', async () => {
    await register(ctx.app, 'big@example.com');
    const auth = bearer(await login(ctx.app, 'big@example.com'));
    const res = await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { ...auth, 'content-type': 'application/json' }, payload: 'x'.repeat(1024 * 1024 + 1) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ type: '/problems/payload-too-large' });
    expect(await documented('/v1/auth/logout', 'post')).toEqual(expect.arrayContaining(['408', '413']));
    expect(await documented('/v1/clients/{id}', 'delete')).toEqual(expect.arrayContaining(['408', '413']));
    // The token was not ended by the refused request.
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: auth })).statusCode).toBe(200);
  });
});
