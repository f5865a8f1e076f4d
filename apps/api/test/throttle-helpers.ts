import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { startApp, type TestContext } from './helpers.js';

export const PASSWORD = 'correct horse battery';
export const unique = () => randomBytes(4).toString('hex');

/**
 * For a throttling suite: `app(env)` starts an app with the production limits (5 failures, and a
 * source limit high enough not to interfere) and logs captured; all are closed after the file.
 */
export function useThrottledApps() {
  const started: TestContext[] = [];
  afterAll(async () => {
    for (const ctx of started) await ctx.close();
  });
  return async function app(env: Record<string, string> = {}) {
    const ctx = await startApp({ env: { THROTTLE_LOGIN_FAILURES: '5', THROTTLE_SOURCE_ATTEMPTS: '1000', ...env }, captureLogs: true });
    started.push(ctx);
    return ctx;
  };
}

/** A login from a given source address. */
export const loginFrom = (ctx: TestContext, source: string, username: string, password: string) =>
  ctx.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    remoteAddress: source,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ username, password }).toString(),
  });
