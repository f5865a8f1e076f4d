/**
 * The SQLSTATE of a database error. Drizzle wraps driver errors, so the code is on `cause`;
 * both drivers (postgres and PGlite) put it in `code`.
 */
export function sqlState(err: unknown): string | undefined {
  return withSqlState(err)?.code;
}

/** The error along `err`'s `cause` chain that carries a SQLSTATE (see sqlState), with its message. */
function withSqlState(err: unknown): { code: string; message?: unknown } | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return current as { code: string; message?: unknown };
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';
export const EXCLUSION_VIOLATION = '23P01';
export const FOREIGN_KEY_VIOLATION = '23503';
export const CHECK_VIOLATION = '23514';
/** Two transactions waited on each other (e.g. both checking one exclusion constraint): retry. */
export const DEADLOCK_DETECTED = '40P01';
/** A statement ran past `statement_timeout` (or was cancelled). */
export const QUERY_CANCELED = '57014';
/** A write in a read-only session (a standby, or default_transaction_read_only). */
export const READ_ONLY_SQL_TRANSACTION = '25006';

/**
 * Socket errors, the driver's connection errors and SQLSTATEs that mean "this database cannot be
 * reached or opened as configured", or "the connection was lost".
 */
const UNREACHABLE: Record<string, string> = {
  ECONNREFUSED: 'nothing listens at that address (connection refused)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve (DNS unavailable)',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ECONNRESET: 'the server closed the connection',
  '3D000': 'the database named in DATABASE_URL does not exist',
  '28P01': 'the password was refused',
  '28000': 'the user may not connect (pg_hba.conf or the role)',
  '57P03': 'the server is starting up or shutting down',
  // While running (round 14's break test: connections terminated under load answered 500).
  EPIPE: 'the server closed the connection',
  '57P01': 'the server terminated the connection (an administrator, or a shutdown)',
  '57P02': 'the server terminated the connection (a crash)',
  '08000': 'the connection failed',
  '08003': 'the connection does not exist',
  '08006': 'the connection failed',
  CONNECTION_CLOSED: 'the server closed the connection',
  CONNECTION_ENDED: 'the connection was ended',
  CONNECTION_DESTROYED: 'the connection was destroyed',
  CONNECT_TIMEOUT: 'the connection timed out',
  // Round 16's break test: these answered 500.
  '53300': 'the server has no connection slot left (too many clients)',
  '53400': 'a limit of the server was reached (connections for this role or database)',
  CONNECTION_QUEUE_TIMEOUT: 'no connection of the pool became free in time',
};

/**
 * SQLSTATEs of a database that is there but cannot complete this statement now; trying again
 * shortly may succeed (round 16's break test: each answered 500).
 */
const BUSY: Record<string, string> = {
  '40001': 'the transaction could not be serialized with another (serializable isolation)',
  [DEADLOCK_DETECTED]: 'the transaction deadlocked with another',
  '55P03': 'a lock was not granted within lock_timeout',
  [READ_ONLY_SQL_TRANSACTION]: 'the database is read-only (a standby, or default_transaction_read_only)',
};

/**
 * Why the database could not complete a statement that may succeed when tried again shortly, when
 * that is what `err` says: a serialization failure or deadlock, a lock not granted in time, a
 * read-only database, or a statement cancelled by an operator (pg_cancel_backend) rather than by
 * the statement timeout. Undefined for any other error.
 */
export function databaseBusy(err: unknown): string | undefined {
  const coded = withSqlState(err);
  if (coded === undefined) return undefined;
  if (coded.code in BUSY) return BUSY[coded.code];
  // PostgreSQL's own words tell an operator's cancel from the statement timeout; in another language
  // (lc_messages) they cannot be told apart, and a 57014 reads as the timeout, as before.
  if (coded.code === QUERY_CANCELED && typeof coded.message === 'string' && /user request/.test(coded.message)) return 'the statement was cancelled (pg_cancel_backend)';
  return undefined;
}

/**
 * Why the database cannot be reached, in one sentence, when that is what `err` says (along its
 * `cause` chain); undefined for any other error. Names no URL, user or password.
 */
export function databaseUnreachable(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code in UNREACHABLE) return UNREACHABLE[code];
    // PGlite's own word for it (no code): the embedded database was closed under the request.
    if (current instanceof Error && current.message === 'PGlite is closed') return 'the embedded database is closed';
    const nested = (current as { errors?: unknown }).errors; // AggregateError (IPv4 and IPv6 both refused)
    if (Array.isArray(nested) && nested.length > 0) current = nested[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
