// 0010 on a large client list (docs/database.md): its index build blocks writes to clients, so a
// team may build the index beforehand, without blocking them: 0010's two functions, then
// CREATE INDEX CONCURRENTLY under 0010's name and definition. The upgrade must then apply 0010
// without a second build, and the schema check must find nothing to report.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSchema, clientNameContains, clients, migrate, migrationStatus, migrationsFolder } from '../src/index.js';
import type { Connection } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { count, exec, journalEntries, migrations, open, rows, sql, statements } from './helpers.js';

const TAG = '0010_search_client_names_by_suffix';
const PREBUILD = 'create index concurrently ix_clients_name_suffixes on clients using gin (agentcaller_client_name_suffixes(owner_id, name))';

let database: TestDatabase;
let c: Connection;
let owner: number;

beforeAll(async () => {
  database = await createTestDatabase();
  c = await open(database);
  // The database as 0009 left it: every migration before 0010, each with its journal row.
  const position = journalEntries.findIndex((entry) => entry.tag === TAG);
  expect(position).toBeGreaterThan(0);
  await exec(c, ['create schema drizzle', 'create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)']);
  for (const migration of migrations.slice(0, position)) {
    await exec(c, migration.sql);
    await c.db.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`);
  }
  const [user] = await rows<{ id: number }>(c, sql`insert into users (email, hashed_password) values ('big@example.com', 'h') returning id`);
  owner = user!.id;
  await c.db.execute(sql`insert into clients (name, phone, owner_id) values ('Ann Lee', '+14155550123', ${owner}), ('Lee Ann', '+14155550124', ${owner})`);
});
afterAll(async () => {
  await c?.close();
  await database?.drop();
});

const indexOid = async () => (await rows<{ oid: number }>(c, sql`select 'ix_clients_name_suffixes'::regclass::oid as oid`))[0]!.oid;

describe('0010 with its index built beforehand, concurrently', () => {
  it('before: only 0010 is pending', async () => {
    expect((await migrationStatus(c.db)).pending).toEqual([TAG]);
  });

  it("the file's first two statements (the functions), then the index, while clients are written", async () => {
    const [suffixes, query] = statements(join(migrationsFolder, `${TAG}.sql`));
    expect(suffixes).toContain('FUNCTION agentcaller_client_name_suffixes');
    expect(query).toContain('FUNCTION agentcaller_client_name_query');
    await exec(c, [suffixes!, query!, PREBUILD]);
    await c.db.execute(sql`insert into clients (name, phone, owner_id) values ('Ann Leeway', '+14155550125', ${owner})`);
  });

  it('migrate() applies 0010 without building the index again and drops the trigram index', async () => {
    const prebuilt = await indexOid();
    await migrate(c.db);
    expect((await migrationStatus(c.db)).pending).toEqual([]);
    expect(await indexOid()).toBe(prebuilt);
    expect(await count(c, sql`select count(*)::int as n from pg_indexes where indexname = 'ix_clients_owner_name_trgm'`)).toBe(0);
    expect(await checkSchema(c.db)).toEqual([]);
  });

  it('the search finds what was written before, during and after the build', async () => {
    await c.db.execute(sql`insert into clients (name, phone, owner_id) values ('Dr. Ann Lee', '+14155550126', ${owner})`);
    const found = await c.db.select({ name: clients.name }).from(clients).where(clientNameContains(owner, 'ANN LEE')).orderBy(clients.id);
    expect(found.map((row) => row.name)).toEqual(['Ann Lee', 'Ann Leeway', 'Dr. Ann Lee']);
  });
});
