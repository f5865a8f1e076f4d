// PostgreSQL's text of a `timestamptz`, read into a Date in one place for both drivers. Both read it
// with `new Date(text)` before: V8 reads PostgreSQL's `0001-06-01 10:00:00+00` (not ISO 8601: a space,
// a two-digit offset) with its legacy rules, as 2001; `… BC` and `infinity` gave an Invalid Date
// (PGlite: the number Infinity), whose toISOString() threw: a 500 for a whole list (round 10's break
// test, legacy appointments written by the original service or by hand).

/** The furthest instant a Date holds (±100,000,000 days from 1970): `infinity` and beyond read as it. */
export const DATE_LIMIT_MS = 8.64e15;

// DateStyle ISO (PostgreSQL's default, and what both drivers ask for): years of four digits or more,
// fractions to microseconds, offsets of the session's zone to the second (local mean time before
// standard zones), ` BC` for years before 1.
const TIMESTAMPTZ = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?( BC)?$/;

export function parseTimestamptz(text: string): Date {
  if (text === 'infinity') return new Date(DATE_LIMIT_MS);
  if (text === '-infinity') return new Date(-DATE_LIMIT_MS);
  const parts = TIMESTAMPTZ.exec(text);
  // Another DateStyle (a session that changed it): read as the drivers did.
  if (!parts) return new Date(text);
  const [, y, mo, d, h, mi, s, fraction, sign, oh, om, os, bc] = parts as unknown as string[];
  // 1 BC is year 0 of the proleptic Gregorian calendar that Date counts in, 2 BC is -1.
  const year = bc ? 1 - Number(y) : Number(y);
  const at = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0 to 99 as 1900 to 1999.
  at.setUTCFullYear(year, Number(mo) - 1, Number(d));
  at.setUTCHours(Number(h), Number(mi), Number(s), fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0);
  const offsetMs = (Number(oh) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0)) * 1000 * (sign === '-' ? -1 : 1);
  const ms = at.getTime() - offsetMs;
  // Past what a Date holds (PostgreSQL goes to 294276 AD): the furthest instant it does.
  if (Number.isNaN(ms)) return new Date(year > 0 ? DATE_LIMIT_MS : -DATE_LIMIT_MS);
  return new Date(Math.max(-DATE_LIMIT_MS, Math.min(DATE_LIMIT_MS, ms)));
}

/** PostgreSQL's type oid of `timestamptz`. */
export const TIMESTAMPTZ_OID = 1184;
