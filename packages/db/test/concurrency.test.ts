// Several API instances start at the same moment and all migrate: the advisory lock makes one do
// the work while the others wait and then find nothing left to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/index.js';
import type { Connection } from '../src/index.js';
import { createTestDatabase } from '../src/testing.js';
import type { TestDatabase } from '../src/testing.js';
import { extensions } from './catalog-read.js';
import { count, journalEntries, journalRows, migrationFiles, migrations, open, rows, sql } from './helpers.js';

const MIGRATORS = 4;

let db: TestDatabase;
/** One connection per migrator on PostgreSQL; in-memory PGlite has a single connection, shared. */
let connections: Connection[] = [];
let migrators: Connection[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const first = await open(db);
  connections.push(first);
  if (first.driver === 'postgres') {
    for (let i = 1; i < MIGRATORS; i++) connections.push(await open(db));
    migrators = connections;
  } else {
    migrators = Array.from({ length: MIGRATORS }, () => first);
  }
  // Every connection is up before the race starts.
  await Promise.all(connections.map((c) => c.ping()));
});

afterAll(async () => {
  for (const c of connections) await c.close();
  connections = [];
  await db?.drop();
});

describe('concurrent migrate()', () => {
  it(`${MIGRATORS} migrators at once: all resolve, the migrations are applied exactly once`, async () => {
    expect(migrators).toHaveLength(MIGRATORS);
    if (migrators[0]?.driver === 'postgres') expect(new Set(migrators).size).toBe(MIGRATORS);

    // The folder, the journal and the migrator agree on what there is to apply (0002 included).
    expect(migrationFiles).toEqual(journalEntries.map((e) => `${e.tag}.sql`));
    expect(migrations).toHaveLength(migrationFiles.length);
    expect(migrationFiles).toContain('0002_add_ownership_and_no_overlap.sql');
    expect(migrationFiles).toContain('0003_add_token_revocation.sql');

    const results = await Promise.all(migrators.map((c) => migrate(c.db)));

    const applied = results.flatMap((r) => r.applied);
    expect(applied).toHaveLength(migrations.length);
    expect(applied).toHaveLength(migrationFiles.length);
    expect([...applied].sort()).toEqual(migrations.map((m) => m.hash).sort());
    // One transaction applied them all; the others found nothing to do.
    expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
  });

  it('the journal has one row per migration and no duplicates', async () => {
    const c = connections[0]!;
    const journal = await journalRows(c);
    expect(journal).toHaveLength(migrationFiles.length);
    expect(new Set(journal.map((row) => row.hash)).size).toBe(journal.length);
    expect(new Set(journal.map((row) => row.created_at)).size).toBe(journal.length);
    expect(journal.map((row) => row.created_at)).toEqual(migrations.map((m) => m.folderMillis));
  });

  it('the schema exists once', async () => {
    const c = connections[0]!;
    const tables = await rows<{ name: string }>(
      c,
      sql`select table_name as name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(tables.map((t) => t.name)).toEqual(['api_keys', 'appointments', 'calls', 'clients', 'password_reset_tokens', 'revoked_tokens', 'schedules', 'users']);
    expect(
      await count(c, sql`select count(*)::int as n from pg_constraint where conname = 'appointments_client_id_fkey'`),
    ).toBe(1);
    expect(await count(c, sql`select count(*)::int as n from pg_indexes where indexname = 'users_email_lower_key'`)).toBe(1);
    // 0002, once: its columns, its constraints and its extensions.
    expect(
      await count(c, sql`select count(*)::int as n from information_schema.columns where column_name = 'owner_id'`),
    ).toBe(3); // and calls.owner_id (0006)
    const added = await rows<{ name: string }>(
      c,
      sql`select conname::text as name from pg_constraint
          where conname in ('appointments_no_overlap', 'appointments_ends_after_starts', 'appointments_client_owner_fkey',
                            'clients_owner_id_fkey', 'clients_id_owner_id_key')
          order by conname collate "C"`,
    );
    expect(added.map((row) => row.name)).toEqual([
      'appointments_client_owner_fkey',
      'appointments_ends_after_starts',
      'appointments_no_overlap',
      'clients_id_owner_id_key',
      'clients_owner_id_fkey',
    ]);
    // 0003, once: one token_version column, one revoked_tokens table with its primary key and index.
    expect(
      await count(c, sql`select count(*)::int as n from information_schema.columns where column_name = 'token_version'`),
    ).toBe(1);
    expect(
      await rows(
        c,
        sql`select indexname::text as name from pg_indexes where tablename = 'revoked_tokens' order by indexname collate "C"`,
      ),
    ).toEqual([{ name: 'ix_revoked_tokens_expires_at' }, { name: 'revoked_tokens_pkey' }]);
    const installed = await extensions(c);
    expect(installed.filter((name) => name === 'btree_gist' || name === 'pg_trgm')).toEqual(['btree_gist', 'pg_trgm']);
  });

  it(`${MIGRATORS} more at once on the migrated database apply nothing`, async () => {
    const results = await Promise.all(migrators.map((c) => migrate(c.db)));
    expect(results.map((r) => r.applied)).toEqual(Array.from({ length: MIGRATORS }, () => []));
    expect(await journalRows(connections[0]!)).toHaveLength(migrationFiles.length);
  });
});
