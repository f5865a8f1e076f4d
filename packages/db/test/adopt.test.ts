// The original Python service (SQLAlchemy models + Alembic) already created its tables: the first
// migration must adopt them untouched, and a failing migration must leave that database as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECK_VIOLATION, EXCLUSION_VIOLATION, migrate, readCatalog, sqlState, UNIQUE_VIOLATION } from '../src/index.js';
import type { Connection } from '../src/index.js';
import { SEED_SCHEMA } from '../src/seed-era.js';
import { createTestDatabase } from '../src/testing.js';
import type { TestDatabase } from '../src/testing.js';
import {
  ALEMBIC_COLUMNS,
  ALEMBIC_CONSTRAINTS,
  ALEMBIC_INDEXES,
  COLUMNS_0002,
  COLUMNS_0003,
  COLUMNS_0004,
  COLUMNS_0005,
  COLUMNS_0006,
  COLUMNS_0007,
  COLUMNS_0009,
  CONSTRAINTS_0002,
  CONSTRAINTS_0003,
  CONSTRAINTS_0005,
  CONSTRAINTS_0006,
  CONSTRAINTS_0007,
  EXTENSIONS_0002,
  EXTENSIONS_0008,
  FOREIGN_KEYS_0002,
  FOREIGN_KEYS_0005,
  FOREIGN_KEYS_0006,
  FOREIGN_KEYS_0007,
  INDEXES_0001,
  INDEXES_0002,
  INDEXES_0003,
  INDEXES_0004,
  INDEXES_0005,
  INDEXES_0006,
  INDEXES_0007,
  INDEXES_0010,
  FUNCTIONS_0010,
  ORIGINAL_COLUMNS,
  ORIGINAL_CONSTRAINTS,
  ORIGINAL_FOREIGN_KEYS,
  ORIGINAL_INDEXES,
  SEED_ID_INDEXES,
} from './catalog.js';
import {
  byTableAndName,
  expectedIndexes,
  columns,
  constraints,
  extensions,
  foreignKeys,
  inColumnOrder,
  indexes,
  ownerColumns,
} from './catalog-read.js';
import { count, exec, journalRows, messages, migrationFiles, migrations, open, rejection, rows, sql } from './helpers.js';
import { describeOwnershipRules, describeRevocationRules } from './ownership.js';

// What `alembic upgrade head` emitted for the original models: the contract's seed schema.
const ORIGINAL_SCHEMA = SEED_SCHEMA;

const BCRYPT = '$2b$12$KIXQJ1f9y5Zr3o1p7Vw6UeN2c1m8lq0sQe4bV8y7m6k5j4h3g2f1a';
const NOT_NULL_VIOLATION = '23502';

const allDatabases: TestDatabase[] = [];
const allConnections: Connection[] = [];

async function originalDatabase(): Promise<Connection> {
  const db = await createTestDatabase();
  allDatabases.push(db);
  const c = await open(db);
  allConnections.push(c);
  await exec(c, ORIGINAL_SCHEMA);
  return c;
}

/** Closes the databases opened so far: after each group of tests, so the next group reuses them (the worker's pool). */
async function closeDatabases(): Promise<void> {
  for (const c of allConnections.splice(0)) await c.close();
  for (const db of allDatabases.splice(0)) await db.drop();
}

interface Snapshot {
  users: unknown[];
  clients: unknown[];
  appointments: unknown[];
  alembic: unknown[];
}

/** Every row, through the original columns only. */
async function snapshot(c: Connection): Promise<Snapshot> {
  return {
    users: await rows(
      c,
      sql`select id, email, hashed_password, is_active, created_at::text as created_at from users order by id`,
    ),
    clients: await rows(c, sql`select id, name, phone from clients order by id`),
    appointments: await rows(
      c,
      sql`select id, client_id, starts_at::text as starts_at, ends_at::text as ends_at, notes from appointments order by id`,
    ),
    alembic: await rows(c, sql`select version_num from alembic_version`),
  };
}

/** Who owns what after 0002: [id, owner_id] of every client and appointment. */
async function owners(c: Connection): Promise<{ clients: unknown[]; appointments: unknown[] }> {
  return {
    clients: await rows(c, sql`select id, owner_id from clients order by id`),
    appointments: await rows(c, sql`select id, owner_id from appointments order by id`),
  };
}

