import { routes } from '@agentcaller/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestContext } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startApp();
});
afterAll(() => ctx.close());

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown }>>;
}

describe('service endpoints', () => {
  it('GET /health is 200 {"status":"ok"}', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /ready is 200 while the database answers', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', database: 'ok', redis: 'not configured' });
  });

  it('GET /openapi.json lists every auth route with every status it can return', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<OpenApi>();
    expect(doc.openapi).toMatch(/^3\./);
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path]?.[method]?.responses ?? {}).sort();
    expect(statuses('/v1/auth/register', 'post')).toEqual(['201', '400', '408', '409', '413', '422', '429', '431', '500', '503']);
    expect(statuses('/v1/auth/login', 'post')).toEqual(['200', '400', '401', '403', '408', '413', '422', '429', '431', '500', '503']);
    // Open to API keys: a key's requests beyond its window are 429.
    expect(statuses('/v1/auth/me', 'get')).toEqual(['200', '400', '401', '403', '408', '429', '431', '500', '503']);
    // A write without a body still reads (and drops) a stray one under the body limit; a signed-in
    // write is 429 when its account has too many at once.
    expect(statuses('/v1/auth/logout', 'post')).toEqual(['204', '400', '401', '403', '408', '413', '429', '431', '500', '503']);
    expect(statuses('/ready', 'get')).toEqual(['200', '400', '408', '431', '500', '503']);
    expect(doc.paths['/v1/auth/me']?.get?.security).toEqual([{ OAuth2PasswordBearer: [] }, { bearerAuth: [] }, { sessionCookie: [] }]);
    // An account route: no API keys (bearerAuth), which get 403 there.
    expect(doc.paths['/v1/auth/session']?.delete?.security).toEqual([{ OAuth2PasswordBearer: [] }, { sessionCookie: [], csrfHeader: [] }]);
    expect(doc.paths['/v1/calls']?.post?.security).toEqual([{ OAuth2PasswordBearer: [] }, { bearerAuth: [] }, { sessionCookie: [], csrfHeader: [] }]);
    expect(doc.paths['/v1/auth/login']?.post?.security).toEqual([]);
    const login = doc.paths['/v1/auth/login']?.post as unknown as { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(login.requestBody.content)).toEqual(['application/x-www-form-urlencoded', 'multipart/form-data']);
  });

  it('GET /openapi.json has every route of the contracts with its success and error statuses', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApi>();
    for (const [name, route] of Object.entries(routes)) {
      const path = route.path.replace(/:([a-z_]+)/g, '{$1}');
      const operation = doc.paths[path]?.[route.method.toLowerCase()];
      expect(operation, name).not.toBeUndefined();
      const statuses = Object.keys(operation?.responses ?? {});
      expect(statuses, name).toContain(String(route.status));
      // Any request can be unreadable, too slow or have too large headers.
      expect(statuses, name).toEqual(expect.arrayContaining(['400', '408', '431']));
      if (route.auth) expect(statuses, name).toEqual(expect.arrayContaining(['401', '403']));
      if ((route.auth && route.method !== 'GET') || ('apiKey' in route && route.apiKey)) expect(statuses, name).toContain('429');
      if ('body' in route) expect(statuses, name).toEqual(expect.arrayContaining(['400', '413', '422']));
      if ('params' in route) expect(statuses, name).toEqual(expect.arrayContaining(['404', '422']));
      if ('query' in route) expect(statuses, name).toContain('422');
    }
    expect(Object.keys(doc.paths['/v1/appointments']?.post?.responses ?? {}).sort()).toEqual(['201', '400', '401', '403', '404', '408', '409', '413', '422', '429', '431', '500', '503']);
  });

  it('GET /docs serves the interactive documentation', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('swagger');
  });

  it('an unknown route is a 404 problem', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/v1/nothing-here?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toEqual({ type: '/problems/not-found', title: 'Not Found', status: 404, detail: 'No route GET /v1/nothing-here' });
  });

  it('a known path with another method is a 405 problem with Allow (as FastAPI answered)', async () => {
    const res = await ctx.app.inject({ method: 'DELETE', url: '/v1/auth/me' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(res.json()).toMatchObject({ type: '/problems/method-not-allowed', status: 405, detail: 'Method DELETE is not allowed on /v1/auth/me' });
    const trailing = await ctx.app.inject({ method: 'GET', url: '/v1/auth/login/' });
    expect(trailing.statusCode).toBe(405);
    expect(trailing.headers.allow).toBe('POST');
  });

  it('an unknown path is still 404, whatever the method', async () => {
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await ctx.app.inject({ method, url: '/v1/nothing-here' });
      expect(res.statusCode).toBe(404);
      expect(res.headers.allow).toBeUndefined();
    }
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/clients/1/extra' })).statusCode).toBe(404);
  });
});

describe('when the database stops answering', () => {
  it('GET /ready is 503 and /health still 200', async () => {
    const own = await startApp();
    try {
      await own.app.database.close();
      const ready = await own.app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(ready.json()).toMatchObject({ status: 503, detail: 'The database does not answer' });
      expect((await own.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await own.app.close().catch(() => {});
      await own.database.drop();
    }
  });

  // A closed database is one that does not answer: 503 `unavailable` (README), on either driver
  // (round 14: connections lost under load answered 500). Any other failing query stays a 500
  // (deleted-meanwhile.test.ts, request-logger.test.ts).
  it('a query on a closed database is a 503 problem that leaks nothing', async () => {
    const own = await startApp({ captureLogs: true });
    try {
      await own.app.database.close();
      const res = await own.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: 'late@example.com', password: 'a secret password' }),
      });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      const body = res.json<{ request_id: string }>();
      expect(body).toEqual({ type: '/problems/unavailable', title: 'Service Unavailable', status: 503, detail: 'The database does not answer; try again shortly', request_id: expect.any(String) as unknown });
      const logs = own.logs.join('');
      // The line of that failure carries the id the answer gave.
      expect(logs).toContain(`"reqId":"${body.request_id}"`);
      // An operational state, not a fault of ours: one warning with the reason (round 16).
      expect(logs).toContain('"msg":"request refused: database unavailable"');
      expect(logs).toMatch(/"reason":"the (embedded database is closed|connection was ended)"/);
      expect(logs).not.toContain('a secret password');
      expect(logs).not.toContain('$argon2');
    } finally {
      await own.app.close().catch(() => {});
      await own.database.drop();
    }
  });
});
