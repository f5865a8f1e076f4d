// A database in the state the original Python service leaves it (@agentcaller/db/seed-era), for the
// API to adopt: a new database on the PostgreSQL server DATABASE_URL points at, or a PGlite: in
// memory, kept from one connection to the next (`lasting`), or on disk for a server process.
import { connect, users, type DatabaseTarget } from '@agentcaller/db';
import { createSeedDatabase } from '@agentcaller/db/seed-era';
import { createTestDatabase, writeDataDir, type TestDatabase } from '@agentcaller/db/testing';
import { eq } from 'drizzle-orm';
import { join } from 'node:path';
import { startApp, type TestContext } from './helpers.js';
import { removeTempDirs, tempDir } from './process.js';

export interface SeedEraDatabase {
  /** Where it is: pass it to `startApp` and `connect` (in memory, `env` alone cannot reach it). */
  database: TestDatabase;
  /**
   * The environment that points a server process at it (`onDisk`, or PostgreSQL). In memory,
   * `DATABASE_URL=memory://`: whatever opens it from the environment alone gets a new, empty
   * database, never the developer's default data folder.
   */
  env: Record<string, string>;
}

type Fill = (db: Parameters<typeof createSeedDatabase>[0]) => Promise<void>;

/**
 * Filled by `fill` (the seed fixture by default). On PGlite, an in-memory database that lasts until
 * `database.drop()` (each open of an on-disk one costs ~0.6 s of CPU), or with `onDisk` a folder
 * in DATA_DIR, for tests that start the server as a process on it.
 */
export async function seedEraDatabase(fill: Fill = createSeedDatabase, options: { onDisk?: boolean } = {}): Promise<SeedEraDatabase> {
  const database = await createTestDatabase(undefined, { lasting: !options.onDisk });
  if (database.target.kind === 'postgres') {
    await filled(database.target, fill);
    return { database, env: { DATABASE_URL: database.url } };
  }
  if (!options.onDisk) {
    await filled(database.target, fill);
    return { database, env: { DATABASE_URL: 'memory://' } };
  }
  const dir = tempDir('agentcaller-seed-era-');
  // An on-disk PGlite copied from the cached empty database (creating one costs seconds of CPU).
  await writeDataDir(join(dir, 'pglite'), 'empty');
  await filled({ kind: 'pglite', dataDir: join(dir, 'pglite') }, fill);
  return { database, env: { DATABASE_URL: '', DATA_DIR: dir } };
}

/** `fill` run over one connection to `target`, closed afterwards. */
async function filled(target: DatabaseTarget, fill: Fill): Promise<void> {
  const c = await connect(target, { maxConnections: 1 });
  try {
    await fill(c.db);
  } finally {
    await c.close();
  }
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
