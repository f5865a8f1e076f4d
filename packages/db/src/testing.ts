import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/pglite';
import { openPglite, type OpenPglite, type PglitePool } from './connect.js';
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
  /**
   * An in-memory PGlite that keeps its contents from one connection to the next until `drop()`, as
   * an on-disk one does (and, like one, takes one connection at a time): for tests that fill a
   * database, then open it again as the app or a CLI would. Without it, each connection to an
   * in-memory target is a new database.
   */
  lasting?: boolean;
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
    const kind = options.migrated ? 'migrated' : 'empty';
    const image = await pgliteImage(kind);
    // Both come from the worker's pool of that image, reset between users (see ResettingPool).
    const pool = await poolOf(kind);
    if (!options.lasting) return { url: 'memory://', target: { kind: 'pglite', dataDir: undefined, image, pool }, drop: async () => {} };
    const lasting = new LastingDatabase(pool);
    return { url: 'memory://', target: { kind: 'pglite', dataDir: undefined, image, pool: lasting }, drop: () => lasting.drop() };
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

/**
 * The TCP ports process `pid` listens on, read from Linux's /proc: its socket descriptors, matched
 * against the listening sockets of its network namespace. A server a test starts on `PORT=0` is
 * found here by its own socket. Picking a free port first and passing it on is a race: between the
 * pick and the child's listen, another test's server can take the port, answer `/health` in the
 * child's place, and serve that test's requests. Empty while it does not listen yet, or has exited.
 */
export function listeningPorts(pid: number): number[] {
  const sockets = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode) sockets.add(inode);
      } catch {
        // Closed between the listing and the read.
      }
    }
  } catch {
    return []; // exited
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    // Columns: sl local_address rem_address st … inode; state 0A is LISTEN.
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A' && sockets.has(fields[9] ?? '')) ports.add(Number.parseInt(fields[1]?.split(':')[1] ?? '', 16));
    }
  }
  return [...ports];
}

/**
 * Waits until `child` listens on one port (listeningPorts) and answers `GET /health` there with a
 * 2xx; its base URL. Throws when it exits first, listens on more than one port, or `timeoutMs`
 * passes. The API's test servers and the end-to-end test's API start through it.
 */
export async function waitUntilHealthy(child: ChildProcess, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`it exited during start-up (code ${child.exitCode}, signal ${child.signalCode})`);
    const ports = child.pid === undefined ? [] : listeningPorts(child.pid);
    if (ports.length > 1) throw new Error(`it listens on ${ports.length} ports: ${ports.join(', ')}`);
    if (ports[0] !== undefined) {
      const url = `http://127.0.0.1:${ports[0]}`;
      try {
        if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) })).ok) return url;
      } catch {
        // Listening, not answering yet.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`it did not answer /health within ${timeoutMs} ms`);
}

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
    return new BytesBlob(readFileSync(file));
  } catch {
    // Not made yet: make it below.
  }
  const client = await openPglite({ kind: 'pglite', dataDir: undefined });
  try {
    if (kind === 'migrated') await migrate(drizzle(client));
    const dump = new BytesBlob(new Uint8Array(await (await client.dumpDataDir('none')).arrayBuffer()));
    mkdirSync(folder, { recursive: true });
    // Written under a private name, then renamed: a reader never sees half a file.
    const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, await dump.bytes());
    renameSync(partial, file);
    return dump;
  } finally {
    await client.close();
  }
}

/**
 * The worker's open in-memory databases of each image (empty, or migrated). Opening one costs ~0.6 s
 * (migrated) to ~1.1 s (empty) of CPU: PostgreSQL's start in WebAssembly and the image's 40 MB, more
 * than most test files' own tests. A database a file has finished with is reset to its image instead
 * (~20-60 ms) and handed to the next:
 * - a transaction left open is rolled back, the session's state discarded (`DISCARD ALL`: settings,
 *   roles, prepared statements, advisory locks, temporary tables);
 * - what the image lacks is dropped: extensions, schemas and roles a test created, and, where the
 *   image's `public` schema holds nothing (the empty image: tests build the original's schema
 *   there), `public` itself, made again as PostgreSQL makes it;
 * - the image's empty tables are truncated (their sequences restarted), the planner's statistics
 *   and the activity counters cleared.
 * Then the catalog and the image's non-empty tables (the migrations journal) must fingerprint as the
 * image's did: a database that fails to reset, or holds anything the reset does not undo (an index
 * added to one of the image's tables, say), is closed, never reused.
 */
