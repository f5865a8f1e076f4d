import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PglitePool } from './connect.js';

/** Where the database lives, read from `DATABASE_URL`. */
export type DatabaseTarget =
  | {
      kind: 'pglite';
      dataDir: string | undefined; // undefined: in memory
      /** Start from this data directory image (PGlite's `dumpDataDir`): tests reuse a migrated one. */
      image?: Blob;
      /**
       * In memory only: take an open database from here instead of opening one, and give it back
       * instead of closing it (tests reuse one per worker, reset between files: see testing.ts).
       */
      pool?: PglitePool;
    }
  | { kind: 'postgres'; url: string };

export class DatabaseUrlError extends Error {}

/**
 * Unset means embedded PGlite on disk in `defaultDataDir`; `memory://` a throwaway in-memory PGlite;
 * `postgres://`, `postgresql://` and SQLAlchemy's `postgresql+driver://` (the original service's
 * form: the `+driver` is dropped) mean PostgreSQL.
 */
export function parseDatabaseUrl(value: string | undefined, defaultDataDir: string): DatabaseTarget {
  const raw = value?.trim();
  if (!raw) return { kind: 'pglite', dataDir: defaultDataDir };
  if (raw === 'memory://' || raw === 'memory:') return { kind: 'pglite', dataDir: undefined };
  const match = /^(postgres|postgresql)(\+[a-z0-9_]+)?:\/\//i.exec(raw);
  if (!match) {
    throw new DatabaseUrlError(
      'must be postgres://…, postgresql://… (postgresql+psycopg://… is accepted) or memory://',
    );
  }
  const url = `postgres://${raw.slice(match[0].length)}`;
  try {
    const parsed = new URL(url);
    if (!parsed.hostname && !parsed.searchParams.get('host')) throw new Error('no host');
  } catch {
    throw new DatabaseUrlError('is not a valid PostgreSQL URL');
  }
  return { kind: 'postgres', url };
}

/**
 * The folder of everything kept on disk when nothing else is said (the embedded database, the
 * development key): `DATA_DIR`, or else `apps/api/.data` of this repository, whichever command
 * asks and from whichever directory (`pnpm dev`, `start`, `db:migrate`, `db:seed`, …). Outside a
 * checkout of the repository, `.data` in the working directory.
 */
export function dataDirOf(env: Record<string, string | undefined>): string {
  if (env.DATA_DIR) return resolve(env.DATA_DIR);
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  if (existsSync(join(root, 'pnpm-workspace.yaml')) && existsSync(join(root, 'apps', 'api'))) return join(root, 'apps', 'api', '.data');
  return resolve('.data');
}

/** Where `DATABASE_URL` (or, unset, the embedded database under `dataDirOf`) says the database is. */
export function databaseTargetOf(env: Record<string, string | undefined>): DatabaseTarget {
  return parseDatabaseUrl(env.DATABASE_URL, join(dataDirOf(env), 'pglite'));
}
