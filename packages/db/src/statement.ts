// One fixed statement run straight on the driver, past Drizzle's query building and row mapping,
// for the one read every authenticated request makes (the token's user, apps/api's
// services/users.ts). Drizzle's prepared select spent ~11 % of a GET /v1/auth/me's instructions on
// the main thread (docs/decisions.md, issue 15 round 9); every other statement goes through Drizzle.
import { getTableColumns } from 'drizzle-orm';
import type { Database } from './connect.js';
import { users, type User } from './schema/users.js';

/** A driver's own way to run a statement with parameters: rows keyed by the column names the SQL gives. */
export type StatementRunner = (text: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

// Filled by `connect` for each database it opens; weak, so a closed database's entry goes with it.
const runners = new WeakMap<Database, StatementRunner>();

/** `connect`'s part: how `db`'s driver runs a statement. Not exported from the package. */
export function setStatementRunner(db: Database, run: StatementRunner): void {
  runners.set(db, run);
}

/**
 * `text` with `params` ($1, $2, …), run by the driver under `db` (postgres-js prepares it once per
 * connection). Only for a database `connect` opened: a transaction's `tx` has no runner.
 */
export function runStatement(db: Database, text: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const run = runners.get(db);
  if (!run) throw new Error('runStatement needs a database opened by connect()');
  return run(text, params);
}

// The column types a driver already gives as the schema's TypeScript type. A custom column (the
// schema's timestamptz) is decoded as Drizzle decodes it (its mapFromDriverValue: a Date from
// postgres-js, the text from PGlite, each read by parseTimestamptz). Any other type in `users` stops
// the module from loading (and so every test), until it is decoded here too.
const AS_GIVEN = new Set(['PgSerial', 'PgInteger', 'PgVarchar', 'PgText', 'PgBoolean']);
const USER_FIELDS = Object.entries(getTableColumns(users)).map(([key, column]) => {
  if (column.columnType !== 'PgCustomColumn' && !AS_GIVEN.has(column.columnType)) {
    throw new Error(`users.${column.name} (${column.columnType}) has no decoding for runStatement's rows`);
  }
  return { key, name: column.name, decode: column.columnType === 'PgCustomColumn' ? (value: unknown) => column.mapFromDriverValue(value) : undefined };
});

/** Every column of `users`, from the schema, for a statement whose rows `userFromRow` reads. */
export const USER_COLUMNS = USER_FIELDS.map(({ name }) => `users."${name}"`).join(', ');

/** The `User` Drizzle would have made of a row that has `USER_COLUMNS` (other columns are ignored). */
export function userFromRow(row: Record<string, unknown>): User {
  const user: Record<string, unknown> = {};
  for (const { key, name, decode } of USER_FIELDS) {
    const value = row[name] ?? null;
    user[key] = value === null || !decode ? value : decode(value);
  }
  return user as User;
}
