// The original Python service (SQLAlchemy models + Alembic) already created its tables: the first
// migration must adopt them untouched, and a failing migration must leave that database as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, sqlState, UNIQUE_VIOLATION } from '../src/index.js';
import type { Connection } from '../src/index.js';
import { createTestDatabase } from '../src/testing.js';
import type { TestDatabase } from '../src/testing.js';
import { count, exec, journalRows, messages, migrations, open, rejection, rows, sql } from './helpers.js';

// What `alembic upgrade head` emitted for the original models (SQLAlchemy's DDL style).
const ORIGINAL_SCHEMA = [
  `CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL,
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
)`,
  `CREATE TABLE users (
	id SERIAL NOT NULL,
	email VARCHAR(255) NOT NULL,
	hashed_password VARCHAR(255) NOT NULL,
	is_active BOOLEAN DEFAULT true NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id)
)`,
  `CREATE UNIQUE INDEX ix_users_email ON users (email)`,
  `CREATE TABLE clients (
	id SERIAL NOT NULL,
	name VARCHAR(255) NOT NULL,
	phone VARCHAR(32) NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id)
)`,
  `CREATE INDEX ix_clients_name ON clients (name)`,
  `CREATE INDEX ix_clients_phone ON clients (phone)`,
  `CREATE TABLE appointments (
	id SERIAL NOT NULL,
	client_id INTEGER NOT NULL,
	starts_at TIMESTAMP WITH TIME ZONE NOT NULL,
	ends_at TIMESTAMP WITH TIME ZONE NOT NULL,
	notes TEXT,
	created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT appointments_client_id_fkey FOREIGN KEY(client_id) REFERENCES clients (id) ON DELETE CASCADE
)`,
  `CREATE INDEX ix_appointments_client_id ON appointments (client_id)`,
  `INSERT INTO alembic_version (version_num) VALUES ('3f2a9c1b7d40')`,
];

const BCRYPT = '$2b$12$KIXQJ1f9y5Zr3o1p7Vw6UeN2c1m8lq0sQe4bV8y7m6k5j4h3g2f1a';

const allDatabases: TestDatabase[] = [];
const allConnections: Connection[] = [];

async function originalDatabase(): Promise<Connection> {
  const db = await createTestDatabase();
  allDatabases.push(db);
  const c = await open(db.url);
  allConnections.push(c);
  await exec(c, ORIGINAL_SCHEMA);
  return c;
}

afterAll(async () => {
  for (const c of allConnections) await c.close();
  for (const db of allDatabases) await db.drop();
});

interface Snapshot {
  users: unknown[];
  clients: unknown[];
  appointments: unknown[];
  alembic: unknown[];
}

async function snapshot(c: Connection): Promise<Snapshot> {
  return {
    users: await rows(
      c,
      sql`select id, email, hashed_password, is_active, created_at::text as created_at from users order by id`,
    ),
    clients: await rows(c, sql`select id, name, phone, created_at::text as created_at from clients order by id`),
    appointments: await rows(
      c,
      sql`select id, client_id, starts_at::text as starts_at, ends_at::text as ends_at, notes,
                 created_at::text as created_at from appointments order by id`,
    ),
    alembic: await rows(c, sql`select version_num from alembic_version`),
  };
}

async function indexNames(c: Connection): Promise<string[]> {
  const list = await rows<{ name: string }>(
    c,
    sql`select indexname as name from pg_indexes where schemaname = 'public' order by indexname`,
  );
  return list.map((row) => row.name);
}

const ORIGINAL_INDEXES = [
  'alembic_version_pkc',
  'appointments_pkey',
  'clients_pkey',
  'ix_appointments_client_id',
  'ix_clients_name',
  'ix_clients_phone',
  'ix_users_email',
  'users_pkey',
];

