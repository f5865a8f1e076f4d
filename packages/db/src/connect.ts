import { mkdirSync } from 'node:fs';
import { type Logger, sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { READ_ONLY_SQL_TRANSACTION, sqlState } from './errors.js';
import { lockDataDir } from './lock.js';
import { setStatementRunner } from './statement.js';
import * as schema from './schema/index.js';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './timestamps.js';
import type { DatabaseTarget } from './url.js';

export type Schema = typeof schema;

/** runStatement's statements are named and prepared once per connection. */
const PREPARED = Object.freeze({ prepare: true });
/** The Drizzle database, whichever driver is under it. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface Connection {
  db: Database;
  driver: 'pglite' | 'postgres';
  /**
   * Answers when the database does (for `/ready`), and whether it takes writes: a standby not yet
   * promoted, or `default_transaction_read_only`, answers reads only.
   */
  ping(): Promise<{ writable: boolean }>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** PostgreSQL pool size (default 10). */
  maxConnections?: number;
  /**
   * PostgreSQL `statement_timeout` for every statement of the pool, in ms (default: none). Bounds
   * what one request can cost; migrations lift it for their own transaction.
   */
  statementTimeoutMs?: number;
  /**
   * PostgreSQL `lock_timeout` for every statement of the pool, in ms (default: none): a statement
   * waiting longer for a lock (an operator's LOCK TABLE, a long migration) fails with 55P03 instead
   * of holding its connection until the statement timeout.
   */
  lockTimeoutMs?: number;
  /**
   * How long a query may wait for a free connection of the pool, in ms (default: as long as it
   * takes); past it, it fails with CONNECTION_QUEUE_TIMEOUT (patches/postgres@3.4.9.patch). A SELECT
   * of no transaction pipelined behind a connection's running statement is given up the same way
   * after waiting that long for its turn (docs/decisions.md, "Statements pipelined behind a lock").
   */
  queueTimeoutMs?: number;
  /** Sees every statement Drizzle sends, with its parameters (tests read the plans of the API's own statements). */
  logger?: Logger;
}

/** PostgreSQL's buffer pool for an in-memory PGlite (`memory://`). */
export const IN_MEMORY_SHARED_BUFFERS = '16MB';
/** PostgreSQL's buffer pool for an embedded PGlite on disk (`DATA_DIR`). */
export const ON_DISK_SHARED_BUFFERS = '32MB';

/** An open in-memory PGlite, as `openPglite` makes it. */
export type OpenPglite = Awaited<ReturnType<typeof openPglite>>;

/** Where a `pglite` target's in-memory databases come from and go back to (see `DatabaseTarget`). */
export interface PglitePool {
  take(): Promise<OpenPglite>;
  /** Takes back a database its user has finished with (the pool resets it, or closes it). */
  give(db: OpenPglite): Promise<void>;
}