/** The catalog the original service left, exactly (Alembic's table included). */
async function expectOriginalCatalog(c: Connection): Promise<void> {
  expect(await columns(c)).toEqual(inColumnOrder(ALEMBIC_COLUMNS, ORIGINAL_COLUMNS));
  expect(await constraints(c)).toEqual(byTableAndName(ALEMBIC_CONSTRAINTS, ORIGINAL_CONSTRAINTS));
  expect(await foreignKeys(c)).toEqual(ORIGINAL_FOREIGN_KEYS);
  expect(await indexes(c)).toEqual(expectedIndexes(ALEMBIC_INDEXES, ORIGINAL_INDEXES, SEED_ID_INDEXES));
}

/** A failed migrate() left the database exactly as the original service had it. */
async function expectUnchanged(c: Connection, before: Snapshot, extensionsBefore: string[]): Promise<void> {
  expect(await count(c, sql`select count(*)::int as n from pg_namespace where nspname = 'drizzle'`)).toBe(0);
  expect(
    await count(c, sql`select count(*)::int as n from information_schema.tables where table_name = '__drizzle_migrations'`),
  ).toBe(0);
  expect(await ownerColumns(c)).toBe(0);
  await expectOriginalCatalog(c);
  expect(await extensions(c)).toEqual(extensionsBefore);
  expect(await snapshot(c)).toEqual(before);
}

