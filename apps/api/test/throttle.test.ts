import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { register, startApp, type TestContext } from './helpers.js';

const PASSWORD = 'correct horse battery';
const unique = () => randomBytes(4).toString('hex');
const started: TestContext[] = [];

async function app(env: Record<string, string> = {}) {
  const ctx = await startApp({ env: { THROTTLE_LOGIN_FAILURES: '5', THROTTLE_SOURCE_ATTEMPTS: '1000', ...env }, captureLogs: true });
  started.push(ctx);
  return ctx;
}
afterAll(async () => {
  for (const ctx of started) await ctx.close();
});

const loginFrom = (ctx: TestContext, source: string, username: string, password: string) =>
  ctx.app.inject({
    method: 'POST',
    url: '/v1/auth/login',
    remoteAddress: source,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ username, password }).toString(),
  });

describe('failed sign-ins per account and source (in process)', () => {
  it('locks the account for that source after 5 failures, the right password too, with Retry-After', async () => {
    const ctx = await app();
    const email = `locked-${unique()}@example.com`;
    await register(ctx.app, email, PASSWORD);
    for (let i = 0; i < 5; i++) expect((await loginFrom(ctx, '10.0.0.1', email, 'wrong password')).statusCode).toBe(401);
    const locked = await loginFrom(ctx, '10.0.0.1', email, PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(890);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(900);
    expect(locked.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
    // The same account from another source, and another account from this source, go on.
    expect((await loginFrom(ctx, '10.0.0.2', email, PASSWORD)).statusCode).toBe(200);
    const other = `other-${unique()}@example.com`;
    await register(ctx.app, other, PASSWORD);
    expect((await loginFrom(ctx, '10.0.0.1', other, PASSWORD)).statusCode).toBe(200);
  });

  it('a success clears the count', async () => {
    const ctx = await app();
    const email = `clear-${unique()}@example.com`;
    await register(ctx.app, email, PASSWORD);
    for (let i = 0; i < 4; i++) await loginFrom(ctx, '10.0.1.1', email, 'wrong password');
    expect((await loginFrom(ctx, '10.0.1.1', email, PASSWORD)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await loginFrom(ctx, '10.0.1.1', email, 'wrong password')).statusCode).toBe(401);
    expect((await loginFrom(ctx, '10.0.1.1', email, PASSWORD)).statusCode).toBe(429);
  });

  it('parallel guesses cannot slip past the limit', async () => {
    const ctx = await app();
    const email = `parallel-${unique()}@example.com`;
    await register(ctx.app, email, PASSWORD);
    const results = await Promise.all(Array.from({ length: 20 }, () => loginFrom(ctx, '10.0.2.1', email, 'wrong password')));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(5);
    expect(codes.filter((c) => c === 429)).toHaveLength(15);
  });

  it('the lock ends with its window', async () => {
    const ctx = await app({ THROTTLE_LOGIN_WINDOW_SECONDS: '1' });
    const email = `window-${unique()}@example.com`;
    await register(ctx.app, email, PASSWORD);
    for (let i = 0; i < 5; i++) await loginFrom(ctx, '10.0.3.1', email, 'wrong password');
    expect((await loginFrom(ctx, '10.0.3.1', email, PASSWORD)).statusCode).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await loginFrom(ctx, '10.0.3.1', email, PASSWORD)).statusCode).toBe(200);
  });

  it('browser sign-in and password change share the lock', async () => {
    const ctx = await app();
    const email = `shared-${unique()}@example.com`;
    await register(ctx.app, email, PASSWORD);
    for (let i = 0; i < 5; i++) await loginFrom(ctx, '10.0.4.1', email, 'wrong password');
    const session = await ctx.app.inject({
      method: 'POST',
      url: '/v1/auth/session',
      remoteAddress: '10.0.4.1',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ email, password: PASSWORD }),
    });
    expect(session.statusCode).toBe(429);
    // From another source, sign in; then guessing the current password through the change is locked too.
    const token = (await loginFrom(ctx, '10.0.4.2', email, PASSWORD)).json<{ access_token: string }>().access_token;
    for (let i = 0; i < 5; i++) {
      const res = await ctx.app.inject({
        method: 'PUT',
        url: '/v1/auth/me/password',
        remoteAddress: '10.0.4.2',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ current_password: `guess ${i}`, new_password: 'new password here' }),
      });
      expect(res.statusCode).toBe(422);
    }
    const sixth = await ctx.app.inject({
      method: 'PUT',
      url: '/v1/auth/me/password',
      remoteAddress: '10.0.4.2',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ current_password: PASSWORD, new_password: 'new password here' }),
    });
    expect(sixth.statusCode).toBe(429);
  });
});