/** The PGlite behind a `pglite` target, with the extensions the migrations use. */
export async function openPglite(target: Extract<DatabaseTarget, { kind: 'pglite' }>) {
  // Loaded only when used: a PostgreSQL deployment never pays PGlite's memory.
  const [{ PGlite }, { btree_gin }, { btree_gist }, { pg_trgm }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/btree_gin'),
    import('@electric-sql/pglite/contrib/btree_gist'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
  ]);
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  return PGlite.create(target.dataDir ?? 'memory://', {
    extensions: { btree_gin, btree_gist, pg_trgm },
    ...(target.image ? { loadDataDir: target.image } : {}),
    // PostgreSQL's default buffer pool (128 MB, zeroed at start) costs ~0.6 s of CPU per start and
    // 128 MB of memory. In memory every page is in memory already: the pool would only hold a second
    // copy. On disk, a page the pool misses is read from the operating system's file cache (PGlite
    // runs no I/O of its own): 32 MB holds the working set of an embedded install (a business's
    // calendar and clients, a few MB), and a real server is what a larger one runs on.
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${target.dataDir ? ON_DISK_SHARED_BUFFERS : IN_MEMORY_SHARED_BUFFERS}`],
    parsers: { [TIMESTAMPTZ_OID]: parseTimestamptz },
  });
}

export async function connect(target: DatabaseTarget, options: ConnectOptions = {}): Promise<Connection> {
  if (target.kind === 'pglite') {
    // One process per folder: a second one would answer writes that the first then overwrites.
    const unlock = target.dataDir ? await lockDataDir(target.dataDir) : async () => {};
    const { pool } = target;
    const [client, { drizzle: drizzlePglite }] = await Promise.all([pool ? pool.take() : openPglite(target), import('drizzle-orm/pglite')]).catch(
      async (err: unknown) => {
        await unlock();
        throw err;
      },
    );
    let closed = false;
    // A pooled database outlives this connection: after close, this connection's user must find it
    // closed (as a closed PGlite is), not reach the database its next user has.
    const reachable = pool
      ? new Proxy(client, {
          get(db, property) {
            if (closed) throw new Error('PGlite is closed');
            const value: unknown = Reflect.get(db, property, db);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(db) : value;
          },
        })
      : client;
    const db: Database = drizzlePglite(reachable, { schema, ...(options.logger ? { logger: options.logger } : {}) });
    setStatementRunner(db, async (text, params) => {
      options.logger?.logQuery(text, params);
      return (await reachable.query<Record<string, unknown>>(text, params)).rows;
    });
    return {
      db,
      driver: 'pglite',
      ping: () => pingDatabase(db),
      close: async () => {
        // Once: a pooled database given back twice would be handed to two users.
        if (closed) return;
        closed = true;
        try {
          await (pool ? pool.give(client) : client.close());
        } finally {
          await unlock();
        }
      },
    };
  }
  const client = postgres(target.url, {
    max: options.maxConnections ?? 10,
    onnotice: () => {},
    connect_timeout: 10,
    // Seconds before a closed connection connects again. postgres-js's own curve grows with a count
    // shared by the pool and raised by each connection that closes: one failover closing all ten
    // gave waits of 10-20 s, and requests queued on those connections waited with them (round 14's
    // break test). At most a second here, with postgres-js's jitter.
    backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** retries, 1),
    ...(options.queueTimeoutMs ? { queue_timeout: options.queueTimeoutMs / 1000 } : {}),
    connection: {
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      ...(options.lockTimeoutMs ? { lock_timeout: options.lockTimeoutMs } : {}),
    },
  });
  const db: Database = drizzlePostgres(client, { schema, ...(options.logger ? { logger: options.logger } : {}) });
  // Drizzle turned postgres-js's own timestamp parsing off (it reads the text with new Date): the
  // one parser of both drivers instead (timestamps.ts).
  client.options.parsers[TIMESTAMPTZ_OID] = parseTimestamptz;
  // Not an async function: the query postgres-js returns is itself the promise (one promise and one
  // microtask fewer on every authenticated request), and its options are one object, not one a call.
  setStatementRunner(db, (text, params) => {
    options.logger?.logQuery(text, params);
    return client.unsafe<Record<string, unknown>[]>(text, params as postgres.ParameterOrJSON<never>[], PREPARED);
  });
  return {
    db,
    driver: 'postgres',
    ping: () => pingDatabase(db),
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * See Connection.ping. A read-only session is refused with 25006, as a write on it would be: on
 * PostgreSQL that ends the pool's sessions once idle (patches/postgres@3.4.9.patch, onreadonly),
 * so when the database takes writes again (an operator reset default_transaction_read_only) the
 * next sessions see it, with no write needed first.
 */
async function pingDatabase(db: Database): Promise<{ writable: boolean }> {
  // Twice at most: the first refusal ended the pool's older sessions, so a second look is at a
  // session started now (round 17's re-check: the first /ready after the database took writes
  // again still said read-only).
  for (let attempt = 1; ; attempt++) {
    try {
      await db.execute(sql.raw(READ_WRITE_CHECK));
      return { writable: true };
    } catch (err) {
      if (sqlState(err) !== READ_ONLY_SQL_TRANSACTION) throw err;
      if (attempt === 2) return { writable: false };
    }
  }
}

const READ_WRITE_CHECK = `do $$ begin if current_setting('transaction_read_only') = 'on' then raise exception 'read-only' using errcode = '${READ_ONLY_SQL_TRANSACTION}'; end if; end $$`;

/**
 * The rows of a raw query's result, whichever driver answered: postgres-js answers an array of
 * rows, PGlite an object with `rows`. The one place that knows both shapes.
 */
export function resultRows<T extends object = Record<string, unknown>>(result: unknown): T[] {
  if (Array.isArray(result)) return [...(result as T[])];
  if (result && typeof result === 'object' && Array.isArray((result as { rows?: unknown }).rows)) return (result as { rows: T[] }).rows;
  throw new Error('unexpected result shape from db.execute');
}

/** Runs raw SQL and returns its rows, whichever driver is under `db`. */
export async function queryRows<T extends object = Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  return resultRows<T>(await db.execute(query));
}
