// Throttling counters in a real Redis: shared by two instances, and an outage of a redis-server
// this test starts and stops itself (so this suite needs Redis installed and running at :6379).
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { ResilientCounters } from '../../src/lib/counters.js';
import { accountCounterKey } from '../../src/services/throttle.js';
import { json, register, type TestContext } from '../helpers.js';
import { resetTokenOf, startSmtp } from '../smtp.js';
import { loginFrom, PASSWORD, unique, useThrottledApps } from '../throttle-helpers.js';

const app = useThrottledApps();

describe('counters in Redis', () => {
  it('are shared by two instances', async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379/0' };
    const one = await app(env);
    const two = await app(env);
    await redisAnswers(one);
    const email = `redis-${unique()}@example.com`;
    const source = `10.1.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    await register(one.app, email, PASSWORD);
    for (let i = 0; i < 3; i++) expect((await loginFrom(one, source, email, 'wrong password')).statusCode).toBe(401);
    for (let i = 0; i < 2; i++) expect((await loginFrom(two, source, email, 'wrong password')).statusCode).toBe(401);
    expect((await loginFrom(one, source, email, PASSWORD)).statusCode).toBe(429);
    expect((await loginFrom(two, source, email, PASSWORD)).statusCode).toBe(429);
  });
});

describe('a password reset in Redis', () => {
  it('lifts the account\'s sign-in lockout on every instance', async () => {
    const smtp = await startSmtp();
    try {
      const env = { REDIS_URL: 'redis://127.0.0.1:6379/8', SMTP_URL: smtp.url };
      const one = await app(env);
      const two = await app(env);
      for (const ctx of [one, two]) await redisAnswers(ctx);
      // Each app has a database of its own; the lock lives only in the shared Redis (the sign-in
      // throttle answers before any account is looked up, so \`two\` refuses, then takes, attempts).
      const email = `redis-reset-${unique()}@example.com`;
      const source = `10.3.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
      await register(one.app, email, PASSWORD);
      for (let i = 0; i < 5; i++) expect((await loginFrom(one, source, email, 'wrong password')).statusCode).toBe(401);
      expect((await loginFrom(two, source, email, PASSWORD)).statusCode).toBe(429);
      const since = smtp.mails.length;
      expect((await one.app.inject({ method: 'POST', url: '/v1/auth/password-reset', ...json({ email }) })).statusCode).toBe(202);
      const token = resetTokenOf(await smtp.next(email, since));
      expect((await one.app.inject({ method: 'POST', url: '/v1/auth/password-reset/confirm', ...json({ token, new_password: 'a brand new secret' }) })).statusCode).toBe(204);
      expect((await loginFrom(two, source, email, 'a brand new secret')).statusCode).toBe(401);
      expect((await loginFrom(one, source, email, 'a brand new secret')).statusCode).toBe(200);
    } finally {
      await smtp.close();
    }
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
        expect(await probe.get(`agentcaller:throttle:${accountCounterKey(other, '10.2.0.2')}`)).toBe('1');
      } finally {
        probe.disconnect();
      }
    } finally {
      redis.kill('SIGKILL');
    }
  }, 60_000);
});

// Round 14's break test: a Redis out of memory answers PING but refuses writes; the lockouts went
// unshared with nothing logged and /ready "ok". It counts as unavailable now, until it takes writes.
describe('when Redis refuses writes', () => {
  it('counts in process, says so on /ready and in the logs, and recovers once it takes them again', async () => {
    const port = await freePort();
    const redis = await startRedis(port);
    const probe = new Redis(port, '127.0.0.1');
    try {
      const ctx = await app({ REDIS_URL: `redis://127.0.0.1:${port}` });
      const ready = async () => (await ctx.app.inject({ method: 'GET', url: '/ready' })).json<{ redis: string }>().redis;
      await until(async () => (await ready()) === 'ok', 5000);
      const email = `oom-${unique()}@example.com`;
      await register(ctx.app, email, PASSWORD);

      await probe.config('SET', 'maxmemory', '1');
      expect(await ready()).toBe('unavailable');
      for (let i = 0; i < 5; i++) expect((await loginFrom(ctx, '10.4.0.1', email, 'wrong password')).statusCode).toBe(401);
      expect((await loginFrom(ctx, '10.4.0.1', email, PASSWORD)).statusCode).toBe(429);
      expect(ctx.logs.join('')).toContain('redis unavailable: counting in process until it is back');

      await probe.config('SET', 'maxmemory', '0');
      await until(async () => (await ready()) === 'ok', 5000);
      expect(ctx.logs.join('')).toContain('redis is back');
    } finally {
      probe.disconnect();
      redis.kill('SIGKILL');
    }
  }, 60_000);
});

