import { PUBLIC_BODY_LIMIT_BYTES, routes, type RouteDef } from '@agentcaller/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, expectSecurityHeaders, form, json, login, PAGE_HEADERS, register, startApp, type TestContext } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startApp({ env: { CORS_ORIGINS: 'http://localhost:3002,https://app.example.com' } });
});
afterAll(() => ctx.close());

describe('security headers', () => {
  it('are set on API answers', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/health' });
    expectSecurityHeaders(res.headers);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  // Round 13: the API's answers carry OWASP's set for a REST API; a document's headers (helmet's
  // defaults) go on the pages the API serves as HTML, with their own policy, and on nothing else
  // under /docs (the break test found them on /docs/json, and none on oauth2-redirect.html).
  it("are a document's on the HTML /docs serves, and the API's on everything else", async () => {
    for (const url of ['/docs/', '/docs/static/oauth2-redirect.html']) {
      const page = await ctx.app.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(200);
      expect(String(page.headers['content-type']), url).toMatch(/^text\/html/);
      const wrong = Object.entries(PAGE_HEADERS).filter(([name, value]) => page.headers[name] !== value);
      expect(wrong.map(([name]) => name), url).toEqual([]);
      expect(String(page.headers['content-security-policy']), url).toContain("default-src 'self'");
    }
    for (const url of ['/openapi.json', '/docs/json', '/docs/yaml', '/docs/static/swagger-initializer.js', '/docs/static/nope.js', '/health', '/v1/auth/me']) {
      expectSecurityHeaders((await ctx.app.inject({ method: 'GET', url })).headers, url);
    }
  });

  it("are set on every problem, Fastify's own errors included, and on a CORS preflight", async () => {
    await register(ctx.app, 'headers@example.com', 'correct horse battery');
    const token = await login(ctx.app, 'headers@example.com', 'correct horse battery');
    const big = json({ email: 'x'.repeat(1024 * 1024), password: 'x' });
    const requests = [
      [404, { method: 'GET', url: '/nope' }],
      [405, { method: 'PUT', url: '/health' }],
      [401, { method: 'GET', url: '/v1/auth/me' }],
      [400, { method: 'POST', url: '/v1/auth/register', headers: { 'content-type': 'application/json' }, payload: '{' }],
      [400, { method: 'POST', url: '/v1/auth/register', headers: { 'content-type': 'text/plain' }, payload: 'hello' }],
      [400, { method: 'GET', url: '/v1/clients/%', headers: bearer(token) }],
      [413, { method: 'POST', url: '/v1/auth/register', ...big }],
      [422, { method: 'POST', url: '/v1/auth/register', ...json({ email: 'nope', password: 'x' }) }],
      [204, { method: 'OPTIONS', url: '/v1/clients', headers: { origin: 'http://localhost:3002', 'access-control-request-method': 'POST' } }],
    ] as const;
    for (const [status, request] of requests) {
      const res = await ctx.app.inject(request);
      const what = `${request.method} ${request.url}`;
      expect(res.statusCode, what).toBe(status);
      expectSecurityHeaders(res.headers, what);
      // A refusal is about this request now: no cache keeps it (round 11's break test).
      if (status >= 400) expect(res.headers['cache-control'], what).toBe('no-store');
    }
  });
});

describe('HSTS in production', () => {
  it('is sent only on answers that came over HTTPS, so /docs works over plain HTTP', async () => {
    const production = await startApp({ env: { NODE_ENV: 'production', TRUST_PROXY: '127.0.0.1' } });
    try {
      const plain = await production.app.inject({ method: 'GET', url: '/docs/', headers: { host: 'api.intranet' } });
      expect(plain.statusCode).toBe(200);
      expect(plain.headers['strict-transport-security']).toBeUndefined();
      expect(plain.headers['x-frame-options']).toBe(PAGE_HEADERS['x-frame-options']);
      expect(String(plain.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');
      const secure = await production.app.inject({ method: 'GET', url: '/health', headers: { 'x-forwarded-proto': 'https' } });
      expect(secure.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expectSecurityHeaders(secure.headers, 'over HTTPS');
      const secureProblem = await production.app.inject({ method: 'GET', url: '/nope', headers: { 'x-forwarded-proto': 'https' } });
      expect(secureProblem.statusCode).toBe(404);
      expect(secureProblem.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await production.close();
    }
  });
});

describe('CORS allow-list from CORS_ORIGINS', () => {
  it('allows a listed origin, with credentials', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://app.example.com' } });
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  });

  it('answers a preflight for a listed origin', async () => {
    const res = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/v1/clients',
      headers: { origin: 'http://localhost:3002', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-csrf-token' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3002');
    expect(String(res.headers['access-control-allow-headers'])).toContain('x-csrf-token');
  });

  it('gives no CORS grant to another origin', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary).toBe('Origin');
  });

  it('grants a listed origin on every answer, refusals included, and lets it read Retry-After', async () => {
    const origin = 'https://app.example.com';
    for (const request of [
      { method: 'GET', url: '/health' },
      { method: 'GET', url: '/v1/auth/me' },
      { method: 'GET', url: '/nope' },
      { method: 'POST', url: '/v1/auth/register', ...json({ email: 'nope', password: 'x' }) },
    ] as const) {
      const res = await ctx.app.inject({ ...request, headers: { ...('headers' in request ? request.headers : {}), origin } });
      const what = `${request.method} ${request.url} (${res.statusCode})`;
      expect(res.headers['access-control-allow-origin'], what).toBe(origin);
      expect(res.headers['access-control-allow-credentials'], what).toBe('true');
      expect(res.headers['access-control-expose-headers'], what).toBe('retry-after');
      expect(res.headers.vary, what).toBe('Origin');
    }
  });

  it('says Vary: Origin without an Origin, and nothing else of CORS (a program, not a browser)', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/health' });
    expect(res.headers.vary).toBe('Origin');
    expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('answers every preflight 204 with what the web app may send, granted only to a listed origin', async () => {
    const preflight = (origin: string) =>
      ctx.app.inject({ method: 'OPTIONS', url: '/v1/zzz', headers: { origin, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'x-csrf-token' } });
    const listed = await preflight('http://localhost:3002');
    expect(listed.statusCode).toBe(204);
    expect(listed.body).toBe('');
    expect(listed.headers).toMatchObject({
      'access-control-allow-origin': 'http://localhost:3002',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
      'access-control-allow-headers': 'authorization, content-type, x-csrf-token',
      'access-control-max-age': '600',
      'content-length': '0',
      vary: 'Origin',
    });
    const other = await preflight('https://evil.example');
    expect(other.statusCode).toBe(204);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect(other.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('takes an OPTIONS with an Origin but no Access-Control-Request-Method as an ordinary request (405 problem)', async () => {
    const res = await ctx.app.inject({ method: 'OPTIONS', url: '/v1/auth/me', headers: { origin: 'http://localhost:3002' } });
    expect(res.statusCode).toBe(405);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:3002');
  });
});

describe('body limit', () => {
  it('is 1 MiB on every JSON route (413); a stranger is refused before the body is read (401)', async () => {
    await register(ctx.app, 'big@example.com', 'correct horse battery');
    const token = await login(ctx.app, 'big@example.com', 'correct horse battery');
    const big = json({ name: 'x'.repeat(1024 * 1024), phone: '1' });
    // A signed-in caller's body may be far past the 8 KiB of the routes that need no credentials.
    const under = json({ name: 'Under the limit', phone: '+14155550123', padding: 'x'.repeat(1000 * 1000) });
    const read = await ctx.app.inject({ method: 'POST', url: '/v1/clients', ...under, headers: { ...under.headers, ...bearer(token) } });
    expect(read.statusCode).toBe(201);
    for (const [url, headers] of [['/v1/clients', bearer(token)], ['/v1/auth/register', {}]] as const) {
      const res = await ctx.app.inject({ method: 'POST', url, ...big, headers: { ...big.headers, ...headers } });
      expect(res.statusCode, url).toBe(413);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      const limit = url === '/v1/clients' ? '1 MiB' : '8 KiB';
      expect(res.json()).toMatchObject({ type: '/problems/payload-too-large', status: 413, detail: `The request body is larger than this route's limit of ${limit}` });
      expectSecurityHeaders(res.headers, url);
    }
    const stranger = await ctx.app.inject({ method: 'POST', url: '/v1/clients', ...big });
    expect(stranger.statusCode).toBe(401);
  });
});

// Round 11's break test: strangers holding 1 MiB bodies filled BODY_BYTES_RECEIVING. Every route that
// needs no credentials reads at most PUBLIC_BODY_LIMIT_BYTES; the document's 413 says so.
describe('the body limit of the routes that need no credentials', () => {
  const publicRoutes = Object.entries(routes as Record<string, RouteDef>).filter(([, def]) => def.body && !def.auth);

  it('covers sign-up, sign-in, browser sign-in and both password-reset steps', () => {
    expect(publicRoutes.map(([name]) => name).sort()).toEqual(['confirmPasswordReset', 'createSession', 'login', 'register', 'requestPasswordReset']);
  });

  it.each(publicRoutes)('%s: a body of 8 KiB is read, one byte more is 413', async (_name, def) => {
    const bodyOf = (bytes: number) => {
      if (def.encoding === 'form') return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `padding=${'x'.repeat(bytes - 'padding='.length)}` };
      return { headers: { 'content-type': 'application/json' }, payload: `{"padding":"${'x'.repeat(bytes - '{"padding":""}'.length)}"}` };
    };
    const at = await ctx.app.inject({ method: def.method, url: def.path, ...bodyOf(PUBLIC_BODY_LIMIT_BYTES) });
    // Read and validated: its fields are missing.
    expect(at.statusCode, 'at the limit').toBe(422);
    const over = await ctx.app.inject({ method: def.method, url: def.path, ...bodyOf(PUBLIC_BODY_LIMIT_BYTES + 1) });
    expect(over.statusCode, 'over it').toBe(413);
    expect(over.json()).toMatchObject({ type: '/problems/payload-too-large', status: 413, detail: "The request body is larger than this route's limit of 8 KiB" });
  });

  it('is stated in the document', async () => {
    const doc = (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ components: { responses: Record<string, { description: string }> } }>();
    expect(doc.components.responses.PayloadTooLarge!.description).toContain('8 KiB on the routes that need no credentials');
  });
});

describe('requests in flight', () => {
  it('beyond MAX_IN_FLIGHT are answered 503 with Retry-After, and the count is released', async () => {
    // Production hashing: the two sign-ins must still be hashing when the third request comes.
    const small = await startApp({ env: { MAX_IN_FLIGHT: '2' }, productionHashing: true, captureLogs: true });
    try {
      await register(small.app, 'busy@example.com', 'correct horse battery');
      const slow = () => small.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: 'busy@example.com', password: 'correct horse battery' }) });
      const logins = [slow(), slow()];
      // Counted once their bodies are read (they are then hashing).
      while (small.app.inFlight() < 2) await new Promise((resolve) => setImmediate(resolve));
      const c = await small.app.inject({ method: 'GET', url: '/ready' });
      const [a, b] = await Promise.all(logins);
      expect([a!.statusCode, b!.statusCode]).toEqual([200, 200]);
      expect(c.statusCode).toBe(503);
      expect(c.headers['retry-after']).toBe('1');
      expectSecurityHeaders(c.headers, 'at capacity');
      expect(c.json()).toMatchObject({ type: '/problems/at-capacity', status: 503, title: 'Service Unavailable' });
      // A refusal on purpose: one warning without a stack, not an error (round 10's break test).
      const logged = small.logs.flatMap((chunk) => chunk.split('\n')).filter(Boolean).map((line) => JSON.parse(line) as { level: number; msg: string; err?: unknown; type?: string });
      expect(logged.filter((line) => line.level >= 50)).toEqual([]);
      expect(logged.filter((line) => line.msg === 'request refused under load')).toEqual([expect.objectContaining({ level: 40, type: '/problems/at-capacity' })]);
      expect(small.app.inFlight()).toBe(0);
      expect((await small.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });
});

describe('timeouts', () => {
  it('are set on the HTTP server', () => {
    expect(ctx.app.server.requestTimeout).toBe(30_000);
    expect(ctx.app.server.keepAliveTimeout).toBe(72_000);
  });
});