const poolOf = oncePerKind(async (kind) => new ResettingPool(await pgliteImage(kind)));

/** Databases kept open for reuse at most (the rest are closed when given back). */
const IDLE_MAX = 2;

interface Pristine {
  fingerprint: string;
  /** The image's empty tables, quoted: what a reset truncates. */
  emptyTables: string[];
  /** The image's tables with rows, quoted: their contents are part of the fingerprint. */
  filledTables: string[];
  /** The image's extensions, schemas and roles: a reset drops any other. */
  extensions: Set<string>;
  schemas: Set<string>;
  roles: Set<string>;
  /** Whether `public` holds no object in the image, so that a reset may make it again. */
  publicEmpty: boolean;
  /** `public`'s comment in the image (PostgreSQL's own), put back when it is made again. */
  publicComment: string | null;
}

class ResettingPool implements PglitePool {
  readonly #image: Blob;
  readonly #idle: OpenPglite[] = [];
  #pristine: Promise<Pristine> | undefined;

  constructor(image: Blob) {
    this.#image = image;
  }

  async take(): Promise<OpenPglite> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    const db = await openPglite({ kind: 'pglite', dataDir: undefined, image: this.#image });
    // The first database, before anyone uses it, is the image as it is.
    this.#pristine ??= describePristine(db);
    await this.#pristine;
    return db;
  }

  async give(db: OpenPglite): Promise<void> {
    if (this.#idle.includes(db) || db.closed) return;
    try {
      const pristine = await this.#pristine!;
      await resetToImage(db, pristine);
      if ((await fingerprint(db, pristine.filledTables)) === pristine.fingerprint && this.#idle.length < IDLE_MAX) {
        this.#idle.push(db);
        return;
      }
    } catch {
      // Not reset: closed below, and the next user gets a new one.
    }
    await db.close();
  }
}

/**
 * One database of a pool, kept from one connection to the next (`lasting` above): the first
 * connection takes it, each later one gets the same, and `drop()` gives it back to the pool.
 */
class LastingDatabase implements PglitePool {
  readonly #pool: PglitePool;
  #db: Promise<OpenPglite> | undefined;
  #connected = false;

  constructor(pool: PglitePool) {
    this.#pool = pool;
  }

  take(): Promise<OpenPglite> {
    // Two connections at once would share one session (PGlite has one): refused, as the lock of
    // an on-disk database refuses a second process.
    if (this.#connected) return Promise.reject(new Error('this test database is in use by another connection: close it first'));
    this.#connected = true;
    this.#db ??= this.#pool.take();
    return this.#db;
  }

  async give(db: OpenPglite): Promise<void> {
    // Its contents stay; its session ends, as a process's does: the next connection starts a new one.
    try {
      await endSession(db);
    } finally {
      this.#connected = false;
    }
  }

  async drop(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    if (db) await this.#pool.give(await db);
  }
}

/** Whether schema `n` (pg_namespace) is a user's: not a system schema, not a temporary or TOAST one. */
const USER_SCHEMA = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'`;

const USER_TABLES = `
  select format('%I.%I', n.nspname, c.relname) as name, c.oid
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.relkind in ('r', 'p') and ${USER_SCHEMA}`;

async function describePristine(db: OpenPglite): Promise<Pristine> {
  const tables = (await db.query<{ name: string }>(USER_TABLES)).rows.map((row) => row.name);
  const emptyTables: string[] = [];
  const filledTables: string[] = [];
  for (const name of tables) {
    const { rows } = await db.query<{ filled: boolean }>(`select exists (select from ${name}) as filled`);
    (rows[0]?.filled ? filledTables : emptyTables).push(name);
  }
  const [extensions, schemas, roles] = await Promise.all([namesOf(db, 'extensions'), namesOf(db, 'schemas'), namesOf(db, 'roles')]);
  const { rows } = await db.query<{ empty: boolean; comment: string | null }>(`
    select not exists (select from pg_class where relnamespace = 'public'::regnamespace)
       and not exists (select from pg_proc where pronamespace = 'public'::regnamespace)
       and not exists (select from pg_type where typnamespace = 'public'::regnamespace) as empty,
           obj_description('public'::regnamespace, 'pg_namespace') as comment`);
  return {
    fingerprint: await fingerprint(db, filledTables),
    emptyTables,
    filledTables,
    extensions,
    schemas,
    roles,
    publicEmpty: rows[0]?.empty === true,
    publicComment: rows[0]?.comment ?? null,
  };
}

/** `value` as an SQL identifier (PostgreSQL's quoting rule: double quotes, doubled inside). */
const ident = (value: string) => `"${value.replaceAll('"', '""')}"`;

/**
 * The extensions, schemas and roles a database has: the image's are kept by a reset, any other is
 * dropped. System schemas (`pg_*`: the catalog, TOAST, temporary ones) are neither.
 */
const NAMES = {
  extensions: 'select extname as name from pg_extension',
  schemas: `select nspname as name from pg_namespace where nspname not like 'pg\\_%'`,
  roles: 'select rolname as name from pg_roles',
} as const;

async function namesOf(db: OpenPglite, kind: keyof typeof NAMES): Promise<Set<string>> {
  return new Set((await db.query<{ name: string }>(NAMES[kind])).rows.map((row) => row.name));
}

/** Ends the session as a new connection would find it: a transaction left open rolled back, its state discarded. */
async function endSession(db: OpenPglite): Promise<void> {
  // One statement at a time: DISCARD ALL cannot run inside the implicit transaction of a
  // multi-statement string. ROLLBACK outside a transaction only warns.
  for (const statement of ['rollback', 'discard all']) await db.exec(statement);
}

async function resetToImage(db: OpenPglite, pristine: Pristine): Promise<void> {
  await endSession(db);
  const added = async (kind: keyof typeof NAMES) => [...(await namesOf(db, kind))].filter((name) => !pristine[kind].has(name));
  const statements = [
    ...(await added('extensions')).map((name) => `drop extension if exists ${ident(name)} cascade`),
    ...(await added('schemas')).map((name) => `drop schema if exists ${ident(name)} cascade`),
    ...(await added('roles')).flatMap((name) => [`drop owned by ${ident(name)} cascade`, `drop role if exists ${ident(name)}`]),
  ];
  if (pristine.publicEmpty) {
    statements.push('drop schema public cascade', 'create schema public authorization pg_database_owner', 'grant usage on schema public to public');
    if (pristine.publicComment !== null) statements.push(`comment on schema public is '${pristine.publicComment.replaceAll("'", "''")}'`);
  }
  if (pristine.emptyTables.length > 0) statements.push(`truncate table ${pristine.emptyTables.join(', ')} restart identity cascade`);
  statements.push(`delete from pg_statistic where starelid in (select oid from (${USER_TABLES}) t)`, 'select pg_stat_reset()');
  for (const statement of statements) await db.exec(statement);
}

/**
 * What a test could leave behind that a reset does not undo: every object outside the system
 * schemas (tables, columns and defaults, constraints, indexes, functions, triggers, types, policies,
 * sequences' positions), extensions, schemas, roles, databases, per-role and per-database settings,
 * and the contents of the image's non-empty tables.
 */
async function fingerprint(db: OpenPglite, filledTables: string[]): Promise<string> {
  const parts = [
    `select 'class ' || c.oid::regclass || ' ' || c.relkind::text || c.relpersistence::text || c.relrowsecurity::text from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${USER_SCHEMA}`,
    `select 'column ' || a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum where ${USER_SCHEMA} and a.attnum > 0 and not a.attisdropped`,
    `select 'constraint ' || c.conrelid::regclass || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) from pg_constraint c join pg_namespace n on n.oid = c.connamespace where ${USER_SCHEMA}`,
    `select 'index ' || pg_get_indexdef(i.indexrelid) from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace where ${USER_SCHEMA}`,
    `select 'function ' || p.oid::regprocedure || ' ' || md5(coalesce(p.prosrc, '')) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where ${USER_SCHEMA}`,
    `select 'trigger ' || t.tgrelid::regclass || ' ' || t.tgname || ' ' || t.tgenabled::text from pg_trigger t where not t.tgisinternal`,
    `select 'type ' || t.oid::regtype || ' ' || t.typtype::text from pg_type t join pg_namespace n on n.oid = t.typnamespace where ${USER_SCHEMA}`,
    `select 'enum ' || e.enumtypid::regtype || ' ' || e.enumlabel from pg_enum e`,
    `select 'policy ' || p.polrelid::regclass || ' ' || p.polname from pg_policy p`,
    `select 'sequence ' || s.schemaname || '.' || s.sequencename || ' ' || coalesce(s.last_value::text, '-') from pg_sequences s`,
    `select 'extension ' || e.extname || ' ' || e.extversion from pg_extension e`,
    `select 'schema ' || n.nspname || ' ' || pg_get_userbyid(n.nspowner) || ' ' || coalesce(n.nspacl::text, '-') || ' ' || coalesce(obj_description(n.oid, 'pg_namespace'), '-') from pg_namespace n`,
    `select 'event trigger ' || e.evtname from pg_event_trigger e`,
    `select 'comment ' || d.classoid::regclass || ' ' || d.objoid::text || ' ' || d.objsubid::text || ' ' || md5(d.description) from pg_description d where d.objoid >= 16384 and d.classoid <> 'pg_namespace'::regclass`,
    `select 'publication ' || p.pubname from pg_publication p`,
    `select 'large object ' || l.oid::text from pg_largeobject_metadata l`,
    `select 'cast ' || c.castsource::regtype || ' ' || c.casttarget::regtype from pg_cast c where c.oid >= 16384`,
    `select 'operator ' || o.oid::regoperator from pg_operator o join pg_namespace n on n.oid = o.oprnamespace where ${USER_SCHEMA}`,
    `select 'role ' || r.rolname || ' ' || concat_ws(',', r.rolsuper, r.rolcanlogin, r.rolinherit, r.rolcreaterole, r.rolcreatedb) from pg_roles r`,
    `select 'database ' || d.datname from pg_database d`,
    `select 'setting ' || s.setdatabase::text || ' ' || s.setrole::text || ' ' || array_to_string(s.setconfig, ',') from pg_db_role_setting s`,
    ...filledTables.map((name) => `select 'rows ${name} ' || coalesce(md5(string_agg(t::text, ',' order by t::text)), '') from ${name} t`),
  ];
  const { rows } = await db.query<{ hash: string }>(`select md5(string_agg(x, E'\n' order by x)) as hash from (${parts.join(' union all ')}) as everything(x)`);
  return rows[0]!.hash;
}

/**
 * A Blob over bytes already in memory. PGlite reads an image with `arrayBuffer()`, which Node's own
 * Blob serves through a stream of small chunks: ~0.25 s of CPU for a 40 MB image, plus ~0.13 s to
 * make the Blob, at every database a test opens. This one hands out a copy of its bytes (~10 ms).
 */
class BytesBlob extends Blob {
  readonly #bytes: Uint8Array<ArrayBuffer>;
  #blob: Blob | undefined;

  constructor(bytes: Uint8Array) {
    super([]);
    this.#bytes = new Uint8Array(bytes);
    // Blob's own `size` reads its (empty) native store: this one says how many bytes it serves.
    Object.defineProperty(this, 'size', { value: this.#bytes.byteLength });
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return Promise.resolve(this.#bytes.slice().buffer);
  }

  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return Promise.resolve(this.#bytes.slice());
  }

  // What PGlite does not use is served by a Node Blob of the same bytes, made when first asked for.
  override text(): Promise<string> {
    return this.#asBlob().text();
  }

  override stream(): ReturnType<Blob['stream']> {
    return this.#asBlob().stream();
  }

  override slice(start?: number, end?: number, contentType?: string): Blob {
    return this.#asBlob().slice(start, end, contentType);
  }

  #asBlob(): Blob {
    this.#blob ??= new Blob([this.#bytes]);
    return this.#blob;
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