describe('adopting the original service’s database', () => {
  afterAll(closeDatabases);
  let c: Connection;
  let before: Snapshot;
  let extensionsBefore: string[];

  beforeAll(async () => {
    c = await originalDatabase();
    extensionsBefore = await extensions(c);
    await c.db.execute(
      sql`insert into users (email, hashed_password, is_active, created_at)
          values ('Alice.Smith@Example.COM', ${BCRYPT}, true, '2023-05-06T07:08:09.123456Z')`,
    );
    await c.db.execute(
      sql`insert into users (email, hashed_password, created_at)
          values ('bob@example.com', ${BCRYPT}, '2023-06-01T12:00:00Z')`,
    );
    // Alice's row is rewritten after Bob's: the smallest id is no longer the first row a scan meets.
    await c.db.execute(sql`update users set is_active = false where id = 1`);
    await c.db.execute(
      sql`insert into clients (name, phone) values
          ('Acme GmbH', '+49 30 1234567'),
          ('Beta Ltd', '+44 20 7946 0000'),
          ('Gamma SA', '+33 1 23 45 67 89')`,
    );
    // One shared calendar in the original service: nothing overlaps (back-to-back is fine).
    await c.db.execute(
      sql`insert into appointments (client_id, starts_at, ends_at, notes) values
          (1, '2024-01-15T10:00:00Z', '2024-01-15T10:30:00Z', 'Quarterly review'),
          (1, '2024-01-15T10:30:00Z', '2024-01-15T11:00:00Z', null),
          (2, '2024-01-15T11:00:00Z', '2024-01-15T12:00:00Z', 'Kick-off'),
          (3, '2024-01-16T09:00:00Z', '2024-01-16T09:45:00Z', null)`,
    );
    before = await snapshot(c);
  });

  it('migrate() succeeds, applies every migration and keeps every row', async () => {
    expect(before.users).toHaveLength(2);
    expect(before.clients).toHaveLength(3);
    expect(before.appointments).toHaveLength(4);

    const result = await migrate(c.db);
    expect(result.applied).toEqual(migrations.map((m) => m.hash));

    const after = await snapshot(c);
    expect(after).toEqual(before);
    expect(after.users).toEqual([
      expect.objectContaining({ id: 1, email: 'Alice.Smith@Example.COM', hashed_password: BCRYPT, is_active: false }),
      expect.objectContaining({ id: 2, email: 'bob@example.com', hashed_password: BCRYPT, is_active: true }),
    ]);
    expect(after.alembic).toEqual([{ version_num: '3f2a9c1b7d40' }]);
  });

  it('every client and appointment now belongs to the user with the smallest id', async () => {
    expect(await owners(c)).toEqual({
      clients: [
        { id: 1, owner_id: 1 },
        { id: 2, owner_id: 1 },
        { id: 3, owner_id: 1 },
      ],
      appointments: [
        { id: 1, owner_id: 1 },
        { id: 2, owner_id: 1 },
        { id: 3, owner_id: 1 },
        { id: 4, owner_id: 1 },
      ],
    });
    // Each appointment is in its client's owner's calendar.
    expect(
      await count(
        c,
        sql`select count(*)::int as n from appointments a join clients cl on cl.id = a.client_id
            where a.owner_id <> cl.owner_id`,
      ),
    ).toBe(0);
  });

  it('every existing user gets token_version 0 and no revocation time (their tokens stay valid) and nothing is revoked', async () => {
    // Read before the next test adds and deletes users: exactly the two users the original had.
    expect(
      await rows(c, sql`select id, token_version, pg_typeof(token_version)::text as type, tokens_revoked_at from users order by id`),
    ).toEqual([
      { id: 1, token_version: 0, type: 'integer', tokens_revoked_at: null },
      { id: 2, token_version: 0, type: 'integer', tokens_revoked_at: null },
    ]);
    expect(await count(c, sql`select count(*)::int as n from revoked_tokens`)).toBe(0);
  });

  it('the journal lists every migration', async () => {
    const journal = await journalRows(c);
    expect(journal.map((row) => row.hash)).toEqual(migrations.map((m) => m.hash));
    expect(journal.map((row) => row.created_at)).toEqual(migrations.map((m) => m.folderMillis));
    expect(journal).toHaveLength(migrationFiles.length);
  });

  it('the catalog is the original one, unchanged, plus exactly what 0001 to 0010 add', async () => {
    expect(await columns(c)).toEqual(inColumnOrder(ALEMBIC_COLUMNS, ORIGINAL_COLUMNS, COLUMNS_0002, COLUMNS_0003, COLUMNS_0004, COLUMNS_0005, COLUMNS_0006, COLUMNS_0007, COLUMNS_0009));
    expect(await constraints(c)).toEqual(
      byTableAndName(ALEMBIC_CONSTRAINTS, ORIGINAL_CONSTRAINTS, CONSTRAINTS_0002, CONSTRAINTS_0003, CONSTRAINTS_0005, CONSTRAINTS_0006, CONSTRAINTS_0007),
    );
    expect(await foreignKeys(c)).toEqual(byTableAndName(ORIGINAL_FOREIGN_KEYS, FOREIGN_KEYS_0002, FOREIGN_KEYS_0005, FOREIGN_KEYS_0006, FOREIGN_KEYS_0007));
    expect(await indexes(c)).toEqual(
      expectedIndexes(ALEMBIC_INDEXES, ORIGINAL_INDEXES, SEED_ID_INDEXES, INDEXES_0001, INDEXES_0002, INDEXES_0003, INDEXES_0004, INDEXES_0005, INDEXES_0006, INDEXES_0007, INDEXES_0010),
    );
    expect(await extensions(c)).toEqual([...extensionsBefore, ...EXTENSIONS_0002, ...EXTENSIONS_0008].sort());
    expect((await readCatalog(c.db)).functions).toEqual(FUNCTIONS_0010);
    // Alembic's constraint is kept, the original foreign key is not duplicated.
    expect(
      await count(c, sql`select count(*)::int as n from pg_constraint where conname = 'appointments_client_id_fkey'`),
    ).toBe(1);
  });

  it('the adopted tables keep working: ids continue, lower(email) is unique, cascades hold', async () => {
    const [user] = await rows<{ id: number }>(
      c,
      sql`insert into users (email, hashed_password) values ('carol@example.com', ${BCRYPT}) returning id`,
    );
    expect(user).toEqual({ id: 3 });

    const err = await rejection(
      c.db.execute(sql`insert into users (email, hashed_password) values ('alice.smith@example.com', ${BCRYPT})`),
    );
    expect(sqlState(err)).toBe(UNIQUE_VIOLATION);
    expect(messages(err)).toContain('users_email_lower_key');

    const [client] = await rows<{ id: number }>(
      c,
      sql`insert into clients (name, phone, owner_id) values ('Delta', '+1 555 0100', 2) returning id`,
    );
    expect(client).toEqual({ id: 4 });
    // The adopted calendar refuses a double booking like any other.
    const overlap = await rejection(
      c.db.execute(sql`insert into appointments (client_id, owner_id, starts_at, ends_at)
                       values (2, 1, '2024-01-15T11:30:00Z', '2024-01-15T12:30:00Z')`),
    );
    expect(sqlState(overlap)).toBe(EXCLUSION_VIOLATION);

    await c.db.execute(sql`delete from clients where id = 1`);
    expect(await rows(c, sql`select id from appointments order by id`)).toEqual([{ id: 3 }, { id: 4 }]);

    await c.db.execute(sql`delete from users where id = 1`);
    expect(await rows(c, sql`select id from clients order by id`)).toEqual([{ id: 4 }]);
    expect(await count(c, sql`select count(*)::int as n from appointments`)).toBe(0);
    expect(await rows(c, sql`select id from users order by id`)).toEqual([{ id: 2 }, { id: 3 }]);
  });

  it('a second migrate() applies nothing', async () => {
    expect((await migrate(c.db)).applied).toEqual([]);
    expect(await journalRows(c)).toHaveLength(migrations.length);
  });

  describeOwnershipRules('the adopted database', () => c);
  describeRevocationRules('the adopted database', () => c);
});

