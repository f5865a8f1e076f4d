// Round 16's black-box break test: four conditions of a database that is there but cannot complete
// a statement now answered 500. Each error here is PostgreSQL's own, raised on the real server, and
// read as the API reads it: unreachable or busy (503 `unavailable`), or a statement timeout (503
// `query-timeout`). The API's answers are in database-incidents.test.ts.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect, databaseBusy, databaseUnreachable, type Connection } from '@agentcaller/db';
import type { TestDatabase } from '@agentcaller/db/testing';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../faults/api.js';

const databases: TestDatabase[] = [];
const connections: Connection[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) await c.close().catch(() => {});
  for (const d of databases.splice(0)) await d.drop();
});

async function database(): Promise<TestDatabase> {
  const d = await createPostgresDatabase();
  databases.push(d);
  return d;
}

async function open(url: string, options: Parameters<typeof connect>[1] = {}): Promise<Connection> {
  const c = await connect({ kind: 'postgres', url }, { maxConnections: 1, ...options });
  connections.push(c);
  return c;
}

const psql = (url: string, script: string) => promisify(execFile)('psql', [url, '-qAtc', script]);

/** The error a promise rejects with (fails the test when it resolves). */
async function failure(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe("PostgreSQL's errors of a database that cannot complete a statement now, on postgres", () => {
  it('reads a connection limit reached (53300, too many clients) as the database unreachable', async () => {
    const d = await database();
    const role = `ac_limited_${process.pid}_${Date.now()}`;
    await psql(d.url, `create role ${role} login connection limit 0`);
    try {
      const url = new URL(d.url);
      url.username = role;
      url.password = '';
      const { db } = await open(url.href);
      const err = await failure(db.execute(sql`select 1`));
      expect(databaseUnreachable(err)).toMatch(/connection slot|limit/);
    } finally {
      for (const c of connections.splice(0)) await c.close().catch(() => {});
      await psql(d.url, `drop role ${role}`);
    }
  });

  it('reads a serialization failure (40001) as busy', async () => {
    const d = await database();
    await psql(d.url, 'create table counted (n int)');
    const [a, b] = [(await open(d.url)).db, (await open(d.url)).db];
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    const writer = (db: typeof a) =>
      db.transaction(
        async (tx) => {
          await tx.execute(sql`select count(*) from counted`);
          if (++reads === 2) release();
          await bothRead;
          await tx.execute(sql`insert into counted values (1)`);
        },
        { isolationLevel: 'serializable' },
      );
    const outcomes = await Promise.allSettled([writer(a), writer(b)]);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(databaseBusy(rejected[0]!.reason)).toMatch(/serialized/);
  });

  it('reads a lock not granted within lock_timeout (55P03) and a read-only database (25006) as busy', async () => {
    const d = await database();
    await psql(d.url, 'create table held (n int)');
    const holder = (await open(d.url)).db;
    const waiter = (await open(d.url, { lockTimeoutMs: 200 })).db;
    await holder.transaction(async (tx) => {
      await tx.execute(sql`lock table held in access exclusive mode`);
      expect(databaseBusy(await failure(waiter.execute(sql`select * from held`)))).toMatch(/lock/);
    });
    const readOnly = await failure(waiter.transaction(async (tx) => tx.execute(sql`insert into held values (1)`), { accessMode: 'read only' }));
    expect(databaseBusy(readOnly)).toMatch(/read-only/);
  });

  it('tells a statement cancelled by an operator (busy) from one past the statement timeout (not busy: query-timeout)', async () => {
    const d = await database();
    const { db } = await open(d.url, { statementTimeoutMs: 300 });
    const timedOut = await failure(db.execute(sql`select pg_sleep(5)`));
    expect(databaseBusy(timedOut)).toBeUndefined();
    const sleeping = failure(db.execute(sql`select pg_sleep(5), 'cancel me'`));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await psql(d.url, "select pg_cancel_backend(pid) from pg_stat_activity where query like '%cancel me%' and pid <> pg_backend_pid()");
    expect(databaseBusy(await sleeping)).toMatch(/cancelled/);
  });
});
