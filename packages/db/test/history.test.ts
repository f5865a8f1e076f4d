// Installs made before 0000 was rewritten to the seed schema ran the first texts of 0000 and 0002
// (created_at on clients and appointments, phone varchar(32); no status, a no-overlap rule over
// every appointment). 0004 must bring them to exactly the end state of a fresh database.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_COLUMNS, migrate, migrationStatus, migrationsFolder, checkSchema, readCatalog, type Catalog } from '../src/index.js';
import type { Connection } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { count, exec, migrations, open, rows, sql, statements } from './helpers.js';

const FIRST_TEXTS = join(import.meta.dirname, 'fixtures', 'first-texts');

/** Order-independent view: column order differs between histories (ADD COLUMN appends). */
function normalized(catalog: Catalog) {
  const byKey = <T>(list: T[], key: (x: T) => string) => [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return {
    columns: byKey(catalog.columns, (c) => `${c.table}.${c.column}`),
    constraints: catalog.constraints,
    indexes: catalog.indexes,
    triggers: catalog.triggers,
    functions: catalog.functions,
    extensions: catalog.extensions,
  };
}

const dbs: TestDatabase[] = [];
const conns: Connection[] = [];
async function fresh(): Promise<Connection> {
  const db = await createTestDatabase();
  dbs.push(db);
  const c = await open(db);
  conns.push(c);
  return c;
}

afterAll(async () => {
  for (const c of conns) await c.close();
  for (const db of dbs) await db.drop();
});

describe('an install migrated by the first texts of 0000 to 0003', () => {
  let old: Connection;
  let reference: Connection;

  beforeAll(async () => {
    reference = await fresh();
    await migrate(reference.db);
    old = await fresh();
    // What the migrator did then: the first texts of 0000 and 0002, today's 0001 and 0003, one
    // journal row each with the hash of the text it ran.
    await exec(old, ['create schema drizzle', 'create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)']);
    for (const migration of migrations.slice(0, 4)) {
      const tag = readdirTag(migration.folderMillis);
      const firstText = ['0000_create_original_schema', '0002_add_ownership_and_no_overlap'].includes(tag);
      await exec(old, firstText ? statements(join(FIRST_TEXTS, `${tag}.sql`)) : migration.sql);
      await old.db.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${firstText ? 'first-text' : migration.hash}, ${migration.folderMillis})`);
    }
    // One user changed their password twice under 0003 (token_version 2), one never did.
    const [user] = await rows<{ id: number }>(old, sql`insert into users (email, hashed_password, token_version) values ('a@x.io', 'h', 2) returning id`);
    await old.db.execute(sql`insert into users (email, hashed_password) values ('b@x.io', 'h')`);
    await old.db.execute(sql`insert into clients (name, phone, owner_id, created_at) values ('Ann', '+14155550123', ${user!.id}, '2025-01-02T03:04:05Z')`);
    await old.db.execute(
      sql`insert into appointments (client_id, owner_id, starts_at, ends_at, created_at) values (1, ${user!.id}, '2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z', '2025-01-02T03:04:05Z')`,
    );
  });

  it('reports 0000 and 0002 as applied from another text, and 0004 to 0010 as pending', async () => {
    const status = await migrationStatus(old.db);
    expect(status.pending).toEqual([
      '0004_bring_original_schema_up_to_date',
      '0005_add_schedules',
      '0006_add_api_keys_and_calls',
      '0007_add_admins_and_password_resets',
      '0008_index_client_search_by_owner',
      '0009_record_token_revocation_time',
      '0010_search_client_names_by_suffix',
    ]);
    expect(status.changed).toEqual(['0000_create_original_schema', '0002_add_ownership_and_no_overlap']);
    expect(status.unknown).toEqual([]);
  });

  it('the schema check names what the first texts lack before 0004 runs', async () => {
    const drift = await checkSchema(old.db);
    expect(drift).toContain("missing column appointments.status (character varying(16) NOT NULL DEFAULT 'scheduled'::character varying)");
    expect(drift).toContain('column clients.phone is character varying(32) NOT NULL, expected character varying(50) NOT NULL');
    expect(drift.some((line) => line.startsWith('missing constraint on appointments: EXCLUDE'))).toBe(true);
    expect(drift).toContain('missing trigger clients_default_owner on clients');
  });

  it('migrate() applies 0004 to 0010 only and reaches the fresh database’s catalog, keeping every row', async () => {
    const startedAt = await rows<{ t: string }>(old, sql`select now()::text as t`);
    expect((await migrate(old.db)).applied).toEqual(migrations.slice(4).map((m) => m.hash));
    expect(normalized(await readCatalog(old.db))).toEqual(normalized(await readCatalog(reference.db)));
    expect(await checkSchema(old.db)).toEqual([]);
    expect(await rows(old, sql`select name, phone, created_at::text as created_at from clients`)).toEqual([
      { name: 'Ann', phone: '+14155550123', created_at: expect.stringMatching(/^2025-01-02 03:04:05/) as unknown },
    ]);
    expect(await rows(old, sql`select status from appointments`)).toEqual([{ status: 'scheduled' }]);
    expect(await count(old, sql`select count(*)::int as n from appointments where created_at = '2025-01-02T03:04:05Z'`)).toBe(1);
    // 0009: a version raised before it gets the time of the migration (the original service's
    // tokens issued before then stay refused); an account never raised has none.
    expect(
      await rows(old, sql`select email, token_version, tokens_revoked_at >= ${startedAt[0]!.t}::timestamptz as since_start from users order by id`),
    ).toEqual([
      { email: 'a@x.io', token_version: 2, since_start: true },
      { email: 'b@x.io', token_version: 0, since_start: null },
    ]);
  });

  it('a fresh database passes the schema check with nothing missing, and the check names every column it has', async () => {
    expect(await checkSchema(reference.db)).toEqual([]);
    const live = (await readCatalog(reference.db)).columns.map((col) => `${col.table}.${col.column}`);
    const checked = Object.entries(EXPECTED_COLUMNS).flatMap(([table, cols]) => Object.keys(cols).map((name) => `${table}.${name}`));
    expect(checked.sort()).toEqual(live.sort());
  });
});

function readdirTag(folderMillis: number): string {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string; when: number }[] };
  const entry = journal.entries.find((e) => e.when === folderMillis);
  if (!entry) throw new Error(`no journal entry for ${folderMillis}`);
  return entry.tag;
}