// Issue 10, item 11: a frozen Redis (SIGSTOP keeps its connection open) is seen at once.
describe('when Redis freezes', () => {
  it('/ready says so within its ping timeout, sign-ins stop waiting on it, and its return is logged', async () => {
    const port = await freePort();
    const redis = await startRedis(port);
    try {
      const ctx = await app({ REDIS_URL: `redis://127.0.0.1:${port}` });
      const ready = async () => {
        const start = performance.now();
        const res = await ctx.app.inject({ method: 'GET', url: '/ready' });
        return { redis: res.json<{ redis: string }>().redis, ms: performance.now() - start, status: res.statusCode };
      };
      await until(async () => (await ready()).redis === 'ok', 5000);
      const email = `frozen-${unique()}@example.com`;
      await register(ctx.app, email, PASSWORD);

      redis.kill('SIGSTOP');
      const frozen = await ready();
      expect(frozen).toMatchObject({ status: 200, redis: 'unavailable' });
      expect(frozen.ms).toBeLessThan(1000);
      const times: number[] = [];
      for (let i = 0; i < 4; i++) {
        const start = performance.now();
        expect((await loginFrom(ctx, '10.3.0.1', email, 'wrong password')).statusCode).toBe(401);
        times.push(performance.now() - start);
      }
      // An argon2 check, not a Redis command timeout (or two) on top of it.
      expect(Math.max(...times)).toBeLessThan(400);
      expect(ctx.logs.join('')).toContain('redis unavailable: counting in process until it is back');

      redis.kill('SIGCONT');
      await until(async () => (await ready()).redis === 'ok', 5000);
      expect(ctx.logs.join('')).toContain('redis is back');
    } finally {
      redis.kill('SIGCONT');
      redis.kill('SIGKILL');
    }
  }, 60_000);
});

/**
 * Waits for `/ready` to say Redis answers. Start-up waits for the connection, but `/ready` also
 * needs a PING answered within 250 ms, which a loaded CI machine can miss once.
 */
async function redisAnswers(ctx: TestContext): Promise<void> {
  await until(async () => (await ctx.app.inject({ method: 'GET', url: '/ready' })).json<{ redis: string }>().redis === 'ok', 5000);
}

/** Two instances on a redis-server of this test's own (ready on both), and a client to look into it. */
async function withOwnRedis(run: (sides: { one: TestContext; two: TestContext; probe: Redis }) => Promise<void>): Promise<void> {
  const port = await freePort();
  const redis = await startRedis(port);
  const probe = new Redis(port, '127.0.0.1');
  try {
    const env = { REDIS_URL: `redis://127.0.0.1:${port}` };
    const [one, two] = [await app(env), await app(env)];
    for (const ctx of [one, two]) await redisAnswers(ctx);
    await run({ one, two, probe });
  } finally {
    probe.disconnect();
    redis.kill('SIGKILL');
  }
}

// CI found the first requests of a new instance counted in process: it listened before its
// connection to Redis was ready. Start-up now waits for it (plugins/throttle.ts).
describe('a new instance', () => {
  it('counts in Redis from its first request, even when Redis is slow to connect', async () => {
    const port = await freePort();
    const redis = await startRedis(port);
    const probe = new Redis(port, '127.0.0.1');
    // A link to Redis that takes 500 ms to open (a remote or busy Redis; on CI, a loaded machine).
    const slowLink = createServer((socket) => {
      socket.pause();
      setTimeout(() => {
        const upstream = connect(port, '127.0.0.1', () => socket.resume());
        socket.pipe(upstream).pipe(socket);
        const end = () => (socket.destroy(), upstream.destroy());
        socket.on('error', end).on('close', end);
        upstream.on('error', end).on('close', end);
      }, 500);
    });
    await new Promise<void>((resolve) => slowLink.listen(0, '127.0.0.1', resolve));
    const linkPort = (slowLink.address() as AddressInfo).port;
    try {
      const ctx = await app({ REDIS_URL: `redis://127.0.0.1:${linkPort}` });
      // No account: the throttle counts before any account is looked up.
      const email = `first-${unique()}@example.com`;
      expect((await loginFrom(ctx, '10.4.0.1', email, 'wrong password')).statusCode).toBe(401);
      expect(await probe.get(`agentcaller:throttle:${accountCounterKey(email, '10.4.0.1')}`)).toBe('1');
      expect(ctx.logs.join('')).not.toContain('redis unavailable');
    } finally {
      probe.disconnect();
      slowLink.close();
      redis.kill('SIGKILL');
    }
  });
});

