import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { bigint, pgSchema, serial, text } from 'drizzle-orm/pg-core';
import type { Database } from './connect.js';

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

export interface MigrateResult {
  applied: string[];
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
    // A migration may take long (an index on a big table): the app's statement timeout is not for it.
    await tx.execute(sql`set local statement_timeout = 0`);
    await tx.execute(sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`create schema if not exists drizzle`);
    await tx.execute(
      sql`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`,
    );
    const done = await tx.select({ createdAt: journal.createdAt }).from(journal);
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
