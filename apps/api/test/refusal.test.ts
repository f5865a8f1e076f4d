// Start-up on a database the API cannot use as it is: one readable line per problem on stderr,
// no stack trace, a non-zero exit, and nothing changed (preflight runs before any migration).
import { connect, migrate, parseDatabaseUrl, readCatalog, type Connection } from '@agentcaller/db';
import { createSeedDatabase } from '@agentcaller/db/seed-era';
import { sql } from 'drizzle-orm';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_SECRET } from './constants.js';
import { runToExit, useServerCleanup } from './process.js';
import { seedEraDatabase, type SeedEraDatabase } from './seed-era.js';

const { databases } = useServerCleanup();

async function open(seeded: SeedEraDatabase): Promise<Connection> {
  return seeded.env.DATABASE_URL
    ? connect(parseDatabaseUrl(seeded.env.DATABASE_URL, ''), { maxConnections: 1 })
    : connect({ kind: 'pglite', dataDir: join(seeded.env.DATA_DIR!, 'pglite') });
}

const start = (seeded: SeedEraDatabase) => runToExit({ NODE_ENV: 'test', SECRET_KEY: TEST_SECRET, PORT: '0', ...seeded.env }, 60_000);
const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

describe('legacy data the migrations cannot take', () => {
  it('exits 65 naming every problem and its rows, without a stack trace, and changes nothing', async () => {
    const seeded = await seedEraDatabase(async (db) => {
      await createSeedDatabase(db);
      await db.execute(sql`insert into users (email, hashed_password) values ('ADMIN@example.com', 'x')`);
      await db.execute(sql`insert into appointments (client_id, starts_at, ends_at) values (3, '2026-01-15T10:10:00Z', '2026-01-15T10:20:00Z')`);
      await db.execute(sql`insert into appointments (client_id, starts_at, ends_at) values (3, '2026-03-01T10:00:00Z', '2026-03-01T10:00:00Z')`);
    }, { onDisk: true });
    databases.push(seeded.database);
    let c = await open(seeded);
    const before = await readCatalog(c.db);
    await c.close();

    const result = await start(seeded);
    expect(result.code).toBe(65);
    const out = lines(result.stderr);
    expect(out[0]).toMatch(/^start refused: the data in the database breaks a rule the migrations add/);
    expect(out.slice(1)).toEqual([
      expect.stringMatching(/^database: duplicate email by case: users 1, 4 \(Admin@Example\.COM, ADMIN@example\.com\)/),
      expect.stringMatching(/^database: appointments 1 \(client 1, 2026-01-15T10:00:00Z to 2026-01-15T10:30:00Z\) and 5 \(client 3, 2026-01-15T10:10:00Z to 2026-01-15T10:20:00Z\) overlap; .*pnpm db:overlaps --resolve/),
      expect.stringMatching(/^database: appointment 6 \(client 3\) ends at 2026-03-01T10:00:00Z, not after it starts/),
    ]);
    expect(result.stderr).not.toMatch(/^\s+at /m);

    c = await open(seeded);
    try {
      expect(await readCatalog(c.db)).toEqual(before);
    } finally {
      await c.close();
    }
  });
});

describe('a schema that differs from what the migrations produce', () => {
  it('exits 70 with one line per difference', async () => {
    const seeded = await seedEraDatabase(async (db) => {
      await createSeedDatabase(db);
      await migrate(db);
      await db.execute(sql`drop index ix_clients_owner_name`);
      await db.execute(sql`alter table appointments drop column status cascade`);
    }, { onDisk: true });
    databases.push(seeded.database);
    const result = await start(seeded);
    expect(result.code).toBe(70);
    const out = lines(result.stderr);
    expect(out[0]).toMatch(/^start refused: the database schema differs from what the migrations produce/);
    expect(out.slice(1)).toEqual([
      "database: missing column appointments.status (character varying(16) NOT NULL DEFAULT 'scheduled'::character varying)",
      expect.stringMatching(/^database: missing constraint on appointments: CHECK \(\(\(status\)::text = ANY/),
      expect.stringMatching(/^database: missing constraint on appointments: EXCLUDE USING gist/),
      'database: missing index on clients: CREATE INDEX ON public.clients USING btree (owner_id, lower((name)::text) COLLATE "C", id)',
    ]);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
