import { Writable } from 'node:stream';
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

/** A fresh app on a fresh, migrated database (PGlite in memory, or PostgreSQL via DATABASE_URL). */
export async function startApp(
  options: { env?: Record<string, string>; captureLogs?: boolean; database?: TestDatabase } = {},
): Promise<TestContext> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
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
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = chunk.toString('utf8');
      if (options.captureLogs) logs.push(line);
      appendToSink(line);
      done();
    },
  });
  const app = await buildApp(config, { logStream });
  await app.ready();
  return {
    app,
    config,
    database,
    logs,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
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