describe('an original database with emails differing only in case', () => {
  afterAll(closeDatabases);
  let c: Connection;
  let before: Snapshot;
  let extensionsBefore: string[];

  beforeAll(async () => {
    c = await originalDatabase();
    extensionsBefore = await extensions(c);
    await c.db.execute(
      sql`insert into users (email, hashed_password) values ('Bob@x.io', ${BCRYPT}), ('bob@x.io', ${BCRYPT})`,
    );
    before = await snapshot(c);
  });

  it('migrate() rejects with a unique violation', async () => {
    expect(before.users).toHaveLength(2);
    const err = await rejection(migrate(c.db));
    expect(sqlState(err)).toBe(UNIQUE_VIOLATION);
  });

  it('and nothing changed: no drizzle schema, no journal, no new index, both rows still there', async () => {
    await expectUnchanged(c, before, extensionsBefore);
    expect(await count(c, sql`select count(*)::int as n from pg_class where relname = 'users_email_lower_key'`)).toBe(0);
    const emails = await rows<{ email: string }>(c, sql`select email from users order by email`);
    expect(emails.map((row) => row.email)).toEqual(['Bob@x.io', 'bob@x.io']);
  });

  it('fails the same way again, still changing nothing', async () => {
    const err = await rejection(migrate(c.db));
    expect(sqlState(err)).toBe(UNIQUE_VIOLATION);
    await expectUnchanged(c, before, extensionsBefore);
  });

  it('once the duplicate is merged, migrate() succeeds', async () => {
    await c.db.execute(sql`delete from users where email = 'Bob@x.io'`);
    expect((await migrate(c.db)).applied).toEqual(migrations.map((m) => m.hash));
    expect((await indexes(c)).map((index) => index.name)).toContain('users_email_lower_key');
    expect(await ownerColumns(c)).toBe(3); // clients, appointments (0002) and calls (0006)
    expect(await journalRows(c)).toHaveLength(migrations.length);
  });
});