// The counting script is sent once per connection and then called by its SHA (lib/counters.ts).
describe('the counting script', () => {
  it('is called by its SHA, and a SCRIPT FLUSH between requests breaks neither the shared count nor its lock', async () => {
    await withOwnRedis(async ({ one, two, probe }) => {
      await probe.config('RESETSTAT');
      const email = `script-${unique()}@example.com`;
      await register(one.app, email, PASSWORD);
      for (const ctx of [one, one, two]) expect((await loginFrom(ctx, '10.3.0.1', email, 'wrong password')).statusCode).toBe(401);
      // Redis forgets every script: the next calls by SHA get NOSCRIPT, and the text is sent again.
      expect(await probe.script('FLUSH')).toBe('OK');
      for (const ctx of [two, one]) expect((await loginFrom(ctx, '10.3.0.1', email, 'wrong password')).statusCode).toBe(401);
      for (const ctx of [one, two]) expect((await loginFrom(ctx, '10.3.0.1', email, PASSWORD)).statusCode).toBe(429);
      const calls = (command: string, stats: string) => Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
      const stats = await probe.info('commandstats');
      // Each instance's connection sends each script's text (the hit, and the 429's taking back)
      // once at first and once after the flush.
      expect(calls('eval', stats)).toBeLessThanOrEqual(8);
      expect(calls('evalsha', stats)).toBeGreaterThanOrEqual(8);
      for (const ctx of [one, two]) expect(ctx.logs.join('')).not.toContain('redis unavailable');
    });
  }, 30_000);
});

// Round 9's break test: one key of the wrong type made the instance count everything in process
// (and /ready say Redis was down) until the next probe.
describe('a counter key someone else wrote in another shape', () => {
  it('is replaced by the next hit: the count stays shared, /ready stays ok, nothing says Redis is down', async () => {
    await withOwnRedis(async ({ one, two, probe }) => {
      const email = `wrongtype-${unique()}@example.com`;
      await register(one.app, email, PASSWORD);
      expect((await loginFrom(one, '10.4.0.1', email, 'wrong password')).statusCode).toBe(401);
      // Every counter key this sign-in wrote, turned into a hash or a string that is no number.
      const keys = await probe.keys('agentcaller:throttle:*');
      expect(keys.length).toBeGreaterThanOrEqual(2);
      for (const [i, key] of keys.entries()) {
        await probe.del(key);
        if (i % 2 === 0) await probe.hset(key, 'x', '1');
        else await probe.set(key, 'not a number');
      }
      // Five failures over both instances lock the account: the count is shared again from 1.
      for (const ctx of [one, two, one, two, one]) expect((await loginFrom(ctx, '10.4.0.1', email, 'wrong password')).statusCode).toBe(401);
      for (const ctx of [two, one]) expect((await loginFrom(ctx, '10.4.0.1', email, PASSWORD)).statusCode).toBe(429);
      for (const ctx of [one, two]) {
        expect((await ctx.app.inject({ method: 'GET', url: '/ready' })).json()).toMatchObject({ redis: 'ok' });
        expect(ctx.logs.join('')).not.toContain('redis unavailable');
      }
    });
  }, 30_000);
});

// A sign-in that could not be checked (a 503) gives its attempt back (services/throttle.ts, round 17).
describe('taking back a hit in Redis', () => {
  it('lowers an open window by one, keeps its expiry, never goes below zero, never opens one', async () => {
    const warnings: string[] = [];
    const counters = new ResilientCounters('redis://127.0.0.1:6379/8', { warn: (_obj, msg) => warnings.push(msg), info: () => {} });
    try {
      if (counters.redis.status !== 'ready') await new Promise((resolve) => counters.redis.once('ready', resolve));
      const key = `unhit-${unique()}`;
      for (let i = 0; i < 3; i++) await counters.hit(key, 60_000);
      await counters.unhit(key);
      const after = await counters.peek(key);
      expect(after.count).toBe(2);
      expect(after.resetMs).toBeGreaterThan(55_000);
      for (let i = 0; i < 4; i++) await counters.unhit(key);
      expect((await counters.peek(key)).count).toBe(0);
      const never = `unhit-never-${unique()}`;
      await counters.unhit(never);
      expect(await counters.redis.exists(`agentcaller:throttle:${never}`)).toBe(0);
      // It was Redis that counted, not the process's fallback.
      expect(warnings).toEqual([]);
      expect(Number(await counters.redis.get(`agentcaller:throttle:${key}`))).toBe(0);
    } finally {
      await counters.close();
    }
  });
});
