import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { appPerTest, TEST_SECRET, type TestContext } from './helpers.js';

const app = appPerTest({ NODE_ENV: 'production', THROTTLE_SOURCE_ATTEMPTS: '3' });

const attempt = (ctx: TestContext, remoteAddress: string, forwardedFor?: string) =>
  ctx.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    remoteAddress,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    payload: 'username=nobody%40example.com&password=wrong%20password',
  });

// Issue 10, item 2: X-Forwarded-For is believed only from the proxies named in TRUST_PROXY.
describe('TRUST_PROXY', () => {
  it('unset (production too): the client is the TCP peer, a forged X-Forwarded-For buys nothing', async () => {
    const ctx = await app({});
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt(ctx, '203.0.113.5', `198.51.100.${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    const logged = ctx.logs.join('\n');
    expect(logged).toContain('203.0.113.5');
    expect(logged).not.toContain('198.51.100.');
  });

  it('set: the header is read right to left from the trusted proxy, skipping trusted hops', async () => {
    const ctx = await app({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' });
    // The client forges the left part; nginx (127.0.0.1) appends the address it saw.
    for (let i = 0; i < 3; i++) expect((await attempt(ctx, '127.0.0.1', `6.6.6.${i}, 192.0.2.50, 10.1.2.3`)).statusCode).toBe(401);
    expect((await attempt(ctx, '127.0.0.1', '7.7.7.7, 192.0.2.50')).statusCode).toBe(429);
    // Another client behind the same proxy has its own count.
    expect((await attempt(ctx, '127.0.0.1', '192.0.2.51')).statusCode).toBe(401);
    expect(ctx.logs.join('\n')).not.toContain('6.6.6.');
  });

  it('set: a peer that is not a trusted proxy is not believed', async () => {
    const ctx = await app({ TRUST_PROXY: '127.0.0.1' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await attempt(ctx, '203.0.113.9', `127.0.0.1, 198.51.100.${i}`)).statusCode);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('refuses a bad value at start, naming the variable', () => {
    for (const value of ['nginx', '10.0.0.0/33', '1.2.3.4/8/9', '::1/129', '300.1.1.1']) {
      expect(() => loadConfig({ NODE_ENV: 'test', SECRET_KEY: TEST_SECRET, DATABASE_URL: 'memory://', TRUST_PROXY: value })).toThrow(/TRUST_PROXY/);
    }
    expect(loadConfig({ NODE_ENV: 'test', SECRET_KEY: TEST_SECRET, DATABASE_URL: 'memory://', TRUST_PROXY: ' 10.0.0.1 ,fd00::/8' }).trustProxy).toEqual(['10.0.0.1', 'fd00::/8']);
  });
});
