/**
 * The SQLSTATE of a database error. Drizzle wraps driver errors, so the code is on `cause`;
 * both drivers (postgres and PGlite) put it in `code`.
 */
export function sqlState(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (typeof current === 'object' && current !== null) {
      const code = (current as { code?: unknown }).code;
      if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
      current = (current as { cause?: unknown }).cause;
    } else {
      break;
    }
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