describe('attempts per source', () => {
  it('limits registrations and sign-ins from one address across accounts', async () => {
    const ctx = await app({ THROTTLE_SOURCE_ATTEMPTS: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        remoteAddress: '10.0.5.1',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ email: `spray${i}-${unique()}@example.com`, password: PASSWORD }),
      });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([201, 201, 201]);
    const fourth = await loginFrom(ctx, '10.0.5.1', `spray0@example.com`, PASSWORD);
    expect(fourth.statusCode).toBe(429);
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
    expect((await loginFrom(ctx, '10.0.5.2', `nobody-${unique()}@example.com`, PASSWORD)).statusCode).toBe(401);
  });
});

describe('counters in Redis', () => {
  it('are shared by two instances', async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379/0' };
    const one = await app(env);
    const two = await app(env);
    expect((await one.app.inject({ method: 'GET', url: '/ready' })).json()).toMatchObject({ redis: 'ok' });
    const email = `redis-${unique()}@example.com`;
    const source = `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    await register(one.app, email, PASSWORD);
    for (let i = 0; i < 3; i++) expect((await loginFrom(one, source, email, 'wrong password')).statusCode).toBe(401);
    for (let i = 0; i < 2; i++) expect((await loginFrom(two, source, email, 'wrong password')).statusCode).toBe(401);
    expect((await loginFrom(one, source, email, PASSWORD)).statusCode).toBe(429);
    expect((await loginFrom(two, source, email, PASSWORD)).statusCode).toBe(429);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'pipe' });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start')), 5000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('error', reject);
  });
}

async function until(check: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not reached in time');
}

describe('when Redis goes away', () => {
  it('keeps serving with in-process counts, says so on /ready and in the logs, and recovers by itself', async () => {
    const port = await freePort();
    let redis = await startRedis(port);
    try {
      const ctx = await app({ REDIS_URL: `redis://127.0.0.1:${port}` });
      const ready = async () => (await ctx.app.inject({ method: 'GET', url: '/ready' })).json<{ redis: string }>().redis;
      await until(async () => (await ready()) === 'ok', 5000);

      redis.kill('SIGKILL');
      await until(async () => (await ready()) === 'unavailable', 5000);
      const readyRes = await ctx.app.inject({ method: 'GET', url: '/ready' });
      expect(readyRes.statusCode).toBe(200);

      const email = `outage-${unique()}@example.com`;
      await register(ctx.app, email, PASSWORD);
      expect((await loginFrom(ctx, '10.2.0.1', email, PASSWORD)).statusCode).toBe(200);
      for (let i = 0; i < 5; i++) expect((await loginFrom(ctx, '10.2.0.1', email, 'wrong password')).statusCode).toBe(401);
      expect((await loginFrom(ctx, '10.2.0.1', email, PASSWORD)).statusCode).toBe(429);
      expect(ctx.logs.join('')).toContain('redis unavailable: counting in process until it is back');

      redis = await startRedis(port);
      await until(async () => (await ready()) === 'ok', 10_000);
      expect(ctx.logs.join('')).toContain('redis is back');
      // Shared counting again: this failure lands in the new Redis.
      const other = `after-${unique()}@example.com`;
      await register(ctx.app, other, PASSWORD);
      expect((await loginFrom(ctx, '10.2.0.2', other, 'wrong password')).statusCode).toBe(401);
      const probe = new Redis(port, '127.0.0.1');
      try {
        expect(await probe.get(`agentcaller:throttle:fail:${other}:10.2.0.2`)).toBe('1');
      } finally {
        probe.disconnect();
      }
    } finally {
      redis.kill('SIGKILL');
    }
  }, 60_000);
});
