import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeJwt, nowSeconds } from './jwt.js';
import { bearer, form, json, startApp, TEST_SECRET, type TestContext } from './helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startApp({ captureLogs: true });
});
afterAll(() => ctx.close());

it('logs at trace level contain no password, token, hash or secret key', async () => {
  const password = 'Sup3r-Secret-Passw0rd';
  await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email: 'log@example.com', password }) });
  await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email: 'log@example.com', password }) });
  await ctx.app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email: 'bad', password }) });
  const login = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: 'log@example.com', password }) });
  const token = login.json<{ access_token: string }>().access_token;
  await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: 'log@example.com', password: `${password}x` }) });
  await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });
  const forged = makeJwt({ sub: 'log@example.com', exp: nowSeconds() + 60 }, 'wrong-key');
  await ctx.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(forged) });
  // Something that logs the request headers must see them redacted.
  ctx.app.log.info({ headers: { authorization: `Bearer ${token}` } }, 'headers');

  const [row] = await ctx.app.db.query.users.findMany();
  const logs = ctx.logs.join('');
  expect(ctx.logs.length).toBeGreaterThan(10);
  expect(logs).toContain('[redacted]');
  for (const secret of [password, token, token.split('.')[2]!, forged, row!.hashedPassword, TEST_SECRET]) {
    expect(logs).not.toContain(secret);
  }
});
