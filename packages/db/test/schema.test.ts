import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, readCatalog, sqlState, UNIQUE_VIOLATION } from '../src/index.js';
import type { Connection } from '../src/index.js';
import { createTestDatabase } from '../src/testing.js';
import type { TestDatabase } from '../src/testing.js';
import {
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
  informationSchemaColumns,
  informationSchemaOf,
} from './catalog-read.js';
import {
  count,
  createUser,
  journalEntries,
  journalRows,
  messages,
  migrationFiles,
  migrations,
  open,
  rejection,
  rows,
  sql,
} from './helpers.js';
import { describeOwnershipRules, describeRevocationRules } from './ownership.js';

let db: TestDatabase;
let c: Connection;
let firstApplied: string[];
let extensionsBefore: string[];

beforeAll(async () => {
  db = await createTestDatabase();
  c = await open(db);
  extensionsBefore = await extensions(c);
  firstApplied = (await migrate(c.db)).applied;
});

afterAll(async () => {
  await c?.close();
  await db?.drop();
});

// The original service's columns, then those 0002 appends (owner_id on clients and appointments),
// then 0003's (users.token_version, and the new table revoked_tokens), then 0004's (created_at on
// clients and appointments, which the original had not), and so on to 0009's users.tokens_revoked_at.
const expectedColumns = inColumnOrder(ORIGINAL_COLUMNS, COLUMNS_0002, COLUMNS_0003, COLUMNS_0004, COLUMNS_0005, COLUMNS_0006, COLUMNS_0007, COLUMNS_0009);
const ADDED = new Set(['owner_id', 'status', 'token_version', 'is_superuser', 'tokens_revoked_at', 'clients.created_at', 'appointments.created_at']);

