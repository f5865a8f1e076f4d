/**
 * Swagger UI at /docs, in Debian's Chromium (never a downloaded browser), as a person would use it
 * (issue 11): Authorize with email and password (the OAuth2 password scheme of the document), then
 * "Try it out" on GET /v1/auth/me answers 200 with the signed-in user. Over plain HTTP, by a host
 * name other than localhost: the page's policy must not send its assets to https, nor block
 * anything Swagger UI does (a CSP violation on the console fails the test).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, startListening, type TestContext } from '../helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let ctx: TestContext;
let browser: Browser;
let port: number;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const started = await startListening();
  ctx = started;
  port = Number(new URL(started.baseUrl).port);
  await register(ctx.app, 'docs@example.com', 'changeme123');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // `docs.agentcaller.test` is this API: a name that is not localhost, over plain HTTP.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--host-resolver-rules=MAP docs.agentcaller.test 127.0.0.1'],
  });
});
afterAll(async () => {
  await browser?.close();
  await ctx?.close();
});

describe('/docs in Chromium', () => {
  it('Authorize with email and password, then Try it out on GET /v1/auth/me answers 200', async () => {
    const page = await browser.newPage();
    const insecure: string[] = [];
    // Chromium reports what the page's Content-Security-Policy blocked on the console.
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
    });
    page.on('request', (request) => {
      if (request.url().startsWith('https:')) insecure.push(request.url());
    });
    await page.goto(`http://docs.agentcaller.test:${port}/docs/`);

    await page.locator('button.authorize').first().click();
    const dialog = page.locator('.dialog-ux');
    await dialog.locator('#oauth_username').fill('docs@example.com');
    await dialog.locator('#oauth_password').fill('changeme123');
    const token = page.waitForResponse((response) => response.url().endsWith('/v1/auth/login'));
    await dialog.locator('.auth-btn-wrapper button.authorize').first().click();
    expect((await token).status()).toBe(200);
    await expect.poll(() => dialog.locator('button', { hasText: 'Logout' }).count()).toBeGreaterThan(0);
    await dialog.locator('button.btn-done').first().click();

    const operation = page.locator('#operations-auth-me');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    const answer = page.waitForResponse((response) => response.url().endsWith('/v1/auth/me'));
    await operation.locator('button.execute').click();
    const me = await answer;
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ email: 'docs@example.com', is_active: true });
    await expect.poll(() => operation.locator('.live-responses-table tbody .response-col_status').first().textContent()).toContain('200');

    expect(insecure).toEqual([]);
    expect(blocked).toEqual([]);
  }, 60_000);
});
