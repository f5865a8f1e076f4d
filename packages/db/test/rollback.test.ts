// The way back: packages/db/rollback/to-original.sql returns an adopted seed-era database to the
// original schema, catalog for catalog, with every user, client and appointment kept; and the
// database can be adopted again afterwards.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkSchema, migrate, readCatalog, resultRows, type Catalog } from '../src/index.js';
import type { Connection } from '../src/index.js';
import { createSeedDatabase } from '../src/seed-era.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { extensions } from './catalog-read.js';
import { count, migrations, open, rows, sql } from './helpers.js';

const ROLLBACK = fileURLToPath(new URL('../rollback/to-original.sql', import.meta.url));

/** The file's statements (one per line-ending `;`, comments dropped), as psql runs them. */
function rollbackStatements(): string[] {
  const text = readFileSync(ROLLBACK, 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n');
  return text.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);
}

/** Runs the file in one transaction, as psql --single-transaction does; returns the last SELECT's rows. */
async function rollBack(conn: Connection): Promise<unknown[]> {
  let selected: unknown[] = [];
  await conn.db.transaction(async (tx) => {
    for (const statement of rollbackStatements()) {
      const result: unknown = await tx.execute(sql.raw(statement));
      if (statement.startsWith('SELECT')) selected = resultRows(result);
    }
  });
  return selected;
}

const OURS = ['btree_gin', 'btree_gist', 'pg_trgm'];

let db: TestDatabase;
let c: Connection;
let before: Catalog;
let rowsBefore: unknown;

const everyRow = async () => ({
  users: await rows(c, sql`select id, email, hashed_password, is_active, created_at::text as created_at from users order by id`),
  clients: await rows(c, sql`select id, name, phone from clients order by id`),
  appointments: await rows(c, sql`select id, client_id, starts_at::text as s, ends_at::text as e, notes from appointments order by id`),
  alembic: await rows(c, sql`select version_num from alembic_version`),
});

beforeAll(async () => {
  db = await createTestDatabase();
  c = await open(db);
  await createSeedDatabase(c.db);
  before = await readCatalog(c.db);
  rowsBefore = await everyRow();
  await migrate(c.db);
  // Life on AgentCaller: an argon2 user, a client and an appointment with an owner and a status.
  await c.db.execute(sql`insert into users (email, hashed_password) values ('new@example.com', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA')`);
  await c.db.execute(sql`insert into clients (name, phone, owner_id) values ('Fay', '+14155550111', 4)`);
  await c.db.execute(sql`insert into appointments (client_id, owner_id, starts_at, ends_at, status) values (6, 4, '2026-05-01T10:00:00Z', '2026-05-01T11:00:00Z', 'cancelled')`);
  await c.db.execute(sql`insert into appointments (client_id, owner_id, starts_at, ends_at, status, notes) values (6, 4, '2026-05-02T10:00:00Z', '2026-05-02T11:00:00Z', 'no_show', 'called twice')`);
  await c.db.execute(sql`insert into appointments (client_id, owner_id, starts_at, ends_at, status, notes) values (6, 4, '2026-05-03T10:00:00Z', '2026-05-03T11:00:00Z', 'cancelled', '[cancelled by db:overlaps on 2026-05-01: overlapped appointment 1]')`);
});

afterAll(async () => {
  await c?.close();
  await db?.drop();
});

