import { customType } from 'drizzle-orm/pg-core';
import { parseTimestamptz } from '../timestamps.js';

/**
 * `timestamp with time zone` read by parseTimestamptz: Drizzle's own `timestamp(…, { mode: 'date' })`
 * reads the driver's text with `new Date(text)`, which V8 reads as 2001 for `0001-06-01 10:00:00+00`
 * and as an Invalid Date for a BC year or `infinity` (round 10's break test: a wrong year in an
 * answer, and a 500 for a whole list). The SQL type, and so the migrations, are unchanged.
 */
export const timestamptz = customType<{ data: Date; driverData: string | Date }>({
  dataType: () => 'timestamp with time zone',
  // postgres-js gives a Date (connect sets parseTimestamptz on it); PGlite under Drizzle the text.
  fromDriver: (value) => (value instanceof Date ? value : parseTimestamptz(value)),
  toDriver: (value) => value.toISOString(),
});
