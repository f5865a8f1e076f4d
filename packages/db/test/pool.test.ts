// The worker's pool of in-memory migrated databases (testing.ts): a database a test file gave back
// is handed to the next one only as the image was, or not at all.
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { connect, users, type OpenPglite, type PglitePool } from '../src/index.js';
import { createTestDatabase } from '../src/testing.js';

async function pool(): Promise<PglitePool> {
  const { target } = await createTestDatabase('memory://', { migrated: true });
  if (target.kind !== 'pglite' || !target.pool) throw new Error('a migrated in-memory database comes from a pool');
  return target.pool;
}

const one = async <T>(db: OpenPglite, query: string): Promise<T> => (await db.query<T>(query)).rows[0]!;

describe('the pool of migrated in-memory databases', () => {
  it('hands a database back out reset to the image: rows, sequences, session, locks, statistics', async () => {
    const p = await pool();
    const a = await p.take();
    await a.exec(`insert into users (email, hashed_password) values ('a@example.com', 'x'), ('b@example.com', 'y')`);
    await a.exec(`analyze users`);
    await a.exec(`set statement_timeout = '1234ms'`);
    await a.query(`select pg_advisory_lock(42)`);
    // A transaction left open by its user.
    await a.exec(`begin; insert into users (email, hashed_password) values ('c@example.com', 'z')`);
    await p.give(a);

    const b = await p.take();
    try {
      expect(b).toBe(a);
      expect(await one(b, `select count(*)::int as n from users`)).toEqual({ n: 0 });
      expect(await one(b, `insert into users (email, hashed_password) values ('d@example.com', 'w') returning id`)).toEqual({ id: 1 });
      expect(await one(b, `show statement_timeout`)).toEqual({ statement_timeout: '0' });
      expect(await one(b, `select count(*)::int as n from pg_locks where locktype = 'advisory'`)).toEqual({ n: 0 });
      expect(await one(b, `select count(*)::int as n from pg_statistic where starelid = 'users'::regclass`)).toEqual({ n: 0 });
    } finally {
      await p.give(b);
    }
  });

  it("a closed connection's user cannot reach the database it gave back (its next user's)", async () => {
    const database = await createTestDatabase('memory://', { migrated: true });
    const first = await connect(database.target);
    await first.db.execute(sql`select 1`);
    await first.close();
    const second = await connect(database.target);
    try {
      await expect(first.db.execute(sql`insert into users (email, hashed_password) values ('late@example.com', 'x')`)).rejects.toThrow();
      expect(await second.db.$count(users)).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('closes a database whose schema a test changed instead of handing it out', async () => {
    const p = await pool();
    const a = await p.take();
    await a.exec(`alter table clients add column stray text`);
    await p.give(a);
    expect(a.closed).toBe(true);
    const b = await p.take();
    try {
      expect(b).not.toBe(a);
      expect(await one(b, `select count(*)::int as n from information_schema.columns where table_name = 'clients' and column_name = 'stray'`)).toEqual({ n: 0 });
    } finally {
      await p.give(b);
    }
  });

  it('closes a database whose migrations journal a test changed', async () => {
    const p = await pool();
    const a = await p.take();
    await a.exec(`delete from drizzle.__drizzle_migrations where id = (select max(id) from drizzle.__drizzle_migrations)`);
    await p.give(a);
    expect(a.closed).toBe(true);
  });

  it('closes a database with a new object in another schema, or a new role', async () => {
    const p = await pool();
    const a = await p.take();
    await a.exec(`create schema stray; create table stray.t (x int)`);
    await p.give(a);
    expect(a.closed).toBe(true);
    const b = await p.take();
    await b.exec(`create role stray_role`);
    await p.give(b);
    expect(b.closed).toBe(true);
  });
});
