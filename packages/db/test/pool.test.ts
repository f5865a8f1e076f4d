// The worker's pools of in-memory databases, migrated and empty (testing.ts): a database a test
// file gave back is handed to the next one only as the image was, or not at all.
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { connect, resultRows, users, type OpenPglite, type PglitePool } from '../src/index.js';
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

  it('drops the schemas and roles a test added, and hands the database out again', async () => {
    const p = await pool();
    const a = await p.take();
    await a.exec(`create schema stray; create table stray.t (x int); create role stray_role`);
    await p.give(a);
    const b = await p.take();
    try {
      expect(b).toBe(a);
      expect(await one(b, `select count(*)::int as n from pg_namespace where nspname = 'stray'`)).toEqual({ n: 0 });
      expect(await one(b, `select count(*)::int as n from pg_roles where rolname = 'stray_role'`)).toEqual({ n: 0 });
    } finally {
      await p.give(b);
    }
  });

  it('closes a database with a comment a test put on one of the image\'s tables', async () => {
    const p = await pool();
    const a = await p.take();
    await a.exec(`comment on table users is 'stray'`);
    await p.give(a);
    expect(a.closed).toBe(true);
  });
});

describe('the pool of empty in-memory databases', () => {
  async function emptyPool(): Promise<PglitePool> {
    const { target } = await createTestDatabase('memory://');
    if (target.kind !== 'pglite' || !target.pool) throw new Error('an empty in-memory database comes from a pool');
    return target.pool;
  }
  const publicSchema = `select pg_get_userbyid(nspowner) as owner, nspacl::text as acl, obj_description(oid, 'pg_namespace') as comment from pg_namespace where nspname = 'public'`;

  it("drops what a test built in public (the original's schema, a migration's extensions) and makes public again as PostgreSQL does", async () => {
    const p = await emptyPool();
    const a = await p.take();
    const before = await one(a, publicSchema);
    await a.exec(`create extension pg_trgm; create table users (id serial primary key, email text); create index on users using gin (email gin_trgm_ops);
      insert into users (email) values ('a@example.com'); create function f() returns int language sql as 'select 1'; create type mood as enum ('ok');
      create schema drizzle; create table drizzle.j (id int)`);
    await p.give(a);
    const b = await p.take();
    try {
      expect(b).toBe(a);
      expect(await one(b, publicSchema)).toEqual(before);
      expect(await one(b, `select count(*)::int as n from pg_class where relnamespace = 'public'::regnamespace`)).toEqual({ n: 0 });
      expect(await one(b, `select count(*)::int as n from pg_extension where extname = 'pg_trgm'`)).toEqual({ n: 0 });
      expect(await one(b, `select count(*)::int as n from pg_namespace where nspname = 'drizzle'`)).toEqual({ n: 0 });
      // Serial numbering starts again: a new sequence.
      await b.exec(`create table users (id serial primary key)`);
      expect(await one(b, `insert into users default values returning id`)).toEqual({ id: 1 });
    } finally {
      await p.give(b);
    }
  });

  it('closes a database holding what no reset undoes (a publication)', async () => {
    const p = await emptyPool();
    const a = await p.take();
    await a.exec(`create publication stray_publication`);
    await p.give(a);
    expect(a.closed).toBe(true);
  });
});

describe('a lasting in-memory database', () => {
  it('keeps its rows from one connection to the next, with a new session each time, until dropped', async () => {
    const database = await createTestDatabase('memory://', { migrated: true, lasting: true });
    const first = await connect(database.target);
    await first.db.insert(users).values({ email: 'kept@example.com', hashedPassword: 'x' });
    await first.db.execute(sql`set statement_timeout = '1234ms'`);
    // One connection at a time, as an on-disk database's lock allows one process.
    await expect(connect(database.target)).rejects.toThrow(/in use by another connection/);
    await first.close();

    const second = await connect(database.target);
    try {
      expect(await second.db.$count(users)).toBe(1);
      expect(resultRows(await second.db.execute(sql`show statement_timeout`))).toEqual([{ statement_timeout: '0' }]);
    } finally {
      await second.close();
    }
    await database.drop();
    // Dropped: the database went back to the pool, which reset it; a new one starts empty.
    const again = await createTestDatabase('memory://', { migrated: true, lasting: true });
    const third = await connect(again.target);
    try {
      expect(await third.db.$count(users)).toBe(0);
    } finally {
      await third.close();
      await again.drop();
    }
  });
});
