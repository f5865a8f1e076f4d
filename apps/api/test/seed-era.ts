// A database in the state the original Python service leaves it (@agentcaller/db/seed-era), for the
// API to adopt: a new database on the PostgreSQL server DATABASE_URL points at, or an on-disk
// PGlite (an in-memory one cannot outlive the connection that filled it).
import { connect, parseDatabaseUrl } from '@agentcaller/db';
import { createSeedDatabase } from '@agentcaller/db/seed-era';
import { createTestDatabase, type TestDatabase } from '@agentcaller/db/testing';
import { join } from 'node:path';
import { tempDir } from './process.js';

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
  const c = await connect({ kind: 'pglite', dataDir: join(dir, 'pglite') });
  try {
    await fill(c.db);
  } finally {
    await c.close();
  }
  return { database, env: { DATABASE_URL: '', DATA_DIR: dir } };
}
