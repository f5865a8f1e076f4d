// The seed-era fixture (the contract's original schema, with rows as the Python service wrote
// them): the preflight names every problem in legacy data before anything changes, the overlap
// resolution makes the migrations possible, the schema check catches a hand-made drift, and rows
// the Python service inserts during a switch-over still go in.
import { afterEach, describe, expect, it } from 'vitest';
import { checkSchema, findOverlaps, migrate, preflight, readCatalog, resolveOverlaps } from '../src/index.js';
import type { Connection } from '../src/index.js';
import { createSeedDatabase, createSeedSchema, SEED_CLIENTS } from '../src/seed-era.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { count, journalRows, migrations, open, rows, sql } from './helpers.js';

const dbs: TestDatabase[] = [];
const conns: Connection[] = [];
async function seedEra(withRows = true): Promise<Connection> {
  const db = await createTestDatabase();
  dbs.push(db);
  const c = await open(db);
  conns.push(c);
  await (withRows ? createSeedDatabase(c.db) : createSeedSchema(c.db));
  return c;
}

// Each test's databases go back to the worker's pool when it ends, for the next test to reuse.
afterEach(async () => {
  for (const c of conns.splice(0)) await c.close();
  for (const db of dbs.splice(0)) await db.drop();
});

const H = '$2b$12$gYz7JQkfAtgXawLE5Afd8.jKhJ4pf7XhSqSnDR1XqgUmWEjy9GrYm';

describe('preflight of the seed-era database', () => {
  it('finds nothing wrong in the clean fixture, which then migrates and passes the schema check', async () => {
    const c = await seedEra();
    expect(await preflight(c.db)).toEqual([]);
    await migrate(c.db);
    expect(await checkSchema(c.db)).toEqual([]);
    expect(await preflight(c.db)).toEqual([]);
    expect(await count(c, sql`select count(*)::int as n from clients`)).toBe(SEED_CLIENTS.length);
  });

  it('names every group of emails differing only in case, with ids and emails, and changes nothing', async () => {
    const c = await seedEra();
    await c.db.execute(sql`insert into users (email, hashed_password) values ('admin@example.com', ${H}), ('ADMIN@EXAMPLE.COM', ${H}), ('Bob@x.io', ${H}), ('bob@X.io', ${H})`);
    const before = await readCatalog(c.db);
    const problems = await preflight(c.db);
    expect(problems).toEqual([
      expect.stringMatching(/^duplicate email by case: users 1, 4, 5 \(Admin@Example\.COM, admin@example\.com, ADMIN@EXAMPLE\.COM\) differ only in case; .*merge them/),
      expect.stringMatching(/^duplicate email by case: users 6, 7 \(Bob@x\.io, bob@X\.io\)/),
    ]);
    expect(await readCatalog(c.db)).toEqual(before);
  });

  it('names each overlapping pair with ids, client ids and times, and the commands that resolve them', async () => {
    const c = await seedEra();
    await c.db.execute(sql`insert into appointments (client_id, starts_at, ends_at) values
      (2, '2026-01-15T10:15:00Z', '2026-01-15T10:45:00Z')`);
    const problems = await preflight(c.db);
    expect(problems).toEqual([
      'appointments 1 (client 1, 2026-01-15T10:00:00Z to 2026-01-15T10:30:00Z) and 5 (client 2, 2026-01-15T10:15:00Z to 2026-01-15T10:45:00Z) overlap; one calendar cannot hold both: `pnpm db:overlaps` lists every pair, `pnpm db:overlaps --resolve` cancels the later one of each (docs/database.md), or move or delete one',
      // Each pair is named earlier one first (by start): 5 starts before 2.
      expect.stringMatching(/^appointments 5 \(client 2, 2026-01-15T10:15:00Z to 2026-01-15T10:45:00Z\) and 2 \(client 1, 2026-01-15T10:30:00Z to 2026-01-15T11:00:00Z\) overlap;/),
    ]);
  });

  it('names an appointment that does not end after it starts, and clients without any user', async () => {
    const c = await seedEra();
    await c.db.execute(sql`insert into appointments (client_id, starts_at, ends_at) values (3, '2026-02-01T10:00:00Z', '2026-02-01T09:00:00Z')`);
    expect(await preflight(c.db)).toEqual([
      'appointment 5 (client 3) ends at 2026-02-01T09:00:00Z, not after it starts (2026-02-01T10:00:00Z): correct its times or delete it',
    ]);
    const orphans = await seedEra(false);
    await orphans.db.execute(sql`insert into clients (name, phone) values ('Ann', '1'), ('Bob', '2')`);
    expect(await preflight(orphans.db)).toEqual([expect.stringMatching(/^2 clients but no users: every client needs an owner/)]);
  });
});