describe('adopting the original service’s database', () => {
  let c: Connection;
  let before: Snapshot;

  beforeAll(async () => {
    c = await originalDatabase();
    await c.db.execute(
      sql`insert into users (email, hashed_password, is_active, created_at)
          values ('Alice.Smith@Example.COM', ${BCRYPT}, false, '2023-05-06T07:08:09.123456Z')`,
    );
    await c.db.execute(
      sql`insert into clients (name, phone, created_at) values ('Acme GmbH', '+49 30 1234567', '2023-05-06T08:00:00Z')`,
    );
    await c.db.execute(
      sql`insert into appointments (client_id, starts_at, ends_at, notes, created_at)
          values (1, '2024-01-15T10:00:00Z', '2024-01-15T10:30:00Z', 'Quarterly review', '2023-05-06T09:00:00Z')`,
    );
    before = await snapshot(c);
  });

  it('migrate() succeeds, applies both migrations and keeps every row', async () => {
    expect(before.users).toHaveLength(1);
    expect(before.clients).toHaveLength(1);
    expect(before.appointments).toHaveLength(1);

    const result = await migrate(c.db);
    expect(result.applied).toEqual(migrations.map((m) => m.hash));

    const after = await snapshot(c);
    expect(after).toEqual(before);
    expect(after.users).toEqual([
      expect.objectContaining({ id: 1, email: 'Alice.Smith@Example.COM', hashed_password: BCRYPT, is_active: false }),
    ]);
    expect(after.alembic).toEqual([{ version_num: '3f2a9c1b7d40' }]);
  });

  it('the journal lists both migrations', async () => {
    const journal = await journalRows(c);
    expect(journal.map((row) => row.hash)).toEqual(migrations.map((m) => m.hash));
    expect(journal.map((row) => row.created_at)).toEqual(migrations.map((m) => m.folderMillis));
    expect(journal.length).toBeGreaterThanOrEqual(2);
  });

  it('adds only users_email_lower_key and duplicates no constraint', async () => {
    expect(await indexNames(c)).toEqual([...ORIGINAL_INDEXES, 'users_email_lower_key'].sort());
    expect(
      await count(c, sql`select count(*)::int as n from pg_constraint where conrelid = 'appointments'::regclass and contype = 'f'`),
    ).toBe(1);
  });

  it('the adopted tables keep working: ids continue, lower(email) is unique, cascade holds', async () => {
    const [user] = await rows<{ id: number }>(
      c,
      sql`insert into users (email, hashed_password) values ('bob@example.com', ${BCRYPT}) returning id`,
    );
    expect(user).toEqual({ id: 2 });

    const err = await rejection(
      c.db.execute(sql`insert into users (email, hashed_password) values ('alice.smith@example.com', ${BCRYPT})`),
    );
    expect(sqlState(err)).toBe(UNIQUE_VIOLATION);
    expect(messages(err)).toContain('users_email_lower_key');

    await c.db.execute(sql`delete from clients where id = 1`);
    expect(await count(c, sql`select count(*)::int as n from appointments`)).toBe(0);
  });

  it('a second migrate() applies nothing', async () => {
    expect((await migrate(c.db)).applied).toEqual([]);
    expect(await journalRows(c)).toHaveLength(migrations.length);
  });
});

describe('an original database with emails differing only in case', () => {
  let c: Connection;
  let before: Snapshot;

  beforeAll(async () => {
    c = await originalDatabase();
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
    expect(await count(c, sql`select count(*)::int as n from pg_namespace where nspname = 'drizzle'`)).toBe(0);
    expect(
      await count(
        c,
        sql`select count(*)::int as n from information_schema.tables where table_name = '__drizzle_migrations'`,
      ),
    ).toBe(0);
    expect(await count(c, sql`select count(*)::int as n from pg_class where relname = 'users_email_lower_key'`)).toBe(0);
    expect(await indexNames(c)).toEqual(ORIGINAL_INDEXES);
    expect(await snapshot(c)).toEqual(before);
    const emails = await rows<{ email: string }>(c, sql`select email from users order by email`);
    expect(emails.map((row) => row.email)).toEqual(['Bob@x.io', 'bob@x.io']);
  });

  it('fails the same way again, still changing nothing', async () => {
    const err = await rejection(migrate(c.db));
    expect(sqlState(err)).toBe(UNIQUE_VIOLATION);
    expect(await count(c, sql`select count(*)::int as n from pg_namespace where nspname = 'drizzle'`)).toBe(0);
    expect(await snapshot(c)).toEqual(before);
  });

  it('once the duplicate is merged, migrate() succeeds', async () => {
    await c.db.execute(sql`delete from users where email = 'Bob@x.io'`);
    expect((await migrate(c.db)).applied).toEqual(migrations.map((m) => m.hash));
    expect(await indexNames(c)).toContain('users_email_lower_key');
    expect(await journalRows(c)).toHaveLength(migrations.length);
  });
});
