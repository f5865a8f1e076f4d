import { API_KEY_PATTERN, API_KEYS_PER_USER_MAX, routes, type RouteDef } from '@agentcaller/contracts';
import { apiKeys, queryRows, users } from '@agentcaller/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../src/app.js';
import { form, json, startApp, type TestContext } from './helpers.js';
import { REVOKED_KEYS_KEPT } from '../src/services/api-keys.js';
import { expectProblem, signUp, type Caller } from './fixtures.js';

let ctx: TestContext;
let alice: Caller;
let bob: Caller;

interface CreatedKey {
  id: number;
  name: string;
  key: string;
  prefix: string;
  created_at: string;
}
interface ListedKey {
  id: number;
  name: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

beforeAll(async () => {
  ctx = await startApp();
  alice = await signUp(ctx.app, 'alice@example.com');
  bob = await signUp(ctx.app, 'bob@example.com');
});
afterAll(() => ctx.close());

export async function createKey(user: Caller, name = 'phone agent'): Promise<CreatedKey> {
  const res = await user.send('POST', '/v1/api-keys', { name });
  if (res.statusCode !== 201) throw new Error(`create key failed: ${res.statusCode} ${res.body}`);
  return res.json<CreatedKey>();
}

const withKey = (app: App, key: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown) =>
  app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });

const listKeys = async (user: Caller) => (await user.send('GET', '/v1/api-keys')).json<{ items: ListedKey[] }>().items;

