/**
 * What arrives on the wire besides a well-formed request (issue 11, black-box findings): bodies and
 * content types on routes that take none, malformed requests, and every such error as a problem.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResponses, type RawResponse } from './faults/raw.js';
import { bearer, expectSecurityHeaders, json, login, register, startListening, type TestContext } from './helpers.js';

let ctx: TestContext;
let port: number;
beforeAll(async () => {
  // Requests must arrive within 2 s here, so a slow request is cut off quickly.
  const listening = await startListening({ env: { REQUEST_TIMEOUT_SECONDS: '2' } });
  ctx = listening;
  port = Number(new URL(listening.baseUrl).port);
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

/** Sends raw bytes (in pieces, `gapMs` apart) and collects what the server answers until it closes. */
function exchangeRaw(pieces: string[], gapMs = 0): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server did not close the connection within 10 s'));
    }, 10_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponses(Buffer.concat(chunks)));
    });
    let i = 0;
    const next = () => {
      if (i >= pieces.length || socket.destroyed) return;
      socket.write(pieces[i++]!);
      setTimeout(next, gapMs);
    };
    next();
  });
}

async function expectProblem(pieces: string[], status: number, type: string, gapMs = 0) {
  const responses = await exchangeRaw(pieces, gapMs);
  expect(responses.map((r) => r.status), JSON.stringify(pieces).slice(0, 200)).toEqual([status]);
  expect(responses[0]!.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  expect(JSON.parse(responses[0]!.body)).toMatchObject({ type, status });
  // Answered on the socket by Node's clientError path, never through Fastify's hooks.
  expectSecurityHeaders(responses[0]!.headers, JSON.stringify(pieces).slice(0, 80));
  expect(responses[0]!.headers['cache-control']).toBe('no-store');
}

describe('requests that cannot be read are answered as problems, on a real socket', () => {
  it('an unknown method, a malformed header, HTTP/9.9, Content-Length with Transfer-Encoding: 400 bad-request', async () => {
    await expectProblem(['BREW /v1/auth/me HTTP/1.1\r\nHost: x\r\n\r\n'], 400, '/problems/bad-request');
    await expectProblem(['GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'], 400, '/problems/bad-request');
    await expectProblem(['GET /health HTTP/9.9\r\nHost: x\r\n\r\n'], 400, '/problems/bad-request');
    await expectProblem(['POST /v1/auth/logout HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'], 400, '/problems/bad-request');
  });

  it('an HTTP/1.1 request without Host: 400 bad-request (HTTP/1.0 may omit it)', async () => {
    await expectProblem(['GET /health HTTP/1.1\r\nConnection: close\r\n\r\n'], 400, '/problems/bad-request');
    const responses = await exchangeRaw(['GET /health HTTP/1.0\r\n\r\n']);
    expect(responses.map((r) => r.status)).toEqual([200]);
  });

  // The break test of round 8: two Host headers were 200, a gzip Content-Encoding was read as plain.
  it('two Host headers, or a body with a Content-Encoding: 400 bad-request', async () => {
    // Answered by the API's own hooks (keep-alive): each request asks to close, so the exchange ends.
    await expectProblem(['GET /health HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n'], 400, '/problems/bad-request');
    await expectProblem(['GET /health HTTP/1.1\r\nhost: a.example\r\nHOST: a.example\r\nConnection: close\r\n\r\n'], 400, '/problems/bad-request');
    const body = '{"email":"x@example.com","password":"changeme123"}';
    await expectProblem([`POST /v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`], 400, '/problems/bad-request');
    // identity is no encoding at all, and a GET without a body is not refused for the header.
    const [identity] = await exchangeRaw([`POST /v1/auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: identity\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`]);
    expect(identity?.status).toBe(422);
    const [get] = await exchangeRaw(['GET /health HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n']);
    expect(get?.status).toBe(200);
  });

  // Round 14's break test: a CONNECT was closed without an answer.
  it('CONNECT (a proxy tunnel): 405 method-not-allowed with an empty Allow, and the API goes on', async () => {
    await expectProblem(['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'], 405, '/problems/method-not-allowed');
    const [answer] = await exchangeRaw(['CONNECT 127.0.0.1:5432 HTTP/1.1\r\nHost: 127.0.0.1:5432\r\n\r\n']);
    expect(answer?.headers.allow).toBe('');
    const [health] = await exchangeRaw(['GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(health?.status).toBe(200);
  });

  it('headers over 16 KiB: 431 headers-too-large', async () => {
    await expectProblem([`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`], 431, '/problems/headers-too-large');
  });

  it('headers that do not arrive within REQUEST_TIMEOUT_SECONDS: 408 request-timeout', async () => {
    await expectProblem(['GET /health HTTP/1.1\r\n', ...Array.from({ length: 20 }, () => 'Host: x\r\n')], 408, '/problems/request-timeout', 250);
  });

  it('OPTIONS that is no CORS preflight: 405 with Allow on a known path, 404 on an unknown one', async () => {
    for (const [path, status, type] of [
      ['/v1/auth/me', 405, '/problems/method-not-allowed'],
      ['/docs', 405, '/problems/method-not-allowed'],
      ['/v1/zzz', 404, '/problems/not-found'],
    ] as const) {
      const [res] = await exchangeRaw([`OPTIONS ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      expect(res!.status, path).toBe(status);
      expect(res!.headers['content-type'], path).toBe('application/problem+json; charset=utf-8');
      expect(JSON.parse(res!.body), path).toMatchObject({ type });
      if (status === 405) expect(res!.headers.allow, path).toMatch(/GET/);
    }
    // A real preflight from an allowed origin still gets its CORS answer.
    const preflight = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/v1/auth/me',
      headers: { origin: 'http://localhost:3002', 'access-control-request-method': 'GET' },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:3002');
  });
});

describe('the docs\' static files', () => {
  it('a missing file is 404 for the methods the path takes, 405 only for others', async () => {
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await ctx.app.inject({ method, url: '/docs/static/nope.js' });
      expect(res.statusCode, method).toBe(404);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      if (method === 'GET') expect(res.json()).toMatchObject({ type: '/problems/not-found' });
    }
    const post = await ctx.app.inject({ method: 'POST', url: '/docs/static/nope.js' });
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('a path that climbs out of their folder (sent as is, not normalised) is 404 not-found', async () => {
    for (const path of ['/docs/static/../../package.json', '/docs/static/..%2f..%2fpackage.json', '/docs/static/%2e%2e/%2e%2e/package.json']) {
      const [res] = await exchangeRaw([`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`]);
      expect(res!.status, path).toBe(404);
      expect(JSON.parse(res!.body), path).toMatchObject({ type: '/problems/not-found', status: 404 });
    }
  });
});

describe('request schemas state the rules the server applies', () => {
  interface Schemas {
    components: { schemas: Record<string, { properties: Record<string, { description?: string; maxLength?: number; pattern?: string }> }> };
  }
  const schemas = async () => (await ctx.app.inject({ method: 'GET', url: '/openapi.json' })).json<Schemas>().components.schemas;

  it('a client name: 255 characters once trimmed, as the description says', async () => {
    const name = (await schemas()).CreateClientBody!.properties.name!;
    expect(name.description).toMatch(/1 to 255 characters once leading and trailing white space is trimmed/);
    await register(ctx.app, 'names@example.com');
    const auth = bearer(await login(ctx.app, 'names@example.com'));
    const create = (value: string) => ctx.app.inject({ method: 'POST', url: '/v1/clients', headers: auth, payload: { name: value, phone: '+14155550123' } });
    expect((await create(`${' '.repeat(300)}${'n'.repeat(255)} `)).statusCode).toBe(201);
    const long = await create('n'.repeat(256));
    expect(long.statusCode).toBe(422);
    expect(long.json()).toMatchObject({ errors: [{ path: '/name', message: 'must be at most 255 characters' }] });
  });

  it('instants: 1900 to 9999 in UTC, no leap second, each refusal saying which', async () => {
    const startsAt = (await schemas()).CreateAppointmentBody!.properties.starts_at!;
    expect(startsAt.description).toContain('between 1900-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z');
    expect(startsAt.description).toContain('leap second');
    await register(ctx.app, 'instants@example.com');
    const auth = bearer(await login(ctx.app, 'instants@example.com'));
    const client = (await ctx.app.inject({ method: 'POST', url: '/v1/clients', headers: auth, payload: { name: 'Ann', phone: '+14155550123' } })).json<{ id: number }>();
    const book = (starts_at: string, ends_at: string) => ctx.app.inject({ method: 'POST', url: '/v1/appointments', headers: auth, payload: { client_id: client.id, starts_at, ends_at } });
    const leap = await book('2027-01-05T23:59:60Z', '2027-01-06T01:00:00Z');
    expect(leap.statusCode).toBe(422);
    const [issue] = leap.json<{ errors: { path: string; message: string }[] }>().errors;
    expect(issue!.path).toBe('/starts_at');
    expect(issue!.message).toContain('without a leap second');
    const early = await book('1899-12-31T10:00:00Z', '1899-12-31T11:00:00Z');
    expect(early.json<{ errors: { message: string }[] }>().errors[0]!.message).toContain('between 1900-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z');
    // 1900 only by its offset: the pattern lets it through, the server says the range.
    const offset = await book('1900-01-01T00:30:00+01:00', '1900-01-01T01:30:00+01:00');
    expect(offset.json<{ errors: { message: string }[] }>().errors[0]!.message).toBe('must be an instant between 1900-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z once converted to UTC');
  });
});

describe('validation issues about the whole body', () => {
  it('have the root JSON Pointer "" (RFC 6901), not "/"', async () => {
    await register(ctx.app, 'pointer@example.com');
    const auth = bearer(await login(ctx.app, 'pointer@example.com'));
    const array = await ctx.app.inject({ method: 'POST', url: '/v1/clients', headers: auth, payload: [] });
    expect(array.statusCode).toBe(422);
    expect(array.json<{ errors: { path: string }[] }>().errors.map((issue) => issue.path)).toEqual(['']);
    const client = (await ctx.app.inject({ method: 'POST', url: '/v1/clients', headers: auth, payload: { name: 'Ann', phone: '+14155550123' } })).json<{ id: number }>();
    const unknown = await ctx.app.inject({ method: 'PATCH', url: `/v1/clients/${client.id}`, headers: auth, payload: { foo: 1 } });
    expect(unknown.json()).toMatchObject({ detail: 'body must change at least one of name, phone', errors: [{ path: '', message: 'must change at least one of name, phone' }] });
  });
});

// Round 13's second break test: a chunked body with a malformed chunk, sent to a route that answers
// before reading it (a 404, a login in a content type it does not read, a URL Fastify cannot
// decode), made Node emit `aborted` on the request after the answer, uncaught: the process stopped.
describe('a body that turns out malformed after its request was answered', () => {
  it.each([
    ['an unknown path', 'POST /nope HTTP/1.1\r\nHost: x\r\n'],
    ['login in JSON', 'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'],
    ['login with no content type', 'POST /v1/auth/login HTTP/1.1\r\nHost: x\r\n'],
    ['a reset request in text/plain', 'POST /v1/auth/password-reset HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n'],
    ['a URL that cannot be decoded', 'POST /v1/clients/%zz HTTP/1.1\r\nHost: x\r\n'],
  ])('%s: answered, and the server goes on', async (_what, head) => {
    const responses = await exchangeRaw([`${head}Transfer-Encoding: chunked\r\n\r\nzz\r\n`]);
    expect(responses[0]?.status).toBeGreaterThanOrEqual(400);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const health = await exchangeRaw(['GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
    expect(health.map((r) => r.status)).toEqual([200]);
  });
});
