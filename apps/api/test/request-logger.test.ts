// A request's logger (lib/request-logger.ts): made only when the request writes a line, and every line
// written still carries the request id and the request's fields, read from the real log output.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { connect } from 'node:net';
import { pino } from 'pino';
import { bearer, login, register, startApp, type TestContext } from './helpers.js';

interface Line {
  level: number;
  msg: string;
  reqId?: string;
  req?: { method?: string; url?: string; host?: string; remoteAddress?: string };
  res?: { statusCode?: number };
  err?: { message?: string };
  status?: number;
  remoteAddress?: string;
}

let warn: TestContext;
let info: TestContext;
beforeAll(async () => {
  // warn is what production and the bench run at; info is what a developer sees.
  [warn, info] = await Promise.all([startApp({ env: { LOG_LEVEL: 'warn' }, captureLogs: true }), startApp({ env: { LOG_LEVEL: 'info' }, captureLogs: true })]);
});
afterAll(async () => {
  await Promise.all([warn.close(), info.close()]);
});
afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * Every pino logger's `child` (they share one prototype): a spy on it sees each real child logger
 * made in this file's process, whichever logger it is made from.
 */
const pinoChild = () => vi.spyOn(Object.getPrototypeOf(Object.getPrototypeOf(pino({ enabled: false }))) as { child: () => unknown }, 'child');

/** The log lines written from `from` on, parsed. */
const linesOf = (ctx: TestContext, from: number): Line[] =>
  ctx.logs
    .slice(from)
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Line);

describe('a request that writes no line', () => {
  it('makes no child logger (LOG_LEVEL=warn: answers, refusals, unknown paths)', async () => {
    const child = pinoChild();
    const from = warn.logs.length;
    const answers = await Promise.all([
      warn.app.inject({ method: 'GET', url: '/health' }),
      warn.app.inject({ method: 'GET', url: '/v1/auth/me' }),
      warn.app.inject({ method: 'GET', url: '/nope' }),
      warn.app.inject({ method: 'POST', url: '/v1/clients', headers: { 'content-type': 'application/json' }, payload: '{' }),
    ]);
    expect(answers.map((res) => res.statusCode)).toEqual([200, 401, 404, 401]);
    expect(linesOf(warn, from)).toEqual([]);
    expect(child).not.toHaveBeenCalled();
  });

  it('makes none for a route with its own quieter level either (/health at LOG_LEVEL=info)', async () => {
    const child = pinoChild();
    const from = info.logs.length;
    expect((await info.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect(linesOf(info, from)).toEqual([]);
    expect(child).not.toHaveBeenCalled();
  });
});

describe('a request that writes', () => {
  it('an error at LOG_LEVEL=warn: the line has the request id', async () => {
    await register(warn.app, 'logged@example.com');
    const token = await login(warn.app, 'logged@example.com');
    vi.spyOn(warn.app.users, 'findForToken').mockRejectedValueOnce(new Error('the database fell over'));
    const from = warn.logs.length;
    const child = pinoChild();
    const res = await warn.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });
    expect(res.statusCode).toBe(500);
    // The one real child of the request, made for its one line.
    expect(child).toHaveBeenCalledTimes(1);
    const lines = linesOf(warn, from);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, msg: 'request failed', err: { message: 'the database fell over' } });
    // The answer names the request as its log line does: a report of the 500 finds the line.
    expect(lines[0]!.reqId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{16}$/);
    expect(res.json()).toEqual({ type: '/problems/internal', title: 'Internal Server Error', status: 500, detail: 'Internal server error', request_id: lines[0]!.reqId });
  });

  it('ids differ between apps (processes, restarts), are never the caller\'s, and a 4xx names none', async () => {
    const tokens = new Map<TestContext, string>();
    for (const ctx of [info, warn]) {
      await register(ctx.app, 'ids@example.com');
      tokens.set(ctx, await login(ctx.app, 'ids@example.com'));
    }
    const ids: string[] = [];
    for (const ctx of [info, info, warn]) {
      vi.spyOn(ctx.app.users, 'findForToken').mockRejectedValueOnce(new Error('down'));
      const token = tokens.get(ctx)!;
      const res = await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { ...bearer(token), 'x-request-id': 'chosen-by-caller' } });
      expect(res.statusCode).toBe(500);
      ids.push(res.json<{ request_id: string }>().request_id);
    }
    const [first, second, other] = ids.map((id) => id.split('-')) as [string[], string[], string[]];
    // One app: one prefix; another app: another prefix.
    expect(second[0]).toBe(first[0]);
    // Two requests in a row: random, not a count (even a permuted one told how many requests came
    // between: round 15's break test and its re-check).
    expect(second[1]).toMatch(/^[0-9a-f]{16}$/);
    expect(second[1]).not.toBe(first[1]);
    expect(other[0]).not.toBe(first[0]);
    const refused = await info.app.inject({ method: 'GET', url: '/v1/auth/me' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).not.toHaveProperty('request_id');
  });

  it('at LOG_LEVEL=info: every line of the request carries its id, the first its method and URL', async () => {
    const from = info.logs.length;
    const [one, two] = await Promise.all([
      info.app.inject({ method: 'GET', url: '/v1/auth/me?one' }),
      info.app.inject({ method: 'DELETE', url: '/v1/clients/2' }),
    ]);
    expect([one.statusCode, two.statusCode]).toEqual([401, 401]);
    const lines = linesOf(info, from);
    const ids = [...new Set(lines.map((line) => line.reqId))];
    expect(ids).toHaveLength(2);
    for (const [id, method, url] of [
      [ids[0], 'GET', '/v1/auth/me?one=[redacted]'],
      [ids[1], 'DELETE', '/v1/clients/2'],
    ] as const) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{16}$/);
      const ofRequest = lines.filter((line) => line.reqId === id);
      expect(ofRequest.map((line) => line.msg)).toEqual(['incoming request', 'request refused', 'request completed']);
      expect(ofRequest[0]!.req).toMatchObject({ method, url });
      expect(ofRequest[2]!.res).toEqual({ statusCode: 401 });
    }
  });
});

