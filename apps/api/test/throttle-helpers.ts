import { randomBytes } from 'node:crypto';
import { appPerTest, type TestContext } from './helpers.js';

export const PASSWORD = 'correct horse battery';
export const unique = () => randomBytes(4).toString('hex');

/**
 * For a throttling suite: `app(env)` starts an app with the production limits (5 failures, and a
 * source limit high enough not to interfere) and logs captured, closed when its test ends.
 */
export const useThrottledApps = () => appPerTest({ THROTTLE_LOGIN_FAILURES: '5', THROTTLE_SOURCE_ATTEMPTS: '1000' });

/** A login from a given source address. */
export const loginFrom = (ctx: TestContext, source: string, username: string, password: string) =>
  ctx.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    remoteAddress: source,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ username, password }).toString(),
  });
