import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/pglite';
import { openPglite } from './connect.js';
import { migrate, migrationsFolder } from './migrate.js';
import { parseDatabaseUrl, type DatabaseTarget } from './url.js';

export interface TestDatabase {
  /** The `DATABASE_URL` of a fresh database: empty, or migrated when asked for. */
  url: string;
  /** Where to connect: an in-memory PGlite starts from a cached image (empty, or migrated). */
  target: DatabaseTarget;
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /**
   * In-memory PGlite starts with every migration applied (on PostgreSQL the database is created
   * empty and the app migrates it).
   */
  migrated?: boolean;
}

/**
 * A fresh database for one test file: in-memory PGlite by default, or a new database on the
 * PostgreSQL server that `DATABASE_URL` points at (dropped afterwards).
 */
export async function createTestDatabase(
  env: string | undefined = process.env.DATABASE_URL,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const target = env && !env.startsWith('memory:') ? parseDatabaseUrl(env, '') : undefined;
  if (target?.kind !== 'postgres') {
    const image = await pgliteImage(options.migrated ? 'migrated' : 'empty');
    return { url: 'memory://', target: { kind: 'pglite', dataDir: undefined, image }, drop: async () => {} };
  }
  // TEST_DATABASE_PREFIX tells apart the databases of several checkouts testing on one server.
  const prefix = /^[a-z][a-z0-9_]{0,30}$/.test(process.env.TEST_DATABASE_PREFIX ?? '') ? process.env.TEST_DATABASE_PREFIX! : 'ac_test';
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(target.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(target.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    target: { kind: 'postgres', url: url.toString() },
    drop: async () => {
      const again = postgres(target.url, { max: 1, onnotice: () => {} });
      try {
        await again.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await again.end();
      }
    },
  };
}

/**
 * Writes a PGlite database, migrated or empty (as just created), into `dataDir` (a new or empty
 * folder), so a process started on it opens an existing database instead of creating (and
 * migrating) one: seconds of CPU less per process. A copy of a folder made once (see
 * `dataDirFolder`): a few hundredths of a second, where PGlite writing the image out costs a second
 * of CPU.
 */
export async function writeDataDir(dataDir: string, kind: ImageKind): Promise<void> {
  cpSync(await dataDirFolder(kind), dataDir, { recursive: true });
}

type ImageKind = 'empty' | 'migrated';

/** `make(kind)` once per kind in this process; later calls share its promise. */
function oncePerKind<T>(make: (kind: ImageKind) => Promise<T>): (kind: ImageKind) => Promise<T> {
  const made = new Map<ImageKind, Promise<T>>();
  return (kind) => {
    let value = made.get(kind);
    if (!value) {
      value = make(kind);
      made.set(kind, value);
    }
    return value;
  };
}

/**
 * The image of `kind` as PGlite writes it on disk (a closed database folder), made once per image
 * key next to the image and shared by workers and later runs; copies of it are databases of their own.
 */
const dataDirFolder = oncePerKind(makeDataDirFolder);

async function makeDataDirFolder(kind: ImageKind): Promise<string> {
  const folder = join(tmpdir(), 'agentcaller-test-images', `pglite-${kind}-${imageKey(kind)}`);
  if (existsSync(folder)) return folder;
  // Written under a private name, then renamed: a reader never sees half a folder.
  const partial = `${folder}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const client = await openPglite({ kind: 'pglite', dataDir: partial, image: await pgliteImage(kind) });
  await client.close();
  try {
    renameSync(partial, folder);
  } catch (err) {
    // Another worker finished the same folder first: use it.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(folder)) throw err;
  }
  return folder;
}

/**
 * The data directory of an in-memory PGlite, empty (as just created) or with every migration
 * applied, made once per worker process and cached on disk under a name that hashes the PGlite
 * version and (for `migrated`) the migrations, so later workers and later runs load it (a few
 * hundred milliseconds) instead of creating a database (seconds). A changed migration changes the
 * name, so a stale image is never used.
 */
const pgliteImage = oncePerKind(makeImage);

async function makeImage(kind: ImageKind): Promise<Blob> {
  const folder = join(tmpdir(), 'agentcaller-test-images');
  const file = join(folder, `pglite-${kind}-${imageKey(kind)}.tar`);
  try {
    return new Blob([readFileSync(file)]);
  } catch {
    // Not made yet: make it below.
  }
  const client = await openPglite({ kind: 'pglite', dataDir: undefined });
  try {
    if (kind === 'migrated') await migrate(drizzle(client));
    const dump = await client.dumpDataDir('none');
    mkdirSync(folder, { recursive: true });
    // Written under a private name, then renamed: a reader never sees half a file.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
    return dump;
  } finally {
    await client.close();
  }
}

function imageKey(kind: ImageKind): string {
  const hash = createHash('sha256');
  // The resolved path names PGlite's version (pnpm's store folder), whose data format may change.
  hash.update(import.meta.resolve('@electric-sql/pglite'));
  if (kind === 'migrated') for (const name of readdirSync(migrationsFolder).sort()) {
    if (name.endsWith('.sql')) hash.update(name).update(readFileSync(join(migrationsFolder, name)));
  }
  return hash.digest('hex').slice(0, 16);
}