describe('rollback/to-original.sql on an adopted seed-era database', () => {
  it('runs in one transaction and lists the users the original cannot verify', async () => {
    expect(await rollBack(c)).toEqual([{ id: 4, email: 'new@example.com' }]);
  });

  it('leaves exactly the original catalog: every column, constraint, index and extension as before', async () => {
    expect(await readCatalog(c.db)).toEqual(before);
    expect(before.extensions.filter((name) => OURS.includes(name))).toEqual([]);
    expect(await count(c, sql`select count(*)::int as n from pg_namespace where nspname = 'drizzle'`)).toBe(0);
  });

  it('keeps every row: the original ones unchanged, and those written on AgentCaller', async () => {
    const after = (await everyRow()) as { users: unknown[]; clients: unknown[]; appointments: unknown[] };
    const original = rowsBefore as typeof after;
    expect(after.users.slice(0, original.users.length)).toEqual(original.users);
    expect(after.clients.slice(0, original.clients.length)).toEqual(original.clients);
    expect(after.appointments.slice(0, original.appointments.length)).toEqual(original.appointments);
    expect([after.users.length, after.clients.length, after.appointments.length]).toEqual([
      original.users.length + 1,
      original.clients.length + 1,
      original.appointments.length + 3,
    ]);
  });

  it("marks in its note each appointment whose status the original cannot hold, once", async () => {
    const notes = await rows(c, sql`select notes from appointments where starts_at >= '2026-05-01T00:00:00Z' order by starts_at`);
    expect(notes).toEqual([
      { notes: '[cancelled on AgentCaller]' },
      { notes: 'called twice\n[no-show on AgentCaller]' },
      { notes: '[cancelled by db:overlaps on 2026-05-01: overlapped appointment 1]' },
    ]);
  });

  it('the original service can insert again as it did (no owner, no status), and AgentCaller can adopt it again', async () => {
    await c.db.execute(sql`insert into clients (name, phone) values ('Gus', '415 555 0177')`);
    expect((await migrate(c.db)).applied).toHaveLength(migrations.length);
    expect(await checkSchema(c.db)).toEqual([]);
  });
});

// The README promises the original schema exactly: an extension the database had before adoption
// (for a trigram index of the team's own, say) is not AgentCaller's to drop.
describe('extensions the database had before adoption stay', () => {
  const opened: { db: TestDatabase; c: Connection }[] = [];
  // Back to the worker's pool after each test, for the next one to reuse.
  afterEach(async () => {
    for (const o of opened.splice(0)) {
      await o.c.close();
      await o.db.drop();
    }
  });

  /** An original-schema database with `setup` run first; adopted; the catalog before adoption. */
  async function adopted(setup: string[]): Promise<{ c: Connection; before: Catalog }> {
    const database = await createTestDatabase();
    const conn = await open(database);
    opened.push({ db: database, c: conn });
    await createSeedDatabase(conn.db);
    for (const statement of setup) await conn.db.execute(sql.raw(statement));
    const catalog = await readCatalog(conn.db);
    await migrate(conn.db);
    expect(await extensions(conn)).toEqual(expect.arrayContaining(OURS));
    return { c: conn, before: catalog };
  }

  it('pg_trgm, with an index of its own: the migrator wrote down what was there, once', async () => {
    const { c: conn, before: catalog } = await adopted(['create extension pg_trgm', 'create index team_name_trgm on clients using gin (name gin_trgm_ops)']);
    await migrate(conn.db);
    expect(await rows(conn, sql`select extensions_before from drizzle.adoption`)).toEqual([{ extensions_before: catalog.extensions }]);
    await rollBack(conn);
    expect(await readCatalog(conn.db)).toEqual(catalog);
    expect(catalog.extensions).toContain('pg_trgm');
  });

  it('btree_gist', async () => {
    const { c: conn, before: catalog } = await adopted(['create extension btree_gist']);
    await rollBack(conn);
    expect(await readCatalog(conn.db)).toEqual(catalog);
    expect(catalog.extensions).toContain('btree_gist');
  });

  it('adopted before the migrator wrote it down: an extension older than its journal stays; a second run drops nothing', async () => {
    const { c: conn, before: catalog } = await adopted(['create extension pg_trgm']);
    // What a database adopted by an earlier release has: the journal, no record of the extensions.
    await conn.db.execute(sql`drop table drizzle.adoption`);
    await rollBack(conn);
    expect(await readCatalog(conn.db)).toEqual(catalog);
    expect(catalog.extensions).toContain('pg_trgm');
    await rollBack(conn);
    expect(await readCatalog(conn.db)).toEqual(catalog);
  });
});
