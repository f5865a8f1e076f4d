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
const COLUMNS = getTableColumns(users);
for (const [key, column] of Object.entries(COLUMNS)) {
  if (column.columnType !== 'PgCustomColumn' && !AS_GIVEN.has(column.columnType)) {
    throw new Error(`users.${key} (${column.name}, ${column.columnType}) has no decoding for runStatement's rows`);
  }
}

/**
 * Every column of `users`, from the schema, for a statement on `users` alone (names not qualified by
 * the table) whose rows `userFromRow` reads. No spaces: postgres-js looks a statement up by its whole
 * text on every query, hashing it each time (issue 15, round 14).
 */
export const USER_COLUMNS = Object.values(COLUMNS)
  .map(({ name }) => `"${name}"`)
  .join(',');

/** A timestamp column's decoder (Drizzle's own), null kept as null; one per column, made once. */
const decoderOf =
  (column: typeof COLUMNS.createdAt | typeof COLUMNS.tokensRevokedAt) =>
  (value: unknown): unknown =>
    value === null || value === undefined ? null : column.mapFromDriverValue(value);
const createdAt = decoderOf(COLUMNS.createdAt);
const tokensRevokedAt = decoderOf(COLUMNS.tokensRevokedAt);

/**
 * The `User` Drizzle would have made of a row that has `USER_COLUMNS` (other columns are ignored).
 * One object literal, not a loop over the columns: every `User` then has one shape from its first
 * property on (a property added by key made V8 look up a map transition in its runtime on every
 * request: eight of them per authenticated request, issue 15 round 13). The type below fails to
 * compile when the schema gains or loses a column; `checkUserFromRow` fails the module's load when a
 * key reads another column than the schema's.
 */
export function userFromRow(row: Record<string, unknown>): User {
  const user: { [K in keyof User]: unknown } = {
    id: row.id,
    email: row.email,
    hashedPassword: row.hashed_password,
    isActive: row.is_active,
    createdAt: createdAt(row.created_at),
    tokenVersion: row.token_version,
    isSuperuser: row.is_superuser,
    tokensRevokedAt: tokensRevokedAt(row.tokens_revoked_at),
  };
  return user as User;
}

/**
 * Each key of a `User` read from its own column: a row whose every column holds something of its own
 * (its name, or for a timestamp an instant in a year of its own).
 */
function checkUserFromRow(): void {
  const columns = Object.entries(COLUMNS).map(([key, column], i) => ({ key, column, year: 2001 + i }));
  const row = Object.fromEntries(columns.map(({ column, year }) => [column.name, column.columnType === 'PgCustomColumn' ? `${year}-01-01 00:00:00+00` : column.name]));
  const user = userFromRow(row) as Record<string, unknown>;
  for (const { key, column, year } of columns) {
    const read = user[key];
    const own = column.columnType === 'PgCustomColumn' ? read instanceof Date && read.getUTCFullYear() === year : read === column.name;
    if (!own) throw new Error(`userFromRow reads users.${key} from another column than ${column.name}`);
  }
}
checkUserFromRow();
