// The machine and the software a run measured: CPU, memory, kernel, versions and the commit.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { Environment } from './results.js';

function versionOf(root: string, packageJson: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, packageJson), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

export async function collectEnvironment(root: string, databaseUrl: string, loadAvgBefore: number[]): Promise<Environment> {
  let server = '?';
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ server_version: string }[]>`show server_version`;
    server = row?.server_version ?? '?';
  } catch {
    // the database is gone (smoke run dropped it): leave the version unknown
  } finally {
    await sql.end({ timeout: 5 });
  }
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim();
    if (dirty) commit += ' (with uncommitted changes)';
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    versions: {
      Node: process.versions.node,
      PostgreSQL: server,
      PGlite: versionOf(root, 'packages/db/node_modules/@electric-sql/pglite/package.json'),
      Fastify: versionOf(root, 'apps/api/node_modules/fastify/package.json'),
      'drizzle-orm': versionOf(root, 'packages/db/node_modules/drizzle-orm/package.json'),
      'postgres (driver)': versionOf(root, 'packages/db/node_modules/postgres/package.json'),
      argon2: versionOf(root, 'apps/api/node_modules/argon2/package.json'),
      autocannon: versionOf(root, 'bench/node_modules/autocannon/package.json'),
    },
    commit,
    loadAvgBefore,
    loadAvgAfter: loadavg(),
  };
}
