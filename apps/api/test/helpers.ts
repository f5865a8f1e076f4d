import { Writable } from 'node:stream';
import { afterEach, expect } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@agentcaller/db/testing';
import { buildApp, loadConfig, type App, type Config } from '../src/app.js';
import { appendToSink } from './log-sink.js';

import { TEST_SECRET } from './constants.js';

export { TEST_SECRET };

export interface TestContext {
  app: App;
  config: Config;
  database: TestDatabase;
  /** Every log line the app wrote (when started with `captureLogs`). */
  logs: string[];
  close(): Promise<void>;
}

/**
 * argon2id's cheapest sound parameters, for apps whose tests only need signed-in users: a hash or
 * a check costs well under a millisecond instead of ~25 ms at OWASP's `ARGON2_PARAMETERS`.
 */
export const TEST_ARGON2_PARAMETERS = { memoryCost: 256, timeCost: 1, parallelism: 1 } as const;

/**
 * A fresh app on a fresh, migrated database (PGlite in memory, or PostgreSQL via DATABASE_URL).
 * New passwords are hashed at `TEST_ARGON2_PARAMETERS` unless `productionHashing` (tests about
 * hashing itself: its parameters, its cost, rehashing).
 */
export async function startApp(
  options: {
    env?: Record<string, string>;
    captureLogs?: boolean;
    database?: TestDatabase;
    productionHashing?: boolean;
    /** Hooks a test adds before the app is ready (e.g. to make a race certain). */
    beforeReady?: (app: App) => void;
  } = {},
): Promise<TestContext> {
  // In-memory PGlite starts from the migrated image (the app's own migration step then finds
  // nothing to do); on PostgreSQL the file's own database is created and the app migrates it.
  const database = options.database ?? (await createTestDatabase(process.env.DATABASE_URL, { migrated: true }));
  const loaded = loadConfig({
    NODE_ENV: 'test',
    SECRET_KEY: TEST_SECRET,
    DATABASE_URL: database.url,
    // Suites send hundreds of sign-ins from one address; the throttle has its own suite.
    THROTTLE_SOURCE_ATTEMPTS: '1000000',
    THROTTLE_LOGIN_FAILURES: '1000',
    // Everything is logged (and scanned for secrets after the suite, see global-setup.ts).
    LOG_LEVEL: 'trace',
    ...options.env,
  });
  // The caller's database is opened at its target (an in-memory one may be a lasting one, which no
  // URL names); else DATABASE_URL/DATA_DIR in env, as configured; else the fresh one above.
  const config: Config = { ...loaded, database: options.database || options.env?.DATABASE_URL === undefined ? database.target : loaded.database };
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = chunk.toString('utf8');
      if (options.captureLogs) logs.push(line);
      appendToSink(line);
      done();
    },
  });
  const app = await buildApp(config, { logStream, argon2Parameters: options.productionHashing ? undefined : TEST_ARGON2_PARAMETERS });
  options.beforeReady?.(app);
  await app.ready();
  return {
    app,
    config,
    database,
    logs,
    close: async () => {
      await closeOrExplain(app);
      await database.drop();
    },
  };
}

/**
 * `app.close()` as the server's own shutdown does it (close-with-grace in src/server.ts gives up
 * waiting after 10 s): if requests still hold connections after `CLOSE_GRACE_MS`, what the close
 * waits for (open connections, requests in flight, live handles) goes to stderr, so a hang in
 * teardown names its cause, and the connections are then closed.
 */
const CLOSE_GRACE_MS = 10_000;
async function closeOrExplain(app: App): Promise<void> {
  const closing = app.close();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS);
  });
  if ((await Promise.race([closing.then(() => 'closed' as const), late])) === 'late') {
    const connections = await new Promise<number>((resolve) => app.server.getConnections((_err, count) => resolve(count)));
    process.stderr.write(
      `app.close() still waiting after ${CLOSE_GRACE_MS} ms: ${connections} open connection(s), ${app.inFlight()} request(s) in flight, ` +
        `handles ${JSON.stringify(process.getActiveResourcesInfo())}; closing the connections\n`,
    );
    app.server.closeAllConnections();
  }
  clearTimeout(timer);
  await closing;
}

/**
 * For files whose tests each want an app of their own: `app(env)` starts one (on top of `baseEnv`,
 * logs captured), closed when the test that started it ends, so its database goes back to the
 * worker's pool for the next test (held until the end of the file, each would need a database of
 * its own: ~1 s of CPU to open).
 */
export function appPerTest(baseEnv: Record<string, string> = {}) {
  const started: TestContext[] = [];
  afterEach(async () => {
    for (const ctx of started.splice(0)) await ctx.close();
  });
  return async function app(env: Record<string, string> = {}): Promise<TestContext> {
    const ctx = await startApp({ env: { ...baseEnv, ...env }, captureLogs: true });
    started.push(ctx);
    return ctx;
  };
}

/** `startApp`, listening on a free port of 127.0.0.1: for clients that speak real HTTP. */
export async function startListening(options: Parameters<typeof startApp>[0] = {}): Promise<TestContext & { baseUrl: string }> {
  const ctx = await startApp(options);
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const address = ctx.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { ...ctx, baseUrl: `http://127.0.0.1:${address.port}` };
}

export const json = (body: unknown) => ({
  headers: { 'content-type': 'application/json' },
  payload: JSON.stringify(body),
});

export const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

export async function register(app: App, email: string, password = 'correct horse battery') {
  const res = await app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email, password }) });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  return res.json<{ id: number; email: string }>();
}

export async function login(app: App, email: string, password = 'correct horse battery') {
  const res = await app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: email, password }) });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json<{ access_token: string }>().access_token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * The security headers every answer carries (SECURITY.md, "Headers"), written out here rather than
 * taken from the source, so that a header the source stops setting fails the tests.
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-site',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Not a security header, but on every answer with them (an answer depends on Origin through CORS).
  vary: 'Origin',
} as const;

/** What `/docs`'s pages carry besides: helmet's defaults for a document (their CSP is the page's own). */
export const PAGE_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-site',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
} as const;

/**
 * Fails unless `headers` (of inject, fetch or a raw parse) hold every security header with its
 * value, and none of a document's headers that mean nothing on JSON (they are `/docs`'s alone).
 */
export function expectSecurityHeaders(headers: Record<string, unknown> | Headers, what = ''): void {
  const read = (name: string) => (headers instanceof Headers ? headers.get(name) : headers[name]);
  const missing = Object.entries(SECURITY_HEADERS).filter(([name, value]) => read(name) !== value);
  expect(missing.map(([name]) => name), `security headers missing or wrong ${what}`.trim()).toEqual([]);
  const pageOnly = Object.keys(PAGE_HEADERS).filter((name) => !(name in SECURITY_HEADERS) && read(name) != null);
  expect(pageOnly, `a page's headers on an API answer ${what}`.trim()).toEqual([]);
}