describe('an original database whose shared calendar has overlapping appointments', () => {
  afterAll(closeDatabases);
  let c: Connection;
  let before: Snapshot;
  let extensionsBefore: string[];

  beforeAll(async () => {
    c = await originalDatabase();
    extensionsBefore = await extensions(c);
    await c.db.execute(sql`insert into users (email, hashed_password) values ('owner@example.com', ${BCRYPT})`);
    await c.db.execute(sql`insert into clients (name, phone) values ('Acme', '+1 555 0101'), ('Beta', '+1 555 0102')`);
    // The original service let two clients book the same hour: one calendar now, so they collide.
    await c.db.execute(
      sql`insert into appointments (client_id, starts_at, ends_at) values
          (1, '2024-02-01T10:00:00Z', '2024-02-01T11:00:00Z'),
          (2, '2024-02-01T10:00:00Z', '2024-02-01T11:00:00Z'),
          (2, '2024-02-02T10:00:00Z', '2024-02-02T11:00:00Z')`,
    );
    before = await snapshot(c);
  });

  it('migrate() rejects with an exclusion violation (23P01)', async () => {
    expect(before.appointments).toHaveLength(3);
    const err = await rejection(migrate(c.db));
    expect(sqlState(err)).toBe(EXCLUSION_VIOLATION);
    expect(sqlState(err)).toBe('23P01');
    expect(messages(err)).toContain('appointments_no_overlap');
  });

  it('and nothing changed: no journal, no owner_id, no extension, every row as it was', async () => {
    await expectUnchanged(c, before, extensionsBefore);
  });

  it('fails the same way again, still changing nothing', async () => {
    expect(sqlState(await rejection(migrate(c.db)))).toBe(EXCLUSION_VIOLATION);
    await expectUnchanged(c, before, extensionsBefore);
  });

  it('once one of them is moved (back-to-back is fine), migrate() succeeds', async () => {
    await c.db.execute(
      sql`update appointments set starts_at = '2024-02-01T11:00:00Z', ends_at = '2024-02-01T12:00:00Z' where id = 2`,
    );
    expect((await migrate(c.db)).applied).toEqual(migrations.map((m) => m.hash));
    expect(await owners(c)).toEqual({
      clients: [
        { id: 1, owner_id: 1 },
        { id: 2, owner_id: 1 },
      ],
      appointments: [
        { id: 1, owner_id: 1 },
        { id: 2, owner_id: 1 },
        { id: 3, owner_id: 1 },
      ],
    });
  });
});

describe('an original database with an appointment that does not end after it starts', () => {
  afterAll(closeDatabases);
  let c: Connection;
  let before: Snapshot;
  let extensionsBefore: string[];

  beforeAll(async () => {
    c = await originalDatabase();
    extensionsBefore = await extensions(c);
    await c.db.execute(sql`insert into users (email, hashed_password) values ('owner@example.com', ${BCRYPT})`);
    await c.db.execute(sql`insert into clients (name, phone) values ('Acme', '+1 555 0101')`);
    await c.db.execute(
      sql`insert into appointments (client_id, starts_at, ends_at) values
          (1, '2024-02-01T10:00:00Z', '2024-02-01T11:00:00Z'),
          (1, '2024-02-02T10:00:00Z', '2024-02-02T10:00:00Z')`,
    );
    before = await snapshot(c);
  });

  it('migrate() rejects with a check violation (23514) and changes nothing', async () => {
    const err = await rejection(migrate(c.db));
    expect(sqlState(err)).toBe(CHECK_VIOLATION);
    expect(messages(err)).toContain('appointments_ends_after_starts');
    await expectUnchanged(c, before, extensionsBefore);
  });
});

describe('an original database with clients but no users', () => {
  afterAll(closeDatabases);
  let c: Connection;
  let before: Snapshot;
  let extensionsBefore: string[];

  beforeAll(async () => {
    c = await originalDatabase();
    extensionsBefore = await extensions(c);
    await c.db.execute(sql`insert into clients (name, phone) values ('Acme', '+1 555 0101'), ('Beta', '+1 555 0102')`);
    await c.db.execute(
      sql`insert into appointments (client_id, starts_at, ends_at) values (2, '2024-02-01T10:00:00Z', '2024-02-01T11:00:00Z')`,
    );
    before = await snapshot(c);
  });

  it('migrate() rejects: nobody can own the clients (owner_id stays NULL, 23502)', async () => {
    expect(before.users).toEqual([]);
    expect(before.clients).toHaveLength(2);
    const err = await rejection(migrate(c.db));
    expect(sqlState(err)).toBe(NOT_NULL_VIOLATION);
    expect(messages(err)).toContain('owner_id');
  });

  it('and nothing changed: no journal, no owner_id, no extension, every row as it was', async () => {
    await expectUnchanged(c, before, extensionsBefore);
  });

  it('once a user exists, migrate() succeeds and gives that user every client', async () => {
    await c.db.execute(sql`insert into users (email, hashed_password) values ('owner@example.com', ${BCRYPT})`);
    expect((await migrate(c.db)).applied).toEqual(migrations.map((m) => m.hash));
    expect(await owners(c)).toEqual({
      clients: [
        { id: 1, owner_id: 1 },
        { id: 2, owner_id: 1 },
      ],
      appointments: [{ id: 1, owner_id: 1 }],
    });
  });
});
