import { sql, type SQL } from 'drizzle-orm';

/** An instant as the API writes it, made by PostgreSQL: RFC 3339 in UTC with milliseconds and `Z`. */
export const utcText = (value: SQL) => sql`to_char(${value} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
