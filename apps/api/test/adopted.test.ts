// The API started on a database in exactly the state the original Python service leaves it (the
// contract's seed schema, with rows as the original wrote them): it migrates, reports ready, and
// every route works, through the original's own client session over a real socket.
import { appointments, clients, queryRows, users } from '@agentcaller/db';
import { SEED_APPOINTMENTS, SEED_CLIENTS, SEED_USERS } from '@agentcaller/db/seed-era';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestContext } from './helpers.js';
import { removeTempDirs } from './process.js';
import { seedEraDatabase } from './seed-era.js';

let ctx: TestContext;
let base: string;

beforeAll(async () => {
  const seeded = await seedEraDatabase();
  ctx = await startApp({ database: seeded.database, env: seeded.env });
  await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const address = ctx.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await ctx?.close();
  removeTempDirs();
});

/** What `curl` sends: -d is a urlencoded form, -H sets headers. */
async function curl(method: string, path: string, options: { token?: string; json?: unknown; form?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = options.form;
  }
  const res = await fetch(`${base}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

async function signIn(email: string, password: string): Promise<string> {
  const res = await curl('POST', '/v1/auth/login', { form: `username=${encodeURIComponent(email)}&password=${encodeURIComponent(password)}` });
  expect(res.status).toBe(200);
  return String(res.body?.access_token);
}

describe('the original service’s client session, on the adopted database', () => {
  it('is ready once migrated', async () => {
    expect((await curl('GET', '/ready')).status).toBe(200);
  });

  it('register, login (form) and me, as the seed README shows them', async () => {
    const registered = await curl('POST', '/v1/auth/register', { json: { email: 'newcomer@example.com', password: 'changeme123' } });
    expect(registered).toMatchObject({ status: 201, body: { id: 4, email: 'newcomer@example.com' } });
    const token = await signIn('newcomer@example.com', 'changeme123');
    const me = await curl('GET', '/v1/auth/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: 4, email: 'newcomer@example.com' });
  });

  it('a legacy bcrypt user signs in with any casing of the stored email; an inactive one is 403; a taken email is 409', async () => {
    const [admin, , former] = SEED_USERS;
    const token = await signIn('admin@example.com', admin.password);
    expect((await curl('GET', '/v1/auth/me', { token })).body).toMatchObject({ id: 1, email: admin.email });
    const refused = await curl('POST', '/v1/auth/login', { form: `username=${former.email}&password=${former.password}` });
    expect(refused).toMatchObject({ status: 403, body: { detail: 'Inactive user' } });
    expect((await curl('POST', '/v1/auth/register', { json: { email: 'ADMIN@example.com', password: 'changeme123' } })).status).toBe(409);
  });

  it('clients: the shared list is the first user’s, with created_at, phones as stored and searchable by digits', async () => {
    const token = await signIn('admin@example.com', SEED_USERS[0].password);
    const page = await curl('GET', '/v1/clients?limit=100', { token });
    expect(page.status).toBe(200);
    expect(page.body?.total).toBe(SEED_CLIENTS.length);
    const items = page.body?.items as { name: string; phone: string; created_at: string }[];
    expect(items.map((c) => c.name).sort()).toEqual(SEED_CLIENTS.map((c) => c.name).sort());
    expect(items.every((c) => /^\d{4}-\d{2}-\d{2}T.*Z$/.test(c.created_at))).toBe(true);
    // The E.164 form too (the agent's caller ID, and what the API returns): the break test found it missed.
    for (const q of ['4155550123', '555-0123', '(415) 555', '+14155550123', '+1 415 555 0123']) {
      const found = await curl('GET', `/v1/clients?q=${encodeURIComponent(q)}`, { token });
      expect((found.body?.items as { name: string }[]).map((c) => c.name)).toContain('Ann Lee');
    }
    const other = await signIn('ops.team@example.com', SEED_USERS[1].password);
    expect((await curl('GET', '/v1/clients', { token: other })).body?.total).toBe(0);
  });

  it('clients: create, read, change and delete work on the adopted table', async () => {
    const token = await signIn('admin@example.com', SEED_USERS[0].password);
    const created = await curl('POST', '/v1/clients', { token, json: { name: 'New One', phone: '(415) 555-0177' } });
    expect(created).toMatchObject({ status: 201, body: { id: SEED_CLIENTS.length + 1, phone: '+14155550177' } });
    const id = Number(created.body?.id);
    expect((await curl('GET', `/v1/clients/${id}`, { token })).status).toBe(200);
    expect((await curl('PATCH', `/v1/clients/${id}`, { token, json: { name: 'Renamed' } })).body).toMatchObject({ name: 'Renamed' });
    const legacy = await curl('PATCH', '/v1/clients/2', { token, json: { phone: '415.555.0199' } });
    expect(legacy.body).toMatchObject({ id: 2, phone: '+14155550199' });
    expect((await curl('DELETE', `/v1/clients/${id}`, { token })).status).toBe(204);
  });

  it('appointments: the legacy ones list with status, a booking over one is 409, PATCH and availability work', async () => {
    const token = await signIn('admin@example.com', SEED_USERS[0].password);
    const page = await curl('GET', '/v1/appointments?limit=100', { token });
    expect(page.status).toBe(200);
    expect(page.body?.total).toBe(SEED_APPOINTMENTS.length);
    expect((page.body?.items as { status: string }[]).every((a) => a.status === 'scheduled')).toBe(true);
    const clash = await curl('POST', '/v1/appointments', { token, json: { client_id: 2, starts_at: '2026-01-15T10:15:00Z', ends_at: '2026-01-15T10:20:00Z' } });
    expect(clash).toMatchObject({ status: 409, body: { conflicting_appointment_id: 1 } });
    const booked = await curl('POST', '/v1/appointments', { token, json: { client_id: 2, starts_at: '2026-01-15T12:00:00Z', ends_at: '2026-01-15T12:30:00Z' } });
    expect(booked).toMatchObject({ status: 201, body: { status: 'scheduled', client: { id: 2, name: 'Bob Stone' } } });
    const moved = await curl('PATCH', '/v1/appointments/4', { token, json: { notes: 'moved online' } });
    expect(moved).toMatchObject({ status: 200, body: { notes: 'moved online', status: 'scheduled' } });
    const free = await curl('GET', '/v1/availability?from=2026-01-15T10:00:00Z&to=2026-01-15T13:00:00Z&duration_minutes=30', { token });
    expect(free.status).toBe(200);
    expect((await curl('DELETE', `/v1/appointments/${String(booked.body?.id)}`, { token })).status).toBe(204);
  });

  it('old clients’ habits: trailing slash, multipart login, 405 with Allow', async () => {
    const token = await signIn('admin@example.com', SEED_USERS[0].password);
    expect((await curl('GET', '/v1/auth/me/', { token })).status).toBe(200);
    expect((await curl('GET', '/v1/clients/', { token })).status).toBe(200);
    const multipart = new FormData();
    multipart.set('username', 'admin@example.com');
    multipart.set('password', SEED_USERS[0].password);
    const res = await fetch(`${base}/v1/auth/login`, { method: 'POST', body: multipart });
    expect(res.status).toBe(200);
    const wrongMethod = await curl('PUT', '/v1/auth/login');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('the account routes: browser session, password change, logout', async () => {
    const session = await fetch(`${base}/v1/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'Ops.Team@example.com', password: SEED_USERS[1].password }),
    });
    expect(session.status).toBe(200);
    const token = await signIn('ops.team@example.com', SEED_USERS[1].password);
    const changed = await curl('PUT', '/v1/auth/me/password', { token, json: { current_password: SEED_USERS[1].password, new_password: 'a brand new password' } });
    expect(changed.status).toBe(204);
    expect((await curl('GET', '/v1/auth/me', { token })).status).toBe(401);
    const fresh = await signIn('ops.team@example.com', 'a brand new password');
    expect((await curl('POST', '/v1/auth/logout', { token: fresh })).status).toBe(204);
    expect((await curl('GET', '/v1/auth/me', { token: fresh })).status).toBe(401);
  });

  it('rows the original service inserts meanwhile (no owner) go in and show up in the first user’s lists', async () => {
    // What SQLAlchemy's INSERT sends: only the original's columns.
    const [row] = await queryRows<{ id: number }>(ctx.app.db, sql`insert into clients (name, phone) values ('Walk-in', '415 555 0111') returning id`);
    const [owned] = await ctx.app.db.select({ ownerId: clients.ownerId }).from(clients).where(eq(clients.id, Number(row!.id)));
    expect(owned?.ownerId).toBe(1);
    const token = await signIn('admin@example.com', SEED_USERS[0].password);
    const found = await curl('GET', '/v1/clients?q=Walk', { token });
    expect((found.body?.items as { phone: string }[])[0]?.phone).toBe('415 555 0111');
  });

  it('nothing the original wrote was lost', async () => {
    const emails = await ctx.app.db.select({ email: users.email }).from(users).orderBy(asc(users.id));
    expect(emails.slice(0, SEED_USERS.length).map((u) => u.email)).toEqual(SEED_USERS.map((u) => u.email));
    const notes = await ctx.app.db.select({ notes: appointments.notes }).from(appointments).where(eq(appointments.id, 1));
    expect(notes).toEqual([{ notes: 'Quarterly review' }]);
  });
});
