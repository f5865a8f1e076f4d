// The web app end to end: real API and database, the built site, headless Chromium.
import { ApiError, createClient, type AgentCallerClient } from '@agentcaller/sdk';
import axe from 'axe-core';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAndServe, freePort, launchBrowser, RESULTS_DIR, startApi, startMailbox, stopAll, WEB_DIR, type RunningApi } from './harness';
import { resetTokenOf, type TestSmtp } from '../../../api/test/smtp';

const TIME_ZONE = 'America/New_York';
const PASSWORD = 'changeme123';
const DOCS_SCREENSHOT = join(WEB_DIR, 'docs', 'screenshot-week.png');
const DOCS_SETTINGS_SCREENSHOT = join(WEB_DIR, 'docs', 'screenshot-settings.png');

let api: RunningApi;
let web: { url: string };
let browser: Browser;
let mailbox: TestSmtp;
const email = `owner-${Date.now()}@example.com`;

beforeAll(async () => {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const webPort = Number(process.env.E2E_WEB_PORT) || (await freePort());
  mailbox = await startMailbox();
  api = await startApi(`http://127.0.0.1:${webPort}`, { smtpUrl: mailbox.url });
  web = await buildAndServe(webPort, api.url);
  browser = await launchBrowser();
});

afterAll(async () => {
  await stopAll();
});

async function newPage(
  options: { width?: number; height?: number; reducedMotion?: 'reduce' | 'no-preference'; bypassCSP?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    // Only for a tool the test injects (axe-core's inline script); the app itself runs under the CSP.
    bypassCSP: options.bypassCSP ?? false,
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    locale: 'en-US',
    timezoneId: TIME_ZONE,
    reducedMotion: options.reducedMotion ?? 'no-preference',
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  // The preview serves the Content-Security-Policy the image ships (vite.config.ts PAGE_HEADERS):
  // anything it blocks is an error of the page.
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) errors.push(message.text());
  });
  return { context, page, errors };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), animations: 'disabled' });

/** "10:00" for an instant, on the wall clock of the browser's time zone. */
const wallClock = (iso: string) => new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