// Round 10's break test: a password and tokens sent in a query string were logged in `req.url` as sent.
describe('a logged URL', () => {
  it('keeps the path and the query names, never a value: no password, token or search text from it', async () => {
    const email = `query-log-${Date.now()}@example.com`;
    await register(info.app, email, 'a password of the query test');
    const token = await login(info.app, email, 'a password of the query test');
    const from = info.logs.length;
    const secret = 'Query-Secret-Password-1';
    await info.app.inject({ method: 'POST', url: `/v1/auth/login?username=${encodeURIComponent(email)}&password=${secret}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'username=x&password=y' });
    await info.app.inject({ method: 'GET', url: `/v1/auth/me?access_token=${token}` });
    await info.app.inject({ method: 'GET', url: '/v1/clients?q=Maria%20Ross', headers: bearer(token) });
    await info.app.inject({ method: 'GET', url: `/v1/auth/me?${token}&limit=5`, headers: bearer(token) });
    // An absolute-form target, its authority holding a password: sent raw, as a proxy would.
    if (!info.app.server.listening) await info.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (info.app.server.address() as { port: number }).port;
    await rawRequest(port, `GET http://someone:${secret}@127.0.0.1:${port}/v1/auth/me?password=x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    const written = info.logs.slice(from).join('');
    for (const leaked of [secret, token, token.split('.')[2]!, 'Maria', encodeURIComponent(email)]) expect(written).not.toContain(leaked);
    const urls = linesOf(info, from).flatMap((line) => (line.req?.url ? [line.req.url] : []));
    expect(urls).toEqual([
      '/v1/auth/login?username=[redacted]&password=[redacted]',
      '/v1/auth/me?access_token=[redacted]',
      '/v1/clients?q=[redacted]',
      // A token sent as a bare name is no short identifier: redacted whole.
      '/v1/auth/me?[redacted]&limit=[redacted]',
      '/v1/auth/me?password=[redacted]',
    ]);
  });
});

// Round 12's break test: a token or API key typed into the path went into the log whole, and the
// 404 said it back.
describe('a logged path', () => {
  it('keeps every segment as long as the API\'s own, and redacts longer ones: a token or key there is neither logged nor echoed', async () => {
    const email = `path-log-${Date.now()}@example.com`;
    await register(info.app, email, 'a password of the path test');
    const token = await login(info.app, email, 'a password of the path test');
    const key = `ac_${'K'.repeat(43)}`;
    const from = info.logs.length;
    const answers = [
      await info.app.inject({ method: 'GET', url: `/v1/clients/${token}`, headers: bearer(token) }),
      await info.app.inject({ method: 'GET', url: `/v1/${key}` }),
      await info.app.inject({ method: 'PUT', url: `/v1/auth/me/${key}/x?y=1` }),
      await info.app.inject({ method: 'GET', url: '/v1/clients/12345678901234567890', headers: bearer(token) }),
    ];
    const written = info.logs.slice(from).join('');
    for (const leaked of [token, token.split('.')[2]!, key]) {
      expect(written).not.toContain(leaked);
      for (const answer of answers) expect(answer.body).not.toContain(leaked);
    }
    expect(answers[1]!.json()).toMatchObject({ status: 404, detail: 'No route GET /v1/[redacted]' });
    const urls = linesOf(info, from).flatMap((line) => (line.req?.url ? [line.req.url] : []));
    expect(urls).toEqual(['/v1/clients/[redacted]', '/v1/[redacted]', '/v1/auth/me/[redacted]/x?y=[redacted]', '/v1/clients/12345678901234567890']);
  });
});

// Round 13's break test: a token sent as Host, and an API key as X-Forwarded-For through a trusted
// proxy, were logged as `host` and `remoteAddress`.
describe('a logged host and client address', () => {
  it('are a host name or address as sent, and nothing else', async () => {
    const proxied = await startApp({ env: { LOG_LEVEL: 'info', TRUST_PROXY: '127.0.0.1' }, captureLogs: true });
    try {
      const email = `host-log-${Date.now()}@example.com`;
      await register(proxied.app, email, 'a password of the host test');
      const token = await login(proxied.app, email, 'a password of the host test');
      const key = `ac_${'K'.repeat(43)}`;
      const from = proxied.logs.length;
      await proxied.app.inject({ method: 'GET', url: '/nope', headers: { host: token } });
      await proxied.app.inject({ method: 'GET', url: '/nope', headers: { host: 'api.example.com:8000', 'x-forwarded-for': key } });
      await proxied.app.inject({ method: 'GET', url: '/nope', headers: { host: '[::1]:8000', 'x-forwarded-for': '203.0.113.9' } });
      const written = proxied.logs.slice(from).join('');
      for (const leaked of [token, token.split('.')[1]!, key]) expect(written).not.toContain(leaked);
      const seen = linesOf(proxied, from).flatMap((line) => (line.req ? [[line.req.host, line.req.remoteAddress]] : []));
      expect(seen).toEqual([
        ['[redacted]', '127.0.0.1'],
        ['api.example.com:8000', '[not an address]'],
        ['[::1]:8000', '203.0.113.9'],
      ]);
    } finally {
      await proxied.close();
    }
  });
});

/** Sends `text` on a new connection and resolves when the server closes it. */
// Round 14's break test: requests refused before any route left no line (malformed HTTP, headers
// too large), or an opening line and no outcome (a path that is no percent-encoding).
describe('a request refused before routing', () => {
  it('leaves a line with its status at LOG_LEVEL=info', async () => {
    if (!info.app.server.listening) await info.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (info.app.server.address() as { port: number }).port;
    const from = info.logs.length;
    await rawRequest(port, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n');
    await rawRequest(port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    await vi.waitFor(() => expect(linesOf(info, from).filter((line) => line.msg === 'request refused before routing')).toHaveLength(2));
    const refused = linesOf(info, from).filter((line) => line.msg === 'request refused before routing');
    expect(refused.map((line) => line.status).sort()).toEqual([400, 431]);
    expect(refused.every((line) => line.remoteAddress === '127.0.0.1')).toBe(true);

    const fromBadPath = info.logs.length;
    expect((await info.app.inject({ method: 'GET', url: '/v1/%ZZ' })).statusCode).toBe(400);
    const lines = linesOf(info, fromBadPath);
    expect(lines.map((line) => line.msg)).toContain('request refused');
    expect(lines.find((line) => line.msg === 'request refused')).toMatchObject({ status: 400 });
  });
});

function rawRequest(port: number, text: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(text));
    socket.on('data', () => {});
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
  });
}
