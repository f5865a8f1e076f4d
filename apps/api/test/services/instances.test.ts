// Two API instances, each a real process, sharing one PostgreSQL database and the real Redis, as
// behind a load balancer: revocation, throttling, booking and migrations must hold across them.
//
// They run on PostgreSQL in both CI runs: two processes cannot share an embedded PGlite, so when
// DATABASE_URL is unset the database is made on the local PostgreSQL server (see LOCAL_POSTGRES),
// which is always there on this machine and in CI.
import { isDeepStrictEqual } from 'node:util';
import { connect, migrationsFolder, parseDatabaseUrl, resultRows, type Connection } from '@agentcaller/db';
import type { TestDatabase } from '@agentcaller/db/testing';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, login, loginAttempt, PASSWORD, readyStatus, register, uniqueEmail } from '../faults/api.js';
import { holdRequest, requestText, type HeldConnection } from '../faults/raw.js';
import { TEST_SECRET } from '../helpers.js';
import { killAll, removeTempDirs, spawnServer, startServer, tempDir, type ServerProcess } from '../process.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';

let database: TestDatabase;
let direct: Connection;
let a: ServerProcess;
let b: ServerProcess;

const env = () => ({
  NODE_ENV: 'test',
  LOG_LEVEL: 'info',
  SECRET_KEY: TEST_SECRET,
  DATABASE_URL: database.url,
  DATA_DIR: tempDir('agentcaller-instances-'),
  REDIS_URL,
  THROTTLE_LOGIN_FAILURES: '5',
  // Every request comes from 127.0.0.1, and Redis (with its per-source count) outlives the run.
  THROTTLE_SOURCE_ATTEMPTS: '1000000',
});

beforeAll(async () => {
  database = await createPostgresDatabase();
  // Both instances start at the same moment on the fresh database: both migrate (test d).
  [a, b] = await Promise.all([startServer(env()), startServer(env())]);
  direct = await connect(parseDatabaseUrl(database.url, ''), { maxConnections: 1 });
}, 60_000);

afterAll(async () => {
  await Promise.all([a, b].filter((s) => s && !s.exitStatus()).map((s) => s.stop('SIGTERM', 10_000).catch(() => s.stop('SIGKILL', 5_000))));
  killAll();
  await direct?.close();
  await database?.drop();
  removeTempDirs();
});

/** Rows of a query on the shared database. */
async function query<T extends object>(statement: ReturnType<typeof sql>): Promise<T[]> {
  return resultRows<T>(await direct.db.execute(statement));
}

const TIMEOUT = () => AbortSignal.timeout(10_000);
const me = (server: ServerProcess, token: string) =>
  fetch(`${server.url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` }, signal: TIMEOUT() });
