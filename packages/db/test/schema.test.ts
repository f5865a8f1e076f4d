import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, sqlState, UNIQUE_VIOLATION } from '../src/index.js';
import type { Connection } from '../src/index.js';
import { createTestDatabase } from '../src/testing.js';
import type { TestDatabase } from '../src/testing.js';
import {
  count,
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

let db: TestDatabase;
let c: Connection;
let firstApplied: string[];

beforeAll(async () => {
  db = await createTestDatabase();
  c = await open(db.url);
  firstApplied = (await migrate(c.db)).applied;
});

afterAll(async () => {
  await c?.close();
  await db?.drop();
});

interface Column {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
  default: string | null;
}

// The original service's tables, column for column, in column order.
const expectedColumns: Column[] = [
  { table: 'appointments', column: 'id', type: 'integer', notNull: true, default: "nextval('appointments_id_seq'::regclass)" },
  { table: 'appointments', column: 'client_id', type: 'integer', notNull: true, default: null },
  { table: 'appointments', column: 'starts_at', type: 'timestamp with time zone', notNull: true, default: null },
  { table: 'appointments', column: 'ends_at', type: 'timestamp with time zone', notNull: true, default: null },
  { table: 'appointments', column: 'notes', type: 'text', notNull: false, default: null },
  { table: 'appointments', column: 'created_at', type: 'timestamp with time zone', notNull: true, default: 'now()' },
  { table: 'clients', column: 'id', type: 'integer', notNull: true, default: "nextval('clients_id_seq'::regclass)" },
  { table: 'clients', column: 'name', type: 'character varying(255)', notNull: true, default: null },
  { table: 'clients', column: 'phone', type: 'character varying(32)', notNull: true, default: null },
  { table: 'clients', column: 'created_at', type: 'timestamp with time zone', notNull: true, default: 'now()' },
  { table: 'users', column: 'id', type: 'integer', notNull: true, default: "nextval('users_id_seq'::regclass)" },
  { table: 'users', column: 'email', type: 'character varying(255)', notNull: true, default: null },
  { table: 'users', column: 'hashed_password', type: 'character varying(255)', notNull: true, default: null },
  { table: 'users', column: 'is_active', type: 'boolean', notNull: true, default: 'true' },
  { table: 'users', column: 'created_at', type: 'timestamp with time zone', notNull: true, default: 'now()' },
];

describe('schema after migrate()', () => {
  it('applies every migration on a fresh database, in order', () => {
    expect(migrationFiles.length).toBeGreaterThanOrEqual(2);
    expect(firstApplied).toEqual(migrations.map((m) => m.hash));
    expect(firstApplied).toHaveLength(migrationFiles.length);
  });

  it('has exactly the three original tables in public', async () => {
    const tables = await rows<{ name: string }>(
      c,
      sql`select table_name as name from information_schema.tables
          where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    expect(tables.map((t) => t.name)).toEqual(['appointments', 'clients', 'users']);
  });

  it('has every column with its type, nullability and default (pg_catalog)', async () => {
    const columns = await rows<Column>(
      c,
      sql`select cl.relname as "table", a.attname as "column",
                 format_type(a.atttypid, a.atttypmod) as "type", a.attnotnull as "notNull",
                 pg_get_expr(d.adbin, d.adrelid) as "default"
          from pg_attribute a
          join pg_class cl on cl.oid = a.attrelid
          join pg_namespace n on n.oid = cl.relnamespace
          left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
          where n.nspname = 'public' and cl.relkind = 'r' and a.attnum > 0 and not a.attisdropped
          order by cl.relname, a.attnum`,
    );
    expect(columns).toEqual(expectedColumns);
  });

  it('agrees with information_schema.columns', async () => {
    const columns = await rows<{
      table: string;
      column: string;
      dataType: string;
      length: number | null;
      nullable: string;
      default: string | null;
    }>(
      c,
      sql`select table_name as "table", column_name as "column", data_type as "dataType",
                 character_maximum_length::int as "length", is_nullable as "nullable", column_default as "default"
          from information_schema.columns
          where table_schema = 'public'
          order by table_name, ordinal_position`,
    );
    expect(columns).toEqual(
      expectedColumns.map((col) => {
        const varchar = /^character varying\((\d+)\)$/.exec(col.type);
        return {
          table: col.table,
          column: col.column,
          dataType: varchar ? 'character varying' : col.type,
          length: varchar ? Number(varchar[1]) : null,
          nullable: col.notNull ? 'NO' : 'YES',
          default: col.default,
        };
      }),
    );
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

  it('has the primary keys and the cascading foreign key, and no other constraints', async () => {
    const constraints = await rows<{ table: string; name: string; type: string; def: string }>(
      c,
      // contype 'n' (NOT NULL as a constraint, PostgreSQL 18 / PGlite) is covered by attnotnull above.
      sql`select cl.relname as "table", co.conname as name, co.contype::text as type,
                 pg_get_constraintdef(co.oid) as def
          from pg_constraint co
          join pg_class cl on cl.oid = co.conrelid
          join pg_namespace n on n.oid = cl.relnamespace
          where n.nspname = 'public' and co.contype <> 'n'
          order by cl.relname, co.conname`,
    );
    expect(constraints).toEqual([
      {
        table: 'appointments',
        name: 'appointments_client_id_fkey',
        type: 'f',
        def: 'FOREIGN KEY (client_id) REFERENCES clients(id) ON DELETE CASCADE',
      },
      { table: 'appointments', name: 'appointments_pkey', type: 'p', def: 'PRIMARY KEY (id)' },
      { table: 'clients', name: 'clients_pkey', type: 'p', def: 'PRIMARY KEY (id)' },
      { table: 'users', name: 'users_pkey', type: 'p', def: 'PRIMARY KEY (id)' },
    ]);

    const fk = await rows<{ target: string; deleteAction: string; updateAction: string; columns: string; refColumns: string }>(
      c,
      sql`select co.confrelid::regclass::text as target, co.confdeltype::text as "deleteAction",
                 co.confupdtype::text as "updateAction",
                 (select string_agg(a.attname, ',') from pg_attribute a
                   where a.attrelid = co.conrelid and a.attnum = any(co.conkey)) as columns,
                 (select string_agg(a.attname, ',') from pg_attribute a
                   where a.attrelid = co.confrelid and a.attnum = any(co.confkey)) as "refColumns"
          from pg_constraint co where co.conname = 'appointments_client_id_fkey'`,
    );
    expect(fk).toEqual([
      { target: 'clients', deleteAction: 'c', updateAction: 'a', columns: 'client_id', refColumns: 'id' },
    ]);
  });

  it('has exactly the original indexes plus users_email_lower_key', async () => {
    const indexes = await rows<{ table: string; name: string; def: string }>(
      c,
      sql`select tablename as "table", indexname as name, indexdef as def
          from pg_indexes where schemaname = 'public' order by tablename, indexname`,
    );
    expect(indexes).toEqual([
      { table: 'appointments', name: 'appointments_pkey', def: 'CREATE UNIQUE INDEX appointments_pkey ON public.appointments USING btree (id)' },
      { table: 'appointments', name: 'ix_appointments_client_id', def: 'CREATE INDEX ix_appointments_client_id ON public.appointments USING btree (client_id)' },
      { table: 'clients', name: 'clients_pkey', def: 'CREATE UNIQUE INDEX clients_pkey ON public.clients USING btree (id)' },
      { table: 'clients', name: 'ix_clients_name', def: 'CREATE INDEX ix_clients_name ON public.clients USING btree (name)' },
      { table: 'clients', name: 'ix_clients_phone', def: 'CREATE INDEX ix_clients_phone ON public.clients USING btree (phone)' },
      { table: 'users', name: 'ix_users_email', def: 'CREATE UNIQUE INDEX ix_users_email ON public.users USING btree (email)' },
      { table: 'users', name: 'users_email_lower_key', def: 'CREATE UNIQUE INDEX users_email_lower_key ON public.users USING btree (lower((email)::text))' },
      { table: 'users', name: 'users_pkey', def: 'CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)' },
    ]);
  });

  it('deleting a client deletes its appointments (ON DELETE CASCADE) and nobody else’s', async () => {
    const [gone] = await rows<{ id: number }>(c, sql`insert into clients (name, phone) values ('Ann', '+100') returning id`);
    const [kept] = await rows<{ id: number }>(c, sql`insert into clients (name, phone) values ('Ben', '+200') returning id`);
    if (!gone || !kept) throw new Error('insert returned no id');
    await c.db.execute(sql`insert into appointments (client_id, starts_at, ends_at) values
      (${gone.id}, '2030-01-01T09:00:00Z', '2030-01-01T09:30:00Z'),
      (${gone.id}, '2030-01-02T09:00:00Z', '2030-01-02T09:30:00Z'),
      (${kept.id}, '2030-01-03T09:00:00Z', '2030-01-03T09:30:00Z')`);
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
