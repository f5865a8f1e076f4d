import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { bigint, pgSchema, serial, text } from 'drizzle-orm/pg-core';
import { queryRows, type Database } from './connect.js';

export const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

// The table drizzle-kit's own migrator keeps, so either tool sees the same history.
const drizzleSchema = pgSchema('drizzle');
const journal = drizzleSchema.table('__drizzle_migrations', {
  id: serial('id').primaryKey(),
  hash: text('hash').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }),
});

// Any constant shared by every instance: the key of the advisory lock held while migrating.
const MIGRATION_LOCK_KEY = 0x61676e74; // "agnt"

export interface MigrationStatus {
  /** Tags of the migrations this database has applied, in order. */
  applied: string[];
  /** Tags of the migrations still to apply, in order. */
  pending: string[];
  /** Journal rows no migration file matches (written by a newer or another version): their `created_at`. */
  unknown: number[];
  /** Tags applied from another text than today's file (0000 and 0002 were rewritten; see docs/database.md). */
  changed: string[];
}

function journalTags(folder: string): string[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  return journal.entries.map((entry) => entry.tag);
}

/** What the journal of `db` says against the migration files; reads only. */
export async function migrationStatus(db: Database, folder: string = migrationsFolder): Promise<MigrationStatus> {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  const tags = journalTags(folder);
  const [exists] = await queryRows<{ present: boolean }>(db, sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  const rows = exists?.present
    ? await queryRows<{ hash: string; created_at: string | number }>(db, sql`select hash, created_at from drizzle.__drizzle_migrations order by id`)
    : [];
  const done = new Map(rows.map((row) => [Number(row.created_at), row.hash]));
  const status: MigrationStatus = { applied: [], pending: [], unknown: [], changed: [] };
  migrations.forEach((migration, i) => {
    const tag = tags[i] ?? String(migration.folderMillis);
    const hash = done.get(migration.folderMillis);
    if (hash === undefined) status.pending.push(tag);
    else {
      status.applied.push(tag);
      if (hash !== migration.hash) status.changed.push(tag);
    }
  });
  const known = new Set(migrations.map((m) => m.folderMillis));
  status.unknown = [...done.keys()].filter((when) => !known.has(when));
  return status;
}

export interface MigrateResult {
  applied: string[];
}

/**
 * Before the first migration runs on a database: which extensions it already had, so the way back
 * (rollback/to-original.sql) drops only those AgentCaller's migrations created. In the `drizzle`
 * schema, which only the migrator uses and the way back drops; written once per database.
 */
async function recordAdoption(tx: Pick<Database, 'execute'>): Promise<void> {
  await tx.execute(
    sql`create table if not exists drizzle.adoption (adopted_at timestamptz not null default now(), extensions_before text[] not null)`,
  );
  await tx.execute(
    sql`insert into drizzle.adoption (extensions_before)
        select (select coalesce(array_agg(extname::text order by extname), '{}') from pg_extension)
         where not exists (select 1 from drizzle.adoption)`,
  );
}

/**
 * Applies the pending migrations in one transaction that holds a PostgreSQL advisory lock, so
 * several API instances starting at the same moment migrate once and the others wait, then find
 * nothing to do. A failing migration leaves nothing half-applied.
 */
export async function migrate(db: Database, folder: string = migrationsFolder): Promise<MigrateResult> {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    // A migration may take long (an index on a big table), and may wait for its locks behind the
    // app's statements: the app's statement and lock timeouts are not for it.
    await tx.execute(sql`set local statement_timeout = 0`);
    await tx.execute(sql`set local lock_timeout = 0`);
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`create schema if not exists drizzle`);
    await tx.execute(
      sql`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
    );
    const done = await tx.select({ createdAt: journal.createdAt }).from(journal);
    if (done.length === 0) await recordAdoption(tx);
    const doneAt = new Set(done.map((row) => Number(row.createdAt)));
    for (const migration of migrations) {
      if (doneAt.has(migration.folderMillis)) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.insert(journal).values({ hash: migration.hash, createdAt: migration.folderMillis });
      applied.push(migration.hash);
    }
  });
  return { applied };
}
