// Shared by this folder's suites: the same calls work on in-memory PGlite and on PostgreSQL.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { connect, migrationsFolder, queryRows } from '../src/index.js';
import type { TestDatabase } from '../src/testing.js';
import type { Connection } from '../src/index.js';

export { sql };

/**
 * A connection to a database `createTestDatabase()` handed out. In-memory PGlite: each call is a
 * database of its own, started from the same image.
 */
export function open(database: TestDatabase): Promise<Connection> {
  return connect(database.target);
}

/** The rows of a query, whichever driver answered (`queryRows`). */
export function rows<T extends object = Record<string, unknown>>(c: Connection, query: SQL): Promise<T[]> {
  return queryRows<T>(c.db, query);
}

/** Runs SQL statements one at a time (neither driver's extended protocol takes several at once). */
export async function exec(c: Connection, statements: string[]): Promise<void> {
  for (const statement of statements) await c.db.execute(sql.raw(statement));
}

/** One number out of `select count(*)::int as n ...`. */
export async function count(c: Connection, query: SQL): Promise<number> {
  const [row] = await rows<{ n: number | string }>(c, query);
  if (!row) throw new Error('count query returned no row');
  return Number(row.n);
}

/** The messages along an error's `cause` chain (Drizzle wraps the driver's error). */
export function messages(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    parts.push(current.message);
    current = current.cause;
  }
  return parts.join(' <- ');
}

/** Awaits a promise that must reject and returns what it rejected with. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** The .sql files in the migrations folder, counted independently of the migrator. */
export const migrationFiles = readdirSync(migrationsFolder)
  .filter((name) => name.endsWith('.sql'))
  .sort();

/** What drizzle's journal (`meta/_journal.json`) lists, in order. */
export const journalEntries = (
  JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string; when: number }[];
  }
).entries;

/** The migrations as the migrator reads them (hash and folderMillis are what it records). */
export const migrations = readMigrationFiles({ migrationsFolder });

/** The statements of a migration file, as the migrator splits them. */
export function statements(path: string): string[] {
  return readFileSync(path, 'utf8').split('--> statement-breakpoint').filter((s) => s.trim());
}

export interface JournalRow {
  id: number;
  hash: string;
  created_at: number;
}

/** The rows of drizzle.__drizzle_migrations, oldest first (bigint comes back as a string on postgres-js). */
export async function journalRows(c: Connection): Promise<JournalRow[]> {
  const list = await rows<{ id: number | string; hash: string; created_at: number | string }>(
    c,
    sql`select id, hash, created_at from drizzle.__drizzle_migrations order by id`,
  );
  return list.map((row) => ({ id: Number(row.id), hash: row.hash, created_at: Number(row.created_at) }));
}

let userSequence = 0;

/** A new user with a unique email; returns its id. */
export async function createUser(c: Connection, email?: string): Promise<number> {
  const address = email ?? `owner-${process.pid}-${++userSequence}@example.com`;
  const [row] = await rows<{ id: number }>(
    c,
    sql`insert into users (email, hashed_password) values (${address}, 'h') returning id`,
  );
  if (!row) throw new Error('insert into users returned no id');
  return Number(row.id);
}

/** A new client of `ownerId`; returns its id. */
export async function createClient(c: Connection, ownerId: number, name = 'Client', phone = '+100'): Promise<number> {
  const [row] = await rows<{ id: number }>(
    c,
    sql`insert into clients (name, phone, owner_id) values (${name}, ${phone}, ${ownerId}) returning id`,
  );
  if (!row) throw new Error('insert into clients returned no id');
  return Number(row.id);
}

/** A new appointment; `ownerId` is what is written, whether or not it is the client's owner. */
export async function createAppointment(
  c: Connection,
  a: { clientId: number; ownerId: number; startsAt: string; endsAt: string },
): Promise<number> {
  const [row] = await rows<{ id: number }>(
    c,
    sql`insert into appointments (client_id, owner_id, starts_at, ends_at)
        values (${a.clientId}, ${a.ownerId}, ${a.startsAt}, ${a.endsAt}) returning id`,
  );
  if (!row) throw new Error('insert into appointments returned no id');
  return Number(row.id);
}
