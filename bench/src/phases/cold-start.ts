// Cold starts, spawn to the first 200 from /ready: on PostgreSQL (the last start stays up and
// serves the load), and on embedded PGlite with its migrations already applied.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, migrate } from '@agentcaller/db';
import { log, startApi, type Harness } from '../harness.js';
import { stopServer, type Server } from '../processes.js';

export interface PostgresStarts {
  /** The last API started, still running. */
  api: Server;
  startsMs: number[];
  /** Where the API writes its CPU profile with --profile. */
  profileDir: string;
}

export async function coldStartsOnPostgres(harness: Harness, url: string): Promise<PostgresStarts> {
  const { options } = harness;
  const startsMs: number[] = [];
  const profileDir = join(harness.resultsDir, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
  let api: Server | undefined;
  for (let i = 0; i < options.coldStarts; i++) {
    const last = i === options.coldStarts - 1;
    const flags = last && options.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const server = await startApi(harness, { DATABASE_URL: url }, flags);
    startsMs.push(server.startMs);
    log(`cold start on PostgreSQL: ${server.startMs.toFixed(0)} ms to the first 200 from /ready`);
    if (last) api = server;
    else await stopServer(server);
  }
  if (!api) throw new Error('the API did not start');
  return { api, startsMs, profileDir };
}

/**
 * Creates and migrates a PGlite data directory first (as `pnpm db:migrate` would), then times
 * several starts of the API on it. A failure is recorded, not thrown: the report is still written.
 */
export async function coldStartsOnPglite(harness: Harness): Promise<{ startsMs: number[]; migrateMs: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'agentcaller-bench-pglite-'));
  const startsMs: number[] = [];
  let migrateMs = 0;
  try {
    const migrateBegan = performance.now();
    const embedded = await connect({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
    try {
      await migrate(embedded.db);
    } finally {
      await embedded.close();
    }
    migrateMs = performance.now() - migrateBegan;
    for (let i = 0; i < harness.options.coldStarts; i++) {
      const server = await startApi(harness, { DATABASE_URL: undefined, DATA_DIR: dataDir });
      startsMs.push(server.startMs);
      await stopServer(server);
    }
    log(`cold start on PGlite (created and migrated in ${migrateMs.toFixed(0)} ms): ${startsMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  } catch (err) {
    harness.failures.push(`PGlite cold start: ${(err as Error).message}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { startsMs, migrateMs };
}
