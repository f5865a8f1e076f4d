// A database in the state the original Python service leaves it (@agentcaller/db/seed-era), for the
// API to adopt: a new database on the PostgreSQL server DATABASE_URL points at, or an on-disk
// PGlite (an in-memory one cannot outlive the connection that filled it).
import { connect, parseDatabaseUrl, users } from '@agentcaller/db';
import { createSeedDatabase } from '@agentcaller/db/seed-era';
import { createTestDatabase, writeDataDir, type TestDatabase } from '@agentcaller/db/testing';
import { eq } from 'drizzle-orm';
import { join } from 'node:path';
import { startApp, type TestContext } from './helpers.js';
import { removeTempDirs, tempDir } from './process.js';

export interface SeedEraDatabase {
  database: TestDatabase;
  /** The environment that points the API at it. */
  env: Record<string, string>;
}

export async function seedEraDatabase(fill: (db: Parameters<typeof createSeedDatabase>[0]) => Promise<void> = createSeedDatabase): Promise<SeedEraDatabase> {
  const database = await createTestDatabase();
  if (database.url.startsWith('postgres')) {
    const c = await connect(parseDatabaseUrl(database.url, ''), { maxConnections: 1 });
    try {
      await fill(c.db);
    } finally {
      await c.close();
    }
    return { database, env: { DATABASE_URL: database.url } };
  }
  const dir = tempDir('agentcaller-seed-era-');
  // An on-disk PGlite copied from the cached empty database (creating one costs seconds of CPU).
  await writeDataDir(join(dir, 'pglite'), 'empty');
  const c = await connect({ kind: 'pglite', dataDir: join(dir, 'pglite') });
  try {
    await fill(c.db);
  } finally {
    await c.close();
  }
  return { database, env: { DATABASE_URL: '', DATA_DIR: dir } };
}

/**
 * The API on a database the original service left, with `env` on top (e.g. PASSWORD_HASH=bcrypt);
 * `close()` also removes the database's folder.
 */
export async function startOnSeedEra(env: Record<string, string> = {}): Promise<TestContext> {
  const seeded = await seedEraDatabase();
  const ctx = await startApp({ database: seeded.database, env: { ...seeded.env, ...env } });
  return {
    ...ctx,
    close: async () => {
      await ctx.close();
      removeTempDirs();
    },
  };
}

/** The hash stored for `email` right now. */
export async function storedHash(ctx: TestContext, email: string): Promise<string> {
  const [row] = await ctx.app.db.select({ hash: users.hashedPassword }).from(users).where(eq(users.email, email));
  if (!row) throw new Error(`no user ${email}`);
  return row.hash;
}