describe('extensions the database already has', () => {
  it('names one installed in a schema off the search path (hosted PostgreSQL keeps them in "extensions"), which the migrations could not use', async () => {
    const c = await seedEra();
    await c.db.execute(sql.raw(`create schema extensions`));
    await c.db.execute(sql.raw(`create extension pg_trgm schema extensions`));
    expect(await preflight(c.db)).toEqual([
      expect.stringMatching(/^extension pg_trgm is installed in schema "extensions", which is not on this connection's search path \(public\): .*ALTER ROLE … SET search_path = "\$user", public, extensions/),
    ]);
    // What the line prevents: the migration that builds the trigram index fails on the operator class.
    await expect(migrate(c.db)).rejects.toThrow();
    // With the schema on the search path, nothing is in the way.
    await c.db.execute(sql.raw(`set search_path = public, extensions`));
    expect(await preflight(c.db)).toEqual([]);
  });
});

describe('resolving the overlaps the original allowed', () => {
  it('cancels the later one of each group with a note, keeps every row, and lets the migrations run', async () => {
    const c = await seedEra();
    // 5 overlaps 1 and 2; 6 overlaps 5 only; 7 is back-to-back with 3 (fine).
    await c.db.execute(sql`insert into appointments (client_id, starts_at, ends_at, notes) values
      (2, '2026-01-15T10:15:00Z', '2026-01-15T10:45:00Z', 'double-booked'),
      (4, '2026-01-15T10:40:00Z', '2026-01-15T10:50:00Z', null),
      (4, '2026-01-15T12:00:00Z', '2026-01-15T12:30:00Z', null)`);
    expect(await findOverlaps(c.db)).toHaveLength(4);
    const cancelled = await resolveOverlaps(c.db, new Date('2026-12-03T00:00:00Z'));
    expect(cancelled).toEqual([
      { id: 5, keptId: 1 },
      { id: 6, keptId: 2 },
    ]);
    expect(await rows(c, sql`select id, status, notes from appointments where id in (5, 6) order by id`)).toEqual([
      { id: 5, status: 'cancelled', notes: 'double-booked\n[cancelled by db:overlaps on 2026-12-03: overlapped appointment 1]' },
      { id: 6, status: 'cancelled', notes: '[cancelled by db:overlaps on 2026-12-03: overlapped appointment 2]' },
    ]);
    expect(await findOverlaps(c.db)).toEqual([]);
    expect(await preflight(c.db)).toEqual([]);
    expect((await migrate(c.db)).applied).toHaveLength(migrations.length);
    expect(await checkSchema(c.db)).toEqual([]);
    expect(await count(c, sql`select count(*)::int as n from appointments`)).toBe(7);
    expect(await resolveOverlaps(c.db)).toEqual([]);
  });
});

describe('the schema check after adoption', () => {
  it('lists each hand-made difference in one line', async () => {
    const c = await seedEra();
    await migrate(c.db);
    await c.db.execute(sql`drop index ix_clients_phone_digits_trgm`);
    await c.db.execute(sql`alter table clients alter column phone type varchar(20)`);
    await c.db.execute(sql`alter table appointments drop column created_at`);
    await c.db.execute(sql`drop trigger appointments_default_owner on appointments`);
    await c.db.execute(sql`alter table appointments drop constraint appointments_ends_after_starts`);
    expect(await checkSchema(c.db)).toEqual([
      'column clients.phone is character varying(20) NOT NULL, expected character varying(50) NOT NULL',
      'missing column appointments.created_at (timestamp with time zone NOT NULL DEFAULT now())',
      'missing constraint on appointments: CHECK ((ends_at > starts_at))',
      "missing index on clients: CREATE INDEX ON public.clients USING gin (regexp_replace((phone)::text, '[^0-9]'::text, ''::text, 'g'::text) gin_trgm_ops)",
      'missing trigger appointments_default_owner on appointments',
    ]);
  });

  it('tolerates extra indexes, columns and tables, and constraints named differently', async () => {
    const c = await seedEra();
    await migrate(c.db);
    await c.db.execute(sql`create index my_own_index on clients (name, phone)`);
    await c.db.execute(sql`alter table users add column nickname text`);
    await c.db.execute(sql`create table audit_log (id serial primary key)`);
    await c.db.execute(sql`alter table appointments rename constraint appointments_ends_after_starts to ck_appointments_order`);
    expect(await checkSchema(c.db)).toEqual([]);
  });
});

describe('the Python service writing during a switch-over', () => {
  it('its clients and appointments, inserted without an owner, go in: the first user’s, the client’s owner’s', async () => {
    const c = await seedEra();
    await migrate(c.db);
    const [client] = await rows<{ id: number; owner_id: number }>(
      c,
      sql`insert into clients (name, phone) values ('Walk-in', '(415) 555-0100') returning id, owner_id`,
    );
    expect(client?.owner_id).toBe(1);
    const [appointment] = await rows<{ owner_id: number; status: string }>(
      c,
      sql`insert into appointments (client_id, starts_at, ends_at, notes) values (${client!.id}, '2026-03-01T10:00:00Z', '2026-03-01T11:00:00Z', null) returning owner_id, status`,
    );
    expect(appointment).toEqual({ owner_id: 1, status: 'scheduled' });
    expect(await journalRows(c)).toHaveLength(migrations.length);
  });
});