describe('schema after migrate()', () => {
  it('applies every migration on a fresh database, in order', () => {
    expect(migrationFiles).toEqual(journalEntries.map((e) => `${e.tag}.sql`));
    expect(migrationFiles).toContain('0002_add_ownership_and_no_overlap.sql');
    expect(migrationFiles).toContain('0003_add_token_revocation.sql');
    expect(firstApplied).toEqual(migrations.map((m) => m.hash));
    expect(firstApplied).toHaveLength(migrationFiles.length);
  });

  it('has exactly the three original tables and 0003’s revoked_tokens in public', async () => {
    const tables = await rows<{ name: string }>(
      c,
      sql`select table_name as name from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    expect(tables.map((t) => t.name)).toEqual(['api_keys', 'appointments', 'calls', 'clients', 'password_reset_tokens', 'revoked_tokens', 'schedules', 'users']);
  });

  it('has every original column unchanged, plus owner_id (0002), token_version and revoked_tokens (0003) (pg_catalog)', async () => {
    const actual = await columns(c);
    expect(actual).toEqual(expectedColumns);
    // Spelled out, so the merge above cannot hide a change.
    expect(actual.filter((col) => col.column === 'owner_id')).toEqual([
      { table: 'appointments', column: 'owner_id', type: 'integer', notNull: true, default: null },
      { table: 'calls', column: 'owner_id', type: 'integer', notNull: true, default: null },
      { table: 'clients', column: 'owner_id', type: 'integer', notNull: true, default: null },
    ]);
    expect(actual.filter((col) => col.column === 'token_version')).toEqual([
      { table: 'users', column: 'token_version', type: 'integer', notNull: true, default: '0' },
    ]);
    expect(actual.filter((col) => col.table === 'revoked_tokens')).toEqual([
      { table: 'revoked_tokens', column: 'token_hash', type: 'text', notNull: true, default: null },
      { table: 'revoked_tokens', column: 'expires_at', type: 'timestamp with time zone', notNull: true, default: null },
    ]);
    // token_version is appended after the original users columns.
    expect(actual.filter((col) => col.table === 'users').map((col) => col.column)).toEqual([
      'id',
      'email',
      'hashed_password',
      'is_active',
      'created_at',
      'token_version',
      'is_superuser',
      'tokens_revoked_at',
    ]);
    expect(
      actual.filter((col) => !ADDED.has(col.column) && !ADDED.has(`${col.table}.${col.column}`) && !['revoked_tokens', 'schedules', 'api_keys', 'calls', 'password_reset_tokens'].includes(col.table)),
    ).toEqual(ORIGINAL_COLUMNS);
  });

  it('agrees with information_schema.columns', async () => {
    expect(await informationSchemaColumns(c)).toEqual(informationSchemaOf(expectedColumns));
  });

  it('ids are serial: each sequence is owned by its id column', async () => {
    const owned = await rows<{ users: string; clients: string; appointments: string }>(
      c,
      sql`select pg_get_serial_sequence('users', 'id') as users,
                 pg_get_serial_sequence('clients', 'id') as clients,
                 pg_get_serial_sequence('appointments', 'id') as appointments`,
    );
    expect(owned).toEqual([
      { users: 'public.users_id_seq', clients: 'public.clients_id_seq', appointments: 'public.appointments_id_seq' },
    ]);
  });

  it('has the original constraints unchanged plus exactly those of 0002 and 0003, and no others', async () => {
    const actual = await constraints(c);
    expect(actual).toEqual(byTableAndName(ORIGINAL_CONSTRAINTS, CONSTRAINTS_0002, CONSTRAINTS_0003, CONSTRAINTS_0005, CONSTRAINTS_0006, CONSTRAINTS_0007));
    expect(actual).toEqual([
      // 0006: the API keys' key, unique prefix and user (spelled out in catalog.ts).
      ...CONSTRAINTS_0006.filter((x) => x.table === 'api_keys'),
      {
        table: 'appointments',
        name: 'appointments_client_id_fkey',
        type: 'f',
        def: 'FOREIGN KEY (client_id) REFERENCES clients(id) ON DELETE CASCADE',
      },
      {
        table: 'appointments',
        name: 'appointments_client_owner_fkey',
        type: 'f',
        def: 'FOREIGN KEY (client_id, owner_id) REFERENCES clients(id, owner_id) ON DELETE CASCADE',
      },
      { table: 'appointments', name: 'appointments_ends_after_starts', type: 'c', def: 'CHECK ((ends_at > starts_at))' },
      {
        table: 'appointments',
        name: 'appointments_no_overlap',
        type: 'x',
        def: "EXCLUDE USING gist (owner_id WITH =, tstzrange(starts_at, ends_at, '[)'::text) WITH &&) WHERE (((status)::text <> 'cancelled'::text))",
      },
      { table: 'appointments', name: 'appointments_pkey', type: 'p', def: 'PRIMARY KEY (id)' },
      {
        table: 'appointments',
        name: 'appointments_status_check',
        type: 'c',
        def: "CHECK (((status)::text = ANY ((ARRAY['scheduled'::character varying, 'cancelled'::character varying, 'completed'::character varying, 'no_show'::character varying])::text[])))",
      },
      // 0006: the calls' client of the same owner, appointment, outcome and call-back rules.
      ...CONSTRAINTS_0006.filter((x) => x.table === 'calls'),
      { table: 'clients', name: 'clients_id_owner_id_key', type: 'u', def: 'UNIQUE (id, owner_id)' },
      {
        table: 'clients',
        name: 'clients_owner_id_fkey',
        type: 'f',
        def: 'FOREIGN KEY (owner_id) REFERENCES users(id) ON DELETE CASCADE',
      },
      { table: 'clients', name: 'clients_pkey', type: 'p', def: 'PRIMARY KEY (id)' },
      // 0007: the reset link's user (its key) and unique hash.
      ...CONSTRAINTS_0007,
      { table: 'revoked_tokens', name: 'revoked_tokens_pkey', type: 'p', def: 'PRIMARY KEY (token_hash)' },
      // 0005: the schedule's range checks, its key and its user (spelled out in catalog.ts).
      ...CONSTRAINTS_0005,
      { table: 'users', name: 'users_pkey', type: 'p', def: 'PRIMARY KEY (id)' },
    ]);
    // Every constraint is enforced now and on existing rows: none deferrable, none NOT VALID.
    expect(
      await count(
        c,
        sql`select count(*)::int as n from pg_constraint co join pg_namespace n on n.oid = co.connamespace
            where n.nspname = 'public' and co.contype <> 'n' and (co.condeferrable or not co.convalidated)`,
      ),
    ).toBe(0);
  });

  it('the foreign keys: targets, actions and columns in key order (0003 adds none)', async () => {
    expect(await foreignKeys(c)).toEqual(byTableAndName(ORIGINAL_FOREIGN_KEYS, FOREIGN_KEYS_0002, FOREIGN_KEYS_0005, FOREIGN_KEYS_0006, FOREIGN_KEYS_0007));
  });

  it('has exactly the original indexes, users_email_lower_key and those of 0002 and 0003', async () => {
    const actual = await indexes(c);
    expect(actual).toEqual(expectedIndexes(ORIGINAL_INDEXES, INDEXES_0001, INDEXES_0002, INDEXES_0003, INDEXES_0004, INDEXES_0005, INDEXES_0006, INDEXES_0007, INDEXES_0010));
    expect(actual.map((index) => index.name)).toEqual([
      'api_keys_pkey',
      'api_keys_prefix_key',
      'ix_api_keys_user_id',
      'appointments_no_overlap',
      'appointments_pkey',
      'ix_appointments_client_id',
      'ix_appointments_owner_starts',
      'calls_pkey',
      'ix_calls_appointment_id',
      'ix_calls_client_started',
      'ix_calls_owner_started',
      'clients_id_owner_id_key',
      'clients_pkey',
      'ix_clients_name',
      'ix_clients_name_suffixes',
      'ix_clients_owner_name',
      'ix_clients_phone',
      'ix_clients_phone_digits_trgm',
      'password_reset_tokens_pkey',
      'password_reset_tokens_token_hash_key',
      'ix_revoked_tokens_expires_at',
      'revoked_tokens_pkey',
      'schedules_pkey',
      'ix_users_email',
      'users_email_lower_key',
      'users_pkey',
    ]);
  });

  it('has exactly the functions of 0004 (the triggers) and 0010 (the client search) in public', async () => {
    expect((await readCatalog(c.db)).functions).toEqual(FUNCTIONS_0010);
  });

  it('installs btree_gin, btree_gist and pg_trgm, and no other extension', async () => {
    expect(extensionsBefore).not.toContain('btree_gin');
    expect(extensionsBefore).not.toContain('btree_gist');
    expect(extensionsBefore).not.toContain('pg_trgm');
    expect(await extensions(c)).toEqual([...extensionsBefore, ...EXTENSIONS_0002, ...EXTENSIONS_0008].sort());
  });

  it('owner_id is required on clients and appointments (23502)', async () => {
    const err = await rejection(c.db.execute(sql`insert into clients (name, phone) values ('Nobody', '+1')`));
    expect(sqlState(err)).toBe('23502');
    expect(messages(err)).toContain('owner_id');
  });

  it('deleting a client deletes its appointments (ON DELETE CASCADE) and nobody else’s', async () => {
    const owner = await createUser(c);
    const [gone] = await rows<{ id: number }>(
      c,
      sql`insert into clients (name, phone, owner_id) values ('Ann', '+100', ${owner}) returning id`,
    );
    const [kept] = await rows<{ id: number }>(
      c,
      sql`insert into clients (name, phone, owner_id) values ('Ben', '+200', ${owner}) returning id`,
    );
    if (!gone || !kept) throw new Error('insert returned no id');
    await c.db.execute(sql`insert into appointments (client_id, owner_id, starts_at, ends_at) values
      (${gone.id}, ${owner}, '2030-01-01T09:00:00Z', '2030-01-01T09:30:00Z'),
      (${gone.id}, ${owner}, '2030-01-02T09:00:00Z', '2030-01-02T09:30:00Z'),
      (${kept.id}, ${owner}, '2030-01-03T09:00:00Z', '2030-01-03T09:30:00Z')`);
    expect(await count(c, sql`select count(*)::int as n from appointments where client_id = ${gone.id}`)).toBe(2);

    await c.db.execute(sql`delete from clients where id = ${gone.id}`);

    expect(await count(c, sql`select count(*)::int as n from appointments where client_id = ${gone.id}`)).toBe(0);
    expect(await count(c, sql`select count(*)::int as n from appointments where client_id = ${kept.id}`)).toBe(1);
  });

  it('users_email_lower_key refuses an email that differs only in case (23505)', async () => {
    await c.db.execute(sql`insert into users (email, hashed_password) values ('a@x.io', 'h')`);
    const err = await rejection(c.db.execute(sql`insert into users (email, hashed_password) values ('A@x.io', 'h')`));
    expect(sqlState(err)).toBe(UNIQUE_VIOLATION);
    expect(sqlState(err)).toBe('23505');
    expect(messages(err)).toContain('users_email_lower_key');
    expect(await count(c, sql`select count(*)::int as n from users where lower(email) = 'a@x.io'`)).toBe(1);
    // The defaults of the original service fill in.
    const [user] = await rows<{ isActive: boolean; recent: boolean }>(
      c,
      sql`select is_active as "isActive", created_at > now() - interval '1 hour' as recent from users where email = 'a@x.io'`,
    );
    expect(user).toEqual({ isActive: true, recent: true });
  });

  it('a second migrate() applies nothing and the journal has one row per migration file', async () => {
    const again = await migrate(c.db);
    expect(again.applied).toEqual([]);

    const journal = await journalRows(c);
    expect(journal).toHaveLength(migrationFiles.length);
    expect(journal).toHaveLength(journalEntries.length);
    expect(journal.map((row) => row.hash)).toEqual(migrations.map((m) => m.hash));
    expect(journal.map((row) => row.created_at)).toEqual(journalEntries.map((e) => e.when));
    expect(new Set(journal.map((row) => row.created_at)).size).toBe(journal.length);
  });
});

describeOwnershipRules('a fresh database', () => c);
describeRevocationRules('a fresh database', () => c);