const logout = (server: ServerProcess, token: string) =>
  fetch(`${server.url}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, signal: TIMEOUT() });
const changePassword = (server: ServerProcess, token: string, current: string, next: string) =>
  fetch(`${server.url}/v1/auth/me/password`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ current_password: current, new_password: next }),
    signal: TIMEOUT(),
  });

describe('two instances on one database and one Redis', () => {
  it('(d) both started at the same moment on a fresh database: both are ready, one migrated, the journal has no duplicates', async () => {
    expect(await readyStatus(a)).toEqual({ status: 200, body: { status: 'ready', database: 'ok', redis: 'ok' } });
    expect(await readyStatus(b)).toEqual({ status: 200, body: { status: 'ready', database: 'ok', redis: 'ok' } });
    const migrations = readMigrationFiles({ migrationsFolder });
    // One instance applied every migration under the advisory lock; the other found nothing to do.
    const applied = [a, b].map((s) => s.logs().filter((line) => line.msg === 'migrations applied').map((line) => line.applied));
    expect(applied.flat()).toEqual([migrations.length]);
    const journal = await query<{ hash: string; created_at: string }>(
      sql`select hash, created_at::text as created_at from drizzle.__drizzle_migrations order by id`,
    );
    expect(journal.map((row) => row.hash)).toEqual(migrations.map((m) => m.hash));
    expect(journal.map((row) => Number(row.created_at))).toEqual(migrations.map((m) => m.folderMillis));
    expect(new Set(journal.map((row) => row.hash)).size).toBe(journal.length);
    // The schema exists once: e.g. 0003's table and column.
    expect(await query(sql`select count(*)::int as n from pg_class where relname = 'revoked_tokens' and relkind = 'r'`)).toEqual([{ n: 1 }]);
    expect(await query(sql`select count(*)::int as n from information_schema.columns where column_name = 'token_version'`)).toEqual([{ n: 1 }]);
  });

  it('(a) a logout on A is refused on B at once; a password change on B refuses older tokens on A', async () => {
    const email = uniqueEmail('revoke');
    await register(a, email);
    const first = await login(a, email);
    const second = await login(b, email);
    const third = await login(a, email);
    expect((await me(b, first)).status).toBe(200);

    expect((await logout(a, first)).status).toBe(204);
    // The very next request, on the other instance.
    const refused = await me(b, first);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer');
    expect((await me(a, first)).status).toBe(401);
    // Only that token: the others still work on both.
    expect((await me(a, second)).status).toBe(200);
    expect((await me(b, third)).status).toBe(200);

    const newPassword = 'a brand new secret';
    expect((await changePassword(b, second, PASSWORD, newPassword)).status).toBe(204);
    // Every token issued before the change is refused on A right away (and on B).
    for (const token of [second, third]) {
      expect((await me(a, token)).status).toBe(401);
      expect((await me(b, token)).status).toBe(401);
    }
    expect((await loginAttempt(a, email, PASSWORD)).status).toBe(401);
    const fresh = await login(a, email, newPassword);
    expect((await me(b, fresh)).status).toBe(200);
  });

  it('(f) an API key made on A works on B; revoked on A, it is refused on B at once', async () => {
    const email = uniqueEmail('key');
    await register(a, email);
    const token = await login(a, email);
    const made = await fetch(`${a.url}/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'agent' }),
      signal: TIMEOUT(),
    });
    expect(made.status).toBe(201);
    const { id, key } = (await made.json()) as { id: number; key: string };
    const clientsWith = (server: ServerProcess) => fetch(`${server.url}/v1/clients`, { headers: { authorization: `Bearer ${key}` }, signal: TIMEOUT() });
    // Both have seen the key valid (a local cache, if there were one, would now hold it).
    expect((await clientsWith(b)).status).toBe(200);
    expect((await clientsWith(a)).status).toBe(200);
    const revoked = await fetch(`${a.url}/v1/api-keys/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` }, signal: TIMEOUT() });
    expect(revoked.status).toBe(204);
    const onB = await clientsWith(b);
    expect(onB.status).toBe(401);
    expect(((await onB.json()) as { type: string }).type).toBe('/problems/unauthorized');
    expect((await clientsWith(a)).status).toBe(401);
  });

  it('(b) failed sign-ins are counted across both: 3 on A and 2 on B lock the account on both', async () => {
    const email = uniqueEmail('throttle');
    await register(b, email);
    for (let i = 0; i < 3; i++) expect((await loginAttempt(a, email, `wrong password ${i}`)).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await loginAttempt(b, email, `wrong password ${i}`)).status).toBe(401);
    // The sixth attempt, with the right password, is refused on either instance.
    const onA = await loginAttempt(a, email, PASSWORD);
    expect(onA.status).toBe(429);
    expect(Number(onA.retryAfter)).toBeGreaterThan(0);
    const onB = await loginAttempt(b, email, PASSWORD);
    expect(onB.status).toBe(429);
    expect(Number(onB.retryAfter)).toBeGreaterThan(0);
    // Another account from the same address is not locked.
    const other = uniqueEmail('throttle-other');
    await register(a, other);
    expect((await loginAttempt(b, other, PASSWORD)).status).toBe(200);
  });

  it('(c) 16 bookings of one slot, 8 on each instance, fired together: one 201, fifteen 409 naming it, one row', async () => {
    const email = uniqueEmail('booking');
    await register(a, email);
    const token = await login(b, email);
    const created = await fetch(`${a.url}/v1/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Slot client', phone: '+14155550123' }),
      signal: TIMEOUT(),
    });
    expect(created.status).toBe(201);
    const client = (await created.json()) as { id: number };

    // Each booking on its own connection, sent but for its last byte; once both servers have read
    // all 16 heads, every last byte goes out at once, so the 16 inserts race in the database.
    const body = JSON.stringify({ client_id: client.id, starts_at: '2031-05-06T10:00:00+02:00', ends_at: '2031-05-06T11:00:00+02:00' });
    const bookings: { server: ServerProcess; held: HeldConnection }[] = [];
    for (let i = 0; i < 16; i++) {
      const server = i % 2 === 0 ? a : b;
      const request = requestText(
        'POST',
        `/v1/appointments?probe_book${i}`,
        { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Connection: 'close' },
        body,
      );
      bookings.push({ server, held: holdRequest(server.port, request) });
    }
    const booked = (server: ServerProcess) =>
      server.logs().filter((line) => line.msg === 'incoming request' && /probe_book\d+=\[redacted\]$/.test((line.req as { url?: string }).url ?? '')).length;
    await Promise.all([a.waitForLogs(() => booked(a) === 8, 10_000), b.waitForLogs(() => booked(b) === 8, 10_000)]);
    for (const { held } of bookings) held.release();
    const answers = await Promise.all(
      bookings.map(async ({ server, held }) => {
        const { responses, error } = await held.responses;
        return { instance: server === a ? 'A' : 'B', status: responses[0]?.status, body: JSON.parse(responses[0]?.body ?? '{}') as Record<string, unknown>, error };
      }),
    );

    const winners = answers.filter((answer) => answer.status === 201);
    const losers = answers.filter((answer) => answer.status === 409);
    expect(winners, JSON.stringify(answers)).toHaveLength(1);
    expect(losers, JSON.stringify(answers)).toHaveLength(15);
    const winnerId = winners[0]!.body.id as number;
    expect(winners[0]!.body).toMatchObject({ client_id: client.id, starts_at: '2031-05-06T08:00:00.000Z', ends_at: '2031-05-06T09:00:00.000Z' });
    for (const loser of losers) {
      expect(loser.body).toMatchObject({ status: 409, title: 'Conflict', conflicting_appointment_id: winnerId, detail: expect.any(String) as unknown });
    }
    // Both instances took part in the race and each refused some (the loser's instance is not fixed).
    expect(new Set(answers.map((answer) => answer.instance))).toEqual(new Set(['A', 'B']));
    expect(await query(sql`select id from appointments where client_id = ${client.id}`)).toEqual([{ id: winnerId }]);
    const listed = await fetch(`${b.url}/v1/appointments`, { headers: { authorization: `Bearer ${token}` }, signal: TIMEOUT() });
    expect(((await listed.json()) as { total: number }).total).toBe(1);
  });

  it('(e) an instance that waits longer than the 10 s default plugin timeout for the migration lock still comes up', async () => {
    // The key migrate() locks (packages/db/src/migrate.ts, MIGRATION_LOCK_KEY): held here as an
    // instance running a long migration would hold it, e.g. 0002 building its indexes on a big table.
    const MIGRATION_LOCK_KEY = 0x61676e74;
    const holder = await connect(parseDatabaseUrl(database.url, ''), { maxConnections: 1 });
    let server: ServerProcess | undefined;
    try {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked!: () => void;
      const lockTaken = new Promise<void>((resolve) => (locked = resolve));
      const holding = holder.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
        locked();
        await released;
      });
      await lockTaken;
      server = spawnServer({ ...env(), HOST: '127.0.0.1' });
      // Wait until the new instance is queued behind the lock...
      const deadline = Date.now() + 20_000;
      while ((await query<{ n: number }>(sql`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`))[0]?.n !== 1) {
        if (Date.now() > deadline || server.exitStatus()) throw new Error(`the instance never waited for the lock; stderr: ${server.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // ...and keep it waiting for longer than Fastify's default plugin timeout (10 s).
      await new Promise((resolve) => setTimeout(resolve, 10_500));
      const whileWaiting = server.exitStatus();
      release();
      await holding;
      expect(whileWaiting, `the instance gave up while waiting for the migration lock; stderr: ${server.stderr().slice(0, 400)}`).toBeUndefined();
      // Once the lock is free it finds nothing to migrate and serves. `/ready`'s Redis PING must answer
      // within 250 ms, which a loaded CI host can miss once, so the answer is awaited, not taken at
      // the first sight (start-up itself waits for the Redis connection: plugins/throttle.ts).
      const expected = { status: 200, body: { status: 'ready', database: 'ok', redis: 'ok' } };
      const deadlineReady = Date.now() + 15_000;
      let ready: { status: number; body: unknown } | undefined;
      while (Date.now() < deadlineReady && !server.exitStatus()) {
        ready = await readyStatus(server).catch(() => undefined);
        if (isDeepStrictEqual(ready, expected)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ready).toEqual(expected);
      expect(server.logs().filter((line) => line.msg === 'migrations applied')).toEqual([]);
    } finally {
      if (server && !server.exitStatus()) await server.stop('SIGTERM', 10_000).catch(() => server?.stop('SIGKILL', 5_000));
      await holder.close();
    }
  }, 45_000);
});