async function errorTextOf(page: Page, label: string): Promise<string> {
  const input = page.getByRole('dialog').getByLabel(label, { exact: true });
  const ids = ((await input.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}

describe('the web app against the real API', () => {
  it('grants no other origin anything through the web server: Vite adds no CORS of its own', async () => {
    // Round 9's break test: Vite's default CORS granted any localhost or 127.0.0.1 origin.
    for (const origin of ['http://localhost:9999', 'http://127.0.0.1:1', 'http://evil.example']) {
      const read = await fetch(`${web.url}/v1/auth/me`, { headers: { origin } });
      expect(read.status, origin).toBe(401);
      expect(read.headers.get('access-control-allow-origin'), origin).toBeNull();
      const preflight = await fetch(`${web.url}/v1/clients`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(preflight.headers.get('access-control-allow-origin'), origin).toBeNull();
      expect(preflight.headers.get('access-control-allow-credentials'), origin).toBeNull();
    }
  });

  it('signs up, adds a client, books, shows a conflict, keeps the session on reload and signs out', async () => {
    const { context, page, errors } = await newPage();

    // A newcomer lands on sign-in and creates an account.
    await page.goto(web.url);
    await page.waitForURL('**/sign-in');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await shot(page, '01-sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/calendar');
    await page.getByText('No appointments this week').waitFor();
    await page.getByText(email).waitFor();
    expect(await page.title()).toBe('Calendar · AgentCaller');

    // The session token is in an HttpOnly cookie that page scripts cannot read.
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'ac_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(cookies.find((c) => c.name === 'ac_csrf')).toMatchObject({ httpOnly: false });
    const visible = await page.evaluate(() => document.cookie);
    expect(visible).toContain('ac_csrf=');
    expect(visible).not.toContain('ac_session');
    expect(await page.evaluate(() => Object.keys(localStorage).length + Object.keys(sessionStorage).length)).toBe(0);

    // A client, first with a phone number the API refuses.
    await page.getByRole('link', { name: 'Clients', exact: true }).click();
    await page.getByText('No clients yet').waitFor();
    await page.getByRole('button', { name: 'Add client' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a client' });
    await dialog.getByLabel('Name').fill('Ann Lee');
    await dialog.getByLabel('Phone').fill('12');
    await dialog.getByRole('button', { name: 'Add client' }).click();
    await dialog.locator('.field__error').waitFor();
    expect(await dialog.getByLabel('Phone').getAttribute('aria-invalid')).toBe('true');
    expect(await errorTextOf(page, 'Phone')).toContain('Enter a number someone could dial');
    expect(await dialog.getByLabel('Name').getAttribute('aria-invalid')).toBeNull();
    await shot(page, '02-phone-error');

    await dialog.getByLabel('Phone').fill('(415) 555-0123');
    await dialog.getByRole('button', { name: 'Add client' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Ann Lee' }).waitFor();
    // Shown as people read it (US browser: the national form), not as E.164.
    expect(await page.getByRole('cell', { name: '(415) 555-0123' }).count()).toBe(1);

    // Book next Monday at 10:00 from the free times the API offers.
    await page.getByRole('link', { name: 'Calendar', exact: true }).click();
    await page.getByRole('button', { name: 'Next week' }).click();
    await page.getByText('No appointments this week').waitFor();
    await page.getByRole('button', { name: 'Book appointment' }).click();
    const booking = page.getByRole('dialog', { name: 'Book an appointment' });
    await booking.getByRole('combobox', { name: 'Client' }).fill('ann');
    await booking.getByRole('option', { name: /Ann Lee/ }).click();
    const slots = booking.getByRole('group', { name: /Open times on Mon/ });
    await slots.getByRole('button', { name: 'Start at 10:00 AM' }).click();
    expect(await booking.getByLabel('Start time').inputValue()).toBe('10:00');
    await booking.getByLabel('Notes').fill('First call about the quote');
    await shot(page, '03-booking');
    await booking.getByRole('button', { name: 'Book appointment' }).click();
    await booking.waitFor({ state: 'detached' });

    // It is in the week view, on Monday, at 10:00 in the browser's time zone.
    const event = page.getByRole('region', { name: /^Monday/ }).getByRole('button', { name: /^Ann Lee, Monday, .* 10:00 AM – 10:30 AM/ });
    await event.waitFor();
    await page.getByText('1 appointment', { exact: true }).waitFor();
    const seeder = createClient({ baseUrl: api.url });
    await seeder.auth.login({ username: email, password: PASSWORD });
    const [booked] = (await seeder.appointments.list()).items;
    expect(booked).toMatchObject({ client: { name: 'Ann Lee' }, notes: 'First call about the quote' });
    expect(wallClock(booked!.starts_at)).toBe('10:00');
    expect(Date.parse(booked!.ends_at) - Date.parse(booked!.starts_at)).toBe(30 * 60_000);
    await shot(page, '04-week');

    // The same time again: the conflict names the appointment in the way, with a link to it.
    await page.getByRole('button', { name: 'Book appointment' }).click();
    await booking.getByRole('combobox', { name: 'Client' }).fill('Ann');
    await booking.getByRole('option', { name: /Ann Lee/ }).click();
    // 10:00 is no longer offered; 10:30 is.
    await slots.getByRole('button', { name: 'Start at 10:30 AM' }).waitFor();
    expect(await slots.getByRole('button', { name: 'Start at 10:00 AM' }).count()).toBe(0);
    await booking.getByLabel('Start time').fill('10:15');
    await booking.getByRole('button', { name: 'Book appointment' }).click();
    const conflict = booking.getByRole('alert').filter({ hasText: 'This time is already taken' });
    await conflict.getByText(/It overlaps the appointment with Ann Lee on Mon, .* 10:00 AM – 10:30 AM/).waitFor();
    await shot(page, '05-conflict');
    await conflict.getByRole('link', { name: 'Open that appointment' }).click();
    const editing = page.getByRole('dialog', { name: 'Edit appointment' });
    await editing.waitFor();
    expect(page.url()).toContain(`appointment=${booked!.id}`);
    expect(await editing.getByLabel('Start time').inputValue()).toBe('10:00');
    expect(await editing.getByLabel('Notes').inputValue()).toBe('First call about the quote');
    await page.keyboard.press('Escape');
    await editing.waitFor({ state: 'detached' });

    // A reload keeps the session (the cookie) and the week shown (the address).
    await page.reload();
    await event.waitFor();
    await page.getByText(email).waitFor();

    // Sign out: the cookies are cleared and the pages need signing in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
    await page.getByText('You have signed out.').waitFor();
    expect((await context.cookies()).filter((c) => c.name === 'ac_session')).toEqual([]);
    await page.goto(`${web.url}/calendar`);
    await page.waitForURL('**/sign-in');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await shot(page, '06-signed-out');

    expect(errors).toEqual([]);
    await context.close();
  });

  it('sends someone whose session was revoked back to sign in with a message, then back to their page', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(`${web.url}/clients`);
    await page.waitForURL('**/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/clients');
    await page.getByRole('link', { name: 'Ann Lee' }).waitFor();

    // The session is ended elsewhere (as sign-out on another tab would): its token is refused from now on.
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'ac_session')!.value;
    const csrf = cookies.find((c) => c.name === 'ac_csrf')!.value;
    const revoked = await fetch(`${api.url}/v1/auth/session`, { method: 'DELETE', headers: { cookie: `ac_session=${session}; ac_csrf=${csrf}`, 'x-csrf-token': csrf } });
    expect(revoked.status).toBe(204);

    await page.getByLabel('Search clients').fill('lee');
    await page.waitForURL('**/sign-in');
    await page.getByRole('alert').filter({ hasText: 'Your session has ended, please sign in again.' }).waitFor();
    await shot(page, '07-session-ended');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/clients?q=lee');
    await page.getByRole('link', { name: 'Ann Lee' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says on the sign-in page that it needs HTTPS when opened over plain HTTP under another name', async () => {
    // The break test: behind plain-HTTP nginx at another name, signing in answered 200, the browser
    // dropped the Secure cookie, and the page only said "Your session has ended".
    const elsewhere = await launchBrowser(['--host-resolver-rules=MAP app.test 127.0.0.1']);
    const away = await elsewhere.newPage();
    await away.goto(`http://app.test:${new URL(web.url).port}/sign-in`);
    await away.getByRole('alert').filter({ hasText: 'This page needs HTTPS' }).waitFor();
    expect(await away.getByRole('alert').textContent()).toContain('plain HTTP at app.test:');
    // At loopback, a secure context, the cookie is kept: no such notice.
    const { context, page, errors } = await newPage();
    await page.goto(`${web.url}/sign-in`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByText('This page needs HTTPS').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Forgot password?: the link from the mail (a real SMTP server) sets a new password once, and signs in with it', async () => {
    // A domain beyond ASCII, as the original service took it: a field of `type="email"` would send
    // it as `xn--exmple-cua.com`, an address with no account, and no mail would come.
    const forgetful = `forgetful-${Date.now()}@exämple.com`;
    await createClient({ baseUrl: api.url }).auth.register({ email: forgetful, password: PASSWORD });
    const { context, page, errors } = await newPage();
    await page.goto(`${web.url}/sign-in`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL('**/forgot-password');
    await page.getByLabel('Email').fill(forgetful);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText('Check your mail').waitFor();

    const mail = await mailbox.next(forgetful);
    const link = `${web.url}/reset-password#token=${resetTokenOf(mail)}`;
    expect(mail.text).toContain(link);

    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill('a brand new secret');
    await page.getByLabel('Repeat the new password').fill('a brand new secret');
    await shot(page, '09-reset-password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('Your new password is set. Sign in with it.').waitFor();
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.waitForURL('**/sign-in');
    await page.getByLabel('Email').fill(forgetful);
    await page.getByLabel('Password').fill('a brand new secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/calendar');
    await page.getByText(forgetful).waitFor();

    // The same link a second time: refused, with a way to ask for a new one.
    await page.goto(link);
    await page.getByLabel('New password', { exact: true }).fill('yet another secret');
    await page.getByLabel('Repeat the new password').fill('yet another secret');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('This link no longer works').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('already used');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('drops the toast and dialog animations for people who ask for reduced motion', async () => {
    /** The animation the page's stylesheet gives a toast and a dialog backdrop. */
    const animations = async (reducedMotion: 'reduce' | 'no-preference') => {
      const { context, page } = await newPage({ reducedMotion });
      await page.goto(`${web.url}/sign-in`);
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
      const names = await page.evaluate(() =>
        ['toast', 'modal-backdrop'].map((name) => {
          const probe = document.createElement('div');
          probe.className = name;
          document.body.append(probe);
          const animation = getComputedStyle(probe).animationName;
          probe.remove();
          return animation;
        }),
      );
      await context.close();
      return names;
    };
    expect(await animations('no-preference')).toEqual(['toast-in', 'fade-in']);
    expect(await animations('reduce')).toEqual(['none', 'none']);
  });

  it('fits a phone screen and shows a busy week (screenshots)', async () => {
    // A few more clients and appointments next week, through the SDK as the phone agent would.
    const agent = createClient({ baseUrl: api.url });
    await agent.auth.login({ username: email, password: PASSWORD });
    const { items } = await agent.clients.list({ q: 'Ann' });
    const ann = items[0]!;
    const people = await Promise.all(
      [
        ['Bob Stone', '+1 212 555 0142'],
        ['Carla Diaz', '(646) 555-0175'],
        ['Dev Patel', '+1 718 555 0110'],
        ['Emma Rossi', '+1 917 555 0133'],
      ].map(([name, phone]) => agent.clients.create({ name: name!, phone: phone! })),
    );
    const [bob, carla, dev, emma] = people as [typeof ann, typeof ann, typeof ann, typeof ann];
    const { page, context, errors } = await newPage({ width: 1280, height: 1000 });
    await page.goto(`${web.url}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/calendar');
    await page.getByRole('button', { name: 'Next week' }).click();
    await page.getByText('1 appointment', { exact: true }).waitFor();
    const monday = new URL(page.url()).searchParams.get('week')!;

    // Local times in the browser's zone for each day of that week, as the API wants them (with offset).
    const at = (dayOffset: number, hour: number, minute = 0) => page.evaluate(([d, h, m, week]) => {
      const [y, mo, da] = week.split('-').map(Number);
      return new Date(y!, mo! - 1, da! + d, h, m).toISOString();
    }, [dayOffset, hour, minute, monday] as const);
    const book = async (client: { id: number }, day: number, h: number, m: number, minutes: number, notes?: string) => {
      const starts_at = await at(day, h, m);
      await agent.appointments.create({ client_id: client.id, starts_at, ends_at: new Date(Date.parse(starts_at) + minutes * 60_000).toISOString(), notes: notes ?? null });
    };
    await book(bob, 1, 14, 0, 60, 'Follow-up on the kitchen quote');
    await book(carla, 2, 9, 30, 30);
    await book(dev, 3, 11, 0, 90, 'Site visit, bring the samples');
    await book(ann, 3, 15, 0, 45, 'Confirm the start date');
    await book(emma, 4, 16, 0, 45, 'First call');
    await book(bob, 0, 8, 30, 30);
    await page.reload();
    await page.getByText('7 appointments', { exact: true }).waitFor();
    await page.getByRole('button', { name: /^Dev Patel, Thursday/ }).waitFor();
    await shot(page, '08-week-busy');
    // The committed README screenshot is refreshed on request (UPDATE_SCREENSHOTS=1) or when missing,
    // so a plain test run leaves the working tree as it was.
    if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(DOCS_SCREENSHOT)) {
      mkdirSync(join(WEB_DIR, 'docs'), { recursive: true });
      copyFileSync(join(RESULTS_DIR, '08-week-busy.png'), DOCS_SCREENSHOT);
    }
    await context.close();

    // On a phone the week is a list of days, and the booking dialog is a sheet.
    const phone = await newPage({ width: 390, height: 844 });
    await phone.page.goto(`${web.url}/sign-in`);
    await phone.page.getByLabel('Email').fill(email);
    await phone.page.getByLabel('Password').fill(PASSWORD);
    await phone.page.getByRole('button', { name: 'Sign in' }).click();
    await phone.page.waitForURL('**/calendar');
    await phone.page.goto(`${web.url}/calendar?week=${monday}`);
    const agenda = phone.page.getByRole('list', { name: 'Week' });
    await agenda.getByRole('button', { name: /^Dev Patel/ }).waitFor();
    expect(await phone.page.getByRole('region', { name: 'Week' }).count()).toBe(0);
    // Nothing is wider than the screen.
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await phone.page.screenshot({ path: join(RESULTS_DIR, '09-phone-week.png'), fullPage: true, animations: 'disabled' });
    await phone.page.getByRole('button', { name: 'Book appointment' }).click();
    await phone.page.getByRole('dialog', { name: 'Book an appointment' }).getByRole('group', { name: /Open times/ }).getByRole('button').first().waitFor();
    await shot(phone.page, '10-phone-booking');
    await phone.page.goto(`${web.url}/clients`);
    await phone.page.getByRole('link', { name: 'Emma Rossi' }).waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(phone.page, '11-phone-clients');
    expect([...errors, ...phone.errors]).toEqual([]);
    await phone.context.close();
  });

  it('works to a Berlin schedule: Tuesday to Saturday 10–18, nothing on Monday, book, cancel and undo, a warning for the past, visible focus', async () => {
    const { page, context, errors } = await newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Time zone').selectOption('Europe/Berlin');
    const week = page.getByRole('group', { name: 'Weekly hours' });
    await week.getByRole('checkbox', { name: 'Monday' }).uncheck();
    await week.getByRole('checkbox', { name: 'Saturday' }).check();
    for (const day of ['Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']) {
      await week.getByLabel(`${day} from`).fill('10:00');
      await week.getByLabel(`${day} until`).fill('18:00');
    }
    await page.getByRole('button', { name: 'Save working hours' }).click();
    await page.getByText('Working hours saved.').waitFor();
    const agent = createClient({ baseUrl: api.url });
    await agent.auth.login({ username: email, password: PASSWORD });
    const schedule = await agent.schedule.get();
    expect(schedule.time_zone).toBe('Europe/Berlin');
    expect(schedule.weekly_hours).toMatchObject({ mon: [], sun: [], tue: [{ start: '10:00', end: '18:00' }], sat: [{ start: '10:00', end: '18:00' }] });
    // The preview of the next seven days offers nothing on the Monday.
    const preview = page.getByRole('region', { name: /Next week’s open times/ });
    await preview.getByRole('listitem').filter({ hasText: /^Mon/ }).getByText('nothing offered').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(RESULTS_DIR, '12-settings.png'), fullPage: true, animations: 'disabled' });
    if (process.env.UPDATE_SCREENSHOTS === '1' || !existsSync(DOCS_SETTINGS_SCREENSHOT)) copyFileSync(join(RESULTS_DIR, '12-settings.png'), DOCS_SETTINGS_SCREENSHOT);

    // Monday (in the browser's New York day) offers nothing; Tuesday offers 10:00–18:00 Berlin.
    const monday = await page.evaluate(() => {
      const d = new Date();
      d.setDate(d.getDate() + ((8 - d.getDay()) % 7 || 7));
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    });
    const tuesday = new Date(Date.parse(`${monday}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    await page.goto(`${web.url}/calendar?week=${monday}&book=1&day=${monday}`);
    const booking = page.getByRole('dialog', { name: 'Book an appointment' });
    await booking.getByText(/No open time of 30 min on this day/).waitFor();
    await booking.getByLabel('Date').fill(tuesday);
    const slots = booking.getByRole('group', { name: /Open times on Tue/ });
    const offered = slots.getByRole('button');
    await offered.first().waitFor();
    expect(await offered.count()).toBe(16);
    // The slot buttons never wrap: each is one line high.
    const heights = await offered.evaluateAll((buttons) => buttons.map((b) => b.getBoundingClientRect().height));
    expect(Math.max(...heights)).toBeLessThan(40);
    const label = await offered.first().getAttribute('aria-label');
    expect(label).toBe('Start at 4:00 AM');
    await booking.getByRole('combobox', { name: 'Client' }).fill('Ann');
    await booking.getByRole('option', { name: /Ann Lee/ }).click();
    await offered.first().click();
    expect(await booking.getByText(/outside your working hours|in the past/).count()).toBe(0);
    await booking.getByRole('button', { name: 'Book appointment' }).click();
    await booking.waitFor({ state: 'detached' });
    const booked = (await agent.appointments.list({ from: `${tuesday}T00:00:00Z`, to: `${tuesday}T23:59:00Z` })).items.find((a) => a.client.name === 'Ann Lee')!;
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(booked.starts_at))).toBe('10:00');

    // Cancel, then undo from the toast.
    await page.goto(`${web.url}/calendar?week=${monday}&appointment=${booked.id}`);
    const editing = page.getByRole('dialog', { name: 'Edit appointment' });
    await editing.getByRole('button', { name: 'Cancel appointment' }).click();
    await page.getByRole('alertdialog', { name: 'Cancel this appointment?' }).getByRole('button', { name: 'Cancel appointment' }).click();
    await editing.waitFor({ state: 'detached' });
    expect((await agent.appointments.get(booked.id)).status).toBe('cancelled');
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByText('Restored the appointment with Ann Lee.').waitFor();
    expect((await agent.appointments.get(booked.id)).status).toBe('scheduled');

    // A time in the past is said before booking.
    await page.getByRole('button', { name: 'Book appointment' }).click();
    const past = page.getByRole('dialog', { name: 'Book an appointment' });
    await past.getByLabel('Date').fill('2020-01-07');
    await past.getByLabel('Start time').fill('10:00');
    await past.getByText(/This time is in the past\./).waitFor();
    await past.getByRole('button', { name: 'Book anyway' }).waitFor();
    await shot(page, '13-past-warning');
    await page.keyboard.press('Escape');
    await past.waitFor({ state: 'detached' });

    // Keyboard focus is visible: tab to the buttons, the calendar's events and the nav links.
    await page.goto(`${web.url}/calendar?week=${monday}`);
    await page.getByRole('button', { name: /^Ann Lee, Tuesday/ }).waitFor();
    const seen = new Set<string>();
    for (let i = 0; i < 60 && seen.size < 4; i++) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return { kind: el.classList.contains('event') ? 'event' : el.tagName === 'A' ? 'link' : el.tagName === 'BUTTON' ? 'button' : 'other', outline: style.outlineStyle, width: parseFloat(style.outlineWidth), shadow: style.boxShadow, visible: el.matches(':focus-visible') };
      });
      if (!focus || focus.kind === 'other') continue;
      expect(focus.visible).toBe(true);
      expect(focus.outline).toBe('solid');
      expect(focus.width).toBeGreaterThanOrEqual(2);
      seen.add(focus.kind);
    }
    expect([...seen].sort()).toEqual(expect.arrayContaining(['button', 'event', 'link']));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the agent’s key: made in Settings and shown once, the agent records a call, the home screen asks for a call back, the client page shows the call, revoked after a confirmation', async () => {
    const { page, context } = await newPage();
    await signIn(page);
    await page.goto(`${web.url}/settings`);
    await page.getByLabel('Key name').fill('phone agent');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = await page.getByLabel('New API key').inputValue();
    expect(key).toMatch(/^ac_[0-9A-Za-z]{43}$/);
    // The focus follows: to the new key, then back to "Create key" after Done.
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? null);
    expect(await focused()).toBe('New API key');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByLabel('New API key').waitFor({ state: 'detached' });
    expect(await focused()).toBe('Create key');

    // The agent, with the key alone.
    const agent = createClient({ baseUrl: api.url, apiKey: key });
    const ann = (await agent.clients.list({ q: 'Ann' })).items[0]!;
    await askedToCallBack(agent, ann.id, 'asked for a call after lunch');

    await page.goto(`${web.url}/calendar`);
    const queue = page.getByRole('list', { name: 'Clients to call back' });
    await queue.getByRole('link', { name: /Ann Lee/ }).click();
    await page.waitForURL(`**/clients/${ann.id}`);
    const history = page.getByRole('list', { name: 'Call history' });
    await history.getByText('asked for a call after lunch').waitFor();
    expect(await history.getByText('Call back', { exact: true }).count()).toBe(1);

    // Used: the list says when; revoking asks first, then the agent is refused.
    await page.goto(`${web.url}/settings`);
    const row = page.getByRole('row', { name: /phone agent/ });
    await row.waitFor();
    expect(await row.getByText('Never').count()).toBe(0);
    await row.getByRole('button', { name: 'Revoke phone agent' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('No keys yet.').waitFor();
    expect(await focused()).toBe('Your keys');
    const refused = await agent.clients.list().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(401);
    await context.close();
  });

  it('fits a 360 px wide phone on every page: nothing scrolls sideways', async () => {
    const owner = `narrow-${Date.now()}@example.com`;
    const agent = createClient({ baseUrl: api.url });
    await agent.auth.register({ email: owner, password: PASSWORD, time_zone: TIME_ZONE });
    await agent.auth.login({ username: owner, password: PASSWORD });
    const client = await agent.clients.create({ name: 'Annabel Featherstonehaugh-Wolfeschlegel', phone: '+44 20 7946 0958' });
    const tomorrow = new Date(Date.now() + 86_400_000);
    tomorrow.setUTCHours(15, 0, 0, 0);
    const booked = await agent.appointments.create({ client_id: client.id, starts_at: tomorrow.toISOString(), ends_at: new Date(tomorrow.getTime() + 45 * 60_000).toISOString(), notes: 'Bring the samples' });
    // Keys with long names (Settings' widest list) and a call-back with a long note (the home screen).
    await agent.apiKeys.create({ name: 'Phone agent for the Featherstonehaugh-Wolfeschlegel account, production' });
    await agent.apiKeys.create({ name: 'nightly-reminder-calls-eu-west-1-backup-instance' });
    await askedToCallBack(agent, client.id, `Asked for a call back about the quote: ${'she wants the premium package with the extended warranty '.repeat(6)}`);
    // What sticks out past the right edge, to say which element is too wide.
    const overflow = (page: Page) =>
      page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > width + 0.5)
          .slice(0, 5)
          .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} → ${Math.round(el.getBoundingClientRect().right)}`);
        return { scrollWidth: document.documentElement.scrollWidth, width, wide };
      });
    const tooWide: { path: string; scrollWidth: number; wide: string[] }[] = [];
    const check = async (page: Page, path: string) => {
      const { scrollWidth, wide } = await overflow(page);
      if (scrollWidth > 360 || wide.length > 0) tooWide.push({ path, scrollWidth, wide });
    };

    const signedOut = await newPage({ width: 360, height: 740 });
    for (const path of SIGNED_OUT_PAGES) {
      await signedOut.page.goto(`${web.url}${path}`);
      await signedOut.page.getByRole('heading').first().waitFor();
      await check(signedOut.page, path);
    }
    await signedOut.context.close();

    const { page, context, errors } = await newPage({ width: 360, height: 740 });
    await signIn(page, owner);
    for (const [path, ready] of signedInPages(page, client, booked.id)) {
      await page.goto(`${web.url}${path}`);
      await ready();
      await check(page, path);
    }
    // The home screen with the call-back list, and Settings once the keys are listed.
    await page.goto(`${web.url}/calendar`);
    await page.getByRole('list', { name: 'Clients to call back' }).getByRole('link').first().waitFor();
    await check(page, '/calendar (call back)');
    await page.goto(`${web.url}/settings`);
    await page.getByText('nightly-reminder-calls-eu-west-1-backup-instance').waitFor();
    await check(page, '/settings (keys)');
    // Settings with a second period on a day and a date with other hours: the widest rows.
    const tuesday = page.getByRole('group', { name: 'Tuesday' });
    await tuesday.getByRole('button', { name: 'Add hours' }).click();
    await page.getByRole('button', { name: /Add a date/ }).click();
    await check(page, '/settings (edited)');
    await shot(page, '14-phone-settings');
    expect(tooWide).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('has no serious or critical accessibility violations on any page (axe-core)', async () => {
    const scan = async (page: Page, name: string) => {
      await page.addScriptTag({ content: axe.source });
      const violations = await page.evaluate(async () => {
        const result = await (window as unknown as { axe: { run: (c: Document, o: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ['violations'] });
        return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      });
      expect({ page: name, violations }).toEqual({ page: name, violations: [] });
    };
    const signedOut = await newPage({ bypassCSP: true });
    for (const path of SIGNED_OUT_PAGES) {
      await signedOut.page.goto(`${web.url}${path}`);
      await signedOut.page.getByRole('heading').first().waitFor();
      await scan(signedOut.page, path);
    }
    await signedOut.context.close();

    const { page, context } = await newPage({ bypassCSP: true });
    await signIn(page);
    const agent = createClient({ baseUrl: api.url });
    await agent.auth.login({ username: email, password: PASSWORD });
    const ann = (await agent.clients.list({ q: 'Ann' })).items[0]!;
    for (const [path, ready] of signedInPages(page, ann)) {
      await page.goto(`${web.url}${path}`);
      await ready();
      await scan(page, path);
    }
    await context.close();
  });
});

/** Every page a signed-out visitor sees (the reset page with a link that is not valid: its form shows). */
const SIGNED_OUT_PAGES = ['/sign-in', '/sign-up', '/forgot-password', `/reset-password#token=rst_${'A'.repeat(43)}`];

/** Every page of a signed-in person, with what shows it is ready (the client's, and an appointment's dialog when given). */
function signedInPages(page: Page, client: { id: number; name: string }, appointmentId?: number): [string, () => Promise<void>][] {
  return [
    ['/calendar', () => page.getByRole('button', { name: 'Book appointment' }).waitFor()],
    ['/calendar?view=day', () => page.getByRole('button', { name: 'Day', pressed: true }).waitFor()],
    ['/calendar?book=1', () => page.getByRole('dialog', { name: 'Book an appointment' }).getByRole('group').first().waitFor()],
    ...(appointmentId === undefined
      ? []
      : [[`/calendar?appointment=${appointmentId}`, () => page.getByRole('dialog', { name: 'Edit appointment' }).getByRole('group').first().waitFor()] as [string, () => Promise<void>]]),
    ['/clients', () => page.getByRole('link', { name: client.name }).waitFor()],
    [`/clients/${client.id}`, () => page.getByRole('heading', { name: client.name }).waitFor()],
    ['/settings', () => page.getByRole('button', { name: 'Sign out everywhere' }).waitFor()],
    ['/no-such-page', () => page.getByText('This page does not exist').waitFor()],
  ];
}

/** A call an hour ago whose client asked to be called back a minute ago: due now. */
async function askedToCallBack(agent: AgentCallerClient, clientId: number, notes: string) {
  await agent.calls.create({
    client_id: clientId,
    started_at: new Date(Date.now() - 3600_000).toISOString(),
    duration_seconds: 42,
    outcome: 'call_back',
    call_back_at: new Date(Date.now() - 60_000).toISOString(),
    notes,
  });
}

async function signIn(page: Page, who = email) {
  await page.goto(`${web.url}/sign-in`);
  await page.getByLabel('Email').fill(who);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/calendar');
}