describe('API keys: create, list, revoke', () => {
  it('creates a key shown once: ac_ + 43 base62 characters, its prefix, and a list that never holds it', async () => {
    const created = await createKey(alice, '  phone agent  ');
    expect(created.key).toMatch(new RegExp(API_KEY_PATTERN));
    expect(created.key).toMatch(/^ac_[0-9A-Za-z]{43}$/);
    expect(created.prefix).toBe(created.key.slice(0, 11));
    expect(created.name).toBe('phone agent');
    const listed = (await listKeys(alice)).find((k) => k.id === created.id);
    expect(listed).toEqual({ id: created.id, name: 'phone agent', prefix: created.prefix, created_at: created.created_at, last_used_at: null });
    expect(JSON.stringify(await listKeys(alice))).not.toContain(created.key.slice(11));
    // Another user's list does not show it.
    expect((await listKeys(bob)).map((k) => k.id)).not.toContain(created.id);
  });

  it('two keys are different (256 random bits each)', async () => {
    const a = await createKey(alice);
    const b = await createKey(alice);
    expect(a.key).not.toBe(b.key);
    expect(a.prefix).not.toBe(b.prefix);
  });

  it('the database never holds the key: no column of any table contains it or its random part', async () => {
    const { key } = await createKey(alice, 'scan me');
    // Use it, so last_used_at and anything a request writes are in the database too.
    expect((await withKey(ctx.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
    const tables = await queryRows<{ schema: string; name: string }>(
      ctx.app.db,
      sql`select table_schema as schema, table_name as name from information_schema.tables
           where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
    );
    expect(tables.map((t) => t.name)).toContain('api_keys');
    const secret = key.slice(3);
    for (const table of tables) {
      const [row] = await queryRows<{ n: number | string }>(
        ctx.app.db,
        sql`select count(*) as n from ${sql.identifier(table.schema)}.${sql.identifier(table.name)} t where t::text like ${`%${secret.slice(8, 30)}%`}`,
      );
      expect(Number(row?.n), `${table.schema}.${table.name}`).toBe(0);
    }
    // What is stored: the prefix and a SHA-256 (64 hex), never the key.
    const [stored] = await ctx.app.db.select().from(apiKeys).where(eq(apiKeys.prefix, key.slice(0, 11)));
    expect(stored?.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored?.keyHash).not.toContain(secret);
  });

  it('a name is required, one line, at most 100 characters once trimmed (422), and nothing is stored', async () => {
    const before = (await listKeys(alice)).length;
    for (const name of ['', '   ', 'a\nb', 'x'.repeat(101)]) {
      const body = expectProblem(await alice.send('POST', '/v1/api-keys', { name }), 422, '/problems/validation');
      expect(body.errors?.map((e) => e.path)).toContain('/name');
    }
    expectProblem(await alice.send('POST', '/v1/api-keys', {}), 422, '/problems/validation');
    expect((await listKeys(alice)).length).toBe(before);
  });

  it('revoking: 204, refused from then on (401 with WWW-Authenticate), gone from the list; again or another user’s: 404', async () => {
    const { id, key } = await createKey(alice, 'to revoke');
    expect((await withKey(ctx.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
    expectProblem(await bob.send('DELETE', `/v1/api-keys/${id}`), 404, '/problems/not-found');
    expect((await withKey(ctx.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
    expect((await alice.send('DELETE', `/v1/api-keys/${id}`)).statusCode).toBe(204);
    const refused = await withKey(ctx.app, key, 'GET', '/v1/clients');
    expectProblem(refused, 401, '/problems/unauthorized');
    expect(refused.headers['www-authenticate']).toBe('Bearer');
    expect((await listKeys(alice)).map((k) => k.id)).not.toContain(id);
    expectProblem(await alice.send('DELETE', `/v1/api-keys/${id}`), 404, '/problems/not-found');
    expectProblem(await alice.send('DELETE', '/v1/api-keys/abc'), 422, '/problems/validation');
  });

  it('unknown, malformed and altered keys are 401', async () => {
    const { key } = await createKey(alice);
    const altered = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
    for (const bad of ['ac_', 'ac_short', `${key}x`, altered, `ac_${'0'.repeat(43)}`, `${key.slice(0, 11)}${'A'.repeat(35)}`, 'ac_\u00e9'.padEnd(46, 'x')]) {
      expectProblem(await withKey(ctx.app, bad, 'GET', '/v1/clients'), 401, '/problems/unauthorized');
    }
    expect((await withKey(ctx.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
  });

  it(`an account holds at most ${API_KEYS_PER_USER_MAX} live keys (409 api-key-limit); revoking one makes room`, async () => {
    const carol = await signUp(ctx.app, 'carol@example.com');
    const made: CreatedKey[] = [];
    for (let i = 0; i < API_KEYS_PER_USER_MAX; i++) made.push(await createKey(carol, `k${i}`));
    expectProblem(await carol.send('POST', '/v1/api-keys', { name: 'one more' }), 409, '/problems/api-key-limit');
    expect(await listKeys(carol)).toHaveLength(API_KEYS_PER_USER_MAX);
    expect((await carol.send('DELETE', `/v1/api-keys/${made[0]!.id}`)).statusCode).toBe(204);
    expect((await carol.send('POST', '/v1/api-keys', { name: 'one more' })).statusCode).toBe(201);
  });
});

describe('what a key may do', () => {
  let key: string;
  beforeAll(async () => {
    key = (await createKey(alice, 'agent')).key;
  });

  it('acts as its user on clients, appointments, availability, schedule (read) and calls', async () => {
    const created = await withKey(ctx.app, key, 'POST', '/v1/clients', { name: 'Made By Agent', phone: '+14155550100' });
    expect(created.statusCode).toBe(201);
    const client = created.json<{ id: number }>();
    // The person sees what the agent made, and nobody else does.
    expect((await alice.send('GET', `/v1/clients/${client.id}`)).statusCode).toBe(200);
    expect((await bob.send('GET', `/v1/clients/${client.id}`)).statusCode).toBe(404);
    const appointment = await withKey(ctx.app, key, 'POST', '/v1/appointments', { client_id: client.id, starts_at: '2030-01-07T10:00:00Z', ends_at: '2030-01-07T10:30:00Z' });
    expect(appointment.statusCode).toBe(201);
    expect((await withKey(ctx.app, key, 'GET', '/v1/availability?from=2030-01-07T00:00:00Z&to=2030-01-08T00:00:00Z&duration_minutes=30')).statusCode).toBe(200);
    expect((await withKey(ctx.app, key, 'GET', '/v1/schedule')).statusCode).toBe(200);
    const call = await withKey(ctx.app, key, 'POST', '/v1/calls', { client_id: client.id, started_at: '2026-11-30T09:00:00Z', duration_seconds: 60, outcome: 'booked', appointment_id: appointment.json<{ id: number }>().id });
    expect(call.statusCode).toBe(201);
    expect((await withKey(ctx.app, key, 'GET', '/v1/calls')).statusCode).toBe(200);
    expect((await withKey(ctx.app, key, 'GET', '/v1/auth/me')).json()).toMatchObject({ id: alice.id, email: alice.email });
  });

  // Driven by the route table: a route that does not open itself to keys (`apiKey: true`) is about
  // the account, and a key gets 403 there, whatever route is added later.
  const accountRoutes = Object.entries(routes as Record<string, RouteDef>).filter(([, def]) => def.auth && !def.apiKey);
  const keyRoutes = Object.entries(routes as Record<string, RouteDef>).filter(([, def]) => def.auth && def.apiKey);

  it('the account routes are those the spec names (password, sign-out, sessions, keys, admin) and keys are open to the rest', () => {
    expect(accountRoutes.map(([name]) => name).sort()).toEqual(
      ['changePassword', 'createApiKey', 'deleteAdminUser', 'deleteSession', 'listAdminUsers', 'listApiKeys', 'logout', 'logoutAll', 'putSchedule', 'revokeApiKey', 'updateAdminUser'].sort(),
    );
    expect(keyRoutes.length).toBeGreaterThan(10);
  });

  it.each(accountRoutes)('%s: 403 api-key-not-allowed with a key, and nothing changed', async (_name, def) => {
    const url = def.path.replace(':id', '1');
    const res = await withKey(ctx.app, key, def.method, url, def.body ? {} : undefined);
    expectProblem(res, 403, '/problems/api-key-not-allowed');
    // Still the same key, still working: no route above revoked or changed anything.
    expect((await withKey(ctx.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
  });

  it.each(keyRoutes)('%s: a key is let in (neither 401 nor 403)', async (_name, def) => {
    const url = def.path.replace(':id', '2147483647');
    const res = await withKey(ctx.app, key, def.method, url, def.body ? {} : undefined);
    expect([401, 403]).not.toContain(res.statusCode);
  });

  it('a password change and sign-out everywhere leave keys working (they belong to programs)', async () => {
    const dave = await signUp(ctx.app, 'dave@example.com');
    const { key: daveKey } = await createKey(dave);
    expect((await dave.send('POST', '/v1/auth/logout-all')).statusCode).toBe(204);
    expect((await withKey(ctx.app, daveKey, 'GET', '/v1/clients')).statusCode).toBe(200);
    const token = (await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: dave.email, password: 'correct horse battery' }) })).json<{ access_token: string }>().access_token;
    const changed = await ctx.app.inject({
      method: 'PUT',
      url: '/v1/auth/me/password',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ current_password: 'correct horse battery', new_password: 'another horse battery' }),
    });
    expect(changed.statusCode).toBe(204);
    expect((await withKey(ctx.app, daveKey, 'GET', '/v1/clients')).statusCode).toBe(200);
  });

  it('the key of a deactivated account is 403 inactive-account', async () => {
    const erin = await signUp(ctx.app, 'erin@example.com');
    const { key: erinKey } = await createKey(erin);
    await ctx.app.db.update(users).set({ isActive: false }).where(eq(users.id, erin.id));
    expectProblem(await withKey(ctx.app, erinKey, 'GET', '/v1/clients'), 403, '/problems/inactive-account');
  });
});

describe('Server-Timing: how long authentication took', () => {
  const AUTH_TIMING = /^auth;dur=\d+\.\d{2}$/;
  it('a key\'s and a token\'s answers say it (auth;dur= in ms); a refused credential\'s 401 does not', async () => {
    const { key } = await createKey(alice, 'timed');
    const byKey = await withKey(ctx.app, key, 'GET', '/v1/auth/me');
    expect(byKey.statusCode).toBe(200);
    expect(byKey.headers['server-timing']).toMatch(AUTH_TIMING);
    const byToken = await alice.send('GET', '/v1/auth/me');
    expect(byToken.statusCode).toBe(200);
    expect(byToken.headers['server-timing']).toMatch(AUTH_TIMING);
    const refused = await withKey(ctx.app, `ac_${'0'.repeat(43)}`, 'GET', '/v1/auth/me');
    expect(refused.statusCode).toBe(401);
    expect(refused.headers).not.toHaveProperty('server-timing');
    expect((await ctx.app.inject({ method: 'GET', url: '/v1/auth/me' })).headers).not.toHaveProperty('server-timing');
  });
});

describe('last_used_at is coalesced', () => {
  it('is written on first use, not again within a minute, and again once the stored one is a minute old', async () => {
    const { id, key } = await createKey(alice, 'busy');
    const lastUsed = async () => (await ctx.app.db.select({ at: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, id)))[0]?.at ?? null;
    expect(await lastUsed()).toBeNull();
    expect((await withKey(ctx.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
    // Written beside the request (below): wait for it.
    await ctx.app.apiKeys.lastUsedWritten();
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    // Put a marker value 30 s back: a request within the minute must leave it exactly as it is.
    const marker = new Date(Date.now() - 30_000);
    await ctx.app.db.update(apiKeys).set({ lastUsedAt: marker }).where(eq(apiKeys.id, id));
    for (let i = 0; i < 5; i++) expect((await withKey(ctx.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
    await ctx.app.apiKeys.lastUsedWritten();
    expect((await lastUsed())?.getTime()).toBe(marker.getTime());
    // Older than a minute: the next request writes it again.
    await ctx.app.db.update(apiKeys).set({ lastUsedAt: new Date(Date.now() - 61_000) }).where(eq(apiKeys.id, id));
    expect((await withKey(ctx.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
    await ctx.app.apiKeys.lastUsedWritten();
    expect(Date.now() - (await lastUsed())!.getTime()).toBeLessThan(10_000);
    const listed = (await listKeys(alice)).find((k) => k.id === id);
    expect(listed?.last_used_at).toMatch(/Z$/);
  });
});

describe('last_used_at is written beside the request', () => {
  /** A write of last_used_at that ends only when the test says (the next `db.update` is held). */
  function holdNextUpdate(app: App, outcome: 'write' | 'fail') {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const update = app.db.update.bind(app.db);
    const spy = vi.spyOn(app.db, 'update').mockImplementationOnce(((table: typeof apiKeys) => {
      const real = update(table);
      return {
        set: (values: Parameters<typeof real.set>[0]) => ({
          where: async (where: Parameters<ReturnType<typeof real.set>['where']>[0]) => {
            await released;
            if (outcome === 'fail') throw new Error('the database refused the write');
            return real.set(values).where(where);
          },
        }),
      };
    }) as unknown as typeof app.db.update);
    return { release, spy };
  }

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('the request is answered before the write ends, and the timestamp is written all the same', async () => {
    const { id, key } = await createKey(alice, 'beside');
    const held = holdNextUpdate(ctx.app, 'write');
    expect((await withKey(ctx.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
    expect(held.spy).toHaveBeenCalledTimes(1);
    // One write per key at a time: the key's next requests do not queue another.
    for (let i = 0; i < 3; i++) expect((await withKey(ctx.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
    expect(held.spy).toHaveBeenCalledTimes(1);
    const [before] = await ctx.app.db.select({ at: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, id));
    expect(before?.at).toBeNull();
    held.release();
    await ctx.app.apiKeys.lastUsedWritten();
    const [after] = await ctx.app.db.select({ at: apiKeys.lastUsedAt }).from(apiKeys).where(eq(apiKeys.id, id));
    expect(Date.now() - after!.at!.getTime()).toBeLessThan(10_000);
  });

  it('a failed write is logged once, never the request\'s 500, and none is tried for a minute after it', async () => {
    const logged = await startApp({ captureLogs: true });
    try {
      const carol = await signUp(logged.app, 'carol@example.com');
      const res = await carol.send('POST', '/v1/api-keys', { name: 'failing' });
      const { key } = res.json<CreatedKey>();
      const held = holdNextUpdate(logged.app, 'fail');
      held.release();
      expect((await withKey(logged.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
      await logged.app.apiKeys.lastUsedWritten();
      // Round 17's break test: a read-only database logged one error line per keyed request.
      for (let i = 0; i < 3; i++) expect((await withKey(logged.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
      await logged.app.apiKeys.lastUsedWritten();
      expect(held.spy).toHaveBeenCalledTimes(1);
      const lines = logged.logs.join('').split('\n').filter((line) => line.includes('last_used_at not written'));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, reason: 'the database refused the write' });
    } finally {
      await logged.close();
    }
  });

  it('the app waits for a write under way before it closes the database', async () => {
    const closing = await startApp({ captureLogs: true });
    let closed = false;
    try {
      const dave = await signUp(closing.app, 'dave@example.com');
      const { key } = (await dave.send('POST', '/v1/api-keys', { name: 'closing' })).json<CreatedKey>();
      const held = holdNextUpdate(closing.app, 'write');
      expect((await withKey(closing.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
      const close = closing.app.close().then(() => {
        closed = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(closed).toBe(false);
      held.release();
      await close;
      expect(closing.logs.join('')).not.toContain('last_used_at not written');
    } finally {
      if (!closed) await closing.app.close();
      await closing.database.drop();
    }
  });
});

describe('keys are throttled apart from people', () => {
  let tight: TestContext;
  beforeAll(async () => {
    tight = await startApp({ env: { THROTTLE_API_KEY_REQUESTS: '3', THROTTLE_SOURCE_ATTEMPTS: '6', THROTTLE_LOGIN_FAILURES: '3' } });
  });
  afterAll(() => tight.close());

  it('a busy key gets 429 with Retry-After, and its user still signs in with the password and works', async () => {
    const frank = await signUp(tight.app, 'frank@example.com');
    const { key } = await createKey(frank);
    for (let i = 0; i < 3; i++) expect((await withKey(tight.app, key, 'GET', '/v1/clients')).statusCode).toBe(200);
    const throttled = await withKey(tight.app, key, 'GET', '/v1/clients');
    expectProblem(throttled, 429, '/problems/throttled');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    const signIn = await tight.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: frank.email, password: 'correct horse battery' }) });
    expect(signIn.statusCode).toBe(200);
    expect((await frank.send('GET', '/v1/clients')).statusCode).toBe(200);
  });

  it('invalid keys from an address get 429 after the limit, and do not use up that address’s sign-ins or lock the account', async () => {
    const grace = await tight.app.inject({ method: 'POST', url: '/v1/auth/register', ...json({ email: 'grace@example.com', password: 'correct horse battery' }) });
    expect(grace.statusCode).toBe(201);
    // Five sign-in attempts (register and sign in twice) came from this address already: six invalid
    // keys more would be over the limit of six if they shared the sign-ins' counter.
    for (let i = 0; i < 6; i++) expectProblem(await withKey(tight.app, `ac_${String(i).padStart(43, 'x')}`, 'GET', '/v1/clients'), 401, '/problems/unauthorized');
    expectProblem(await withKey(tight.app, `ac_${'y'.repeat(43)}`, 'GET', '/v1/clients'), 429, '/problems/throttled');
    const signIn = await tight.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: 'grace@example.com', password: 'correct horse battery' }) });
    expect(signIn.statusCode).toBe(200);
  });
});

describe('answers that hold a credential are never cached', () => {
  it('Cache-Control: no-store on the new key, the token, the browser session and every other answer of a route', async () => {
    const created = await alice.send('POST', '/v1/api-keys', { name: 'cache check' });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const token = await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', ...form({ username: 'alice@example.com', password: 'correct horse battery' }) });
    expect(token.statusCode).toBe(200);
    expect(token.headers['cache-control']).toBe('no-store');
    const session = await ctx.app.inject({ method: 'POST', url: '/v1/auth/session', ...json({ email: 'alice@example.com', password: 'correct horse battery' }) });
    expect(session.statusCode).toBe(200);
    expect(session.headers['cache-control']).toBe('no-store');
    expect((await alice.send('GET', '/v1/clients')).headers['cache-control']).toBe('no-store');
  });
});

// Round 10's break test: 300 create-and-revoke cycles left 301 rows for one account, without end.
describe('revoked keys', () => {
  it('are kept for the newest REVOKED_KEYS_KEPT only, and a key whose row went is refused all the same', async () => {
    const carol = await signUp(ctx.app, 'carol-churn@example.com');
    const keys: CreatedKey[] = [];
    for (let i = 0; i < REVOKED_KEYS_KEPT + 10; i++) {
      const key = await createKey(carol, `churn ${i}`);
      expect((await carol.send('DELETE', `/v1/api-keys/${key.id}`)).statusCode).toBe(204);
      keys.push(key);
    }
    const live = await createKey(carol, 'the one in use');
    const rows = await ctx.app.db.select({ id: apiKeys.id, revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.userId, carol.id));
    expect(rows.filter((r) => r.revokedAt !== null)).toHaveLength(REVOKED_KEYS_KEPT);
    expect(rows.filter((r) => r.revokedAt === null).map((r) => r.id)).toEqual([live.id]);
    // The oldest (row deleted) and the newest revoked (row kept) are both refused; the live one works.
    for (const key of [keys[0]!, keys.at(-1)!]) expect((await withKey(ctx.app, key.key, 'GET', '/v1/auth/me')).statusCode).toBe(401);
    expect((await withKey(ctx.app, live.key, 'GET', '/v1/auth/me')).statusCode).toBe(200);
  });
});
