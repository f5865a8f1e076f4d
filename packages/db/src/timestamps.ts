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

/** The number written by the digits of `text` from `start` to `end`, or -1 if one is no digit. */
function digitsAt(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The instant of the common shape, read without a regular expression or a Date built field by
 * field (every authenticated request reads one, its account's `created_at`): a four-digit year from
 * 100 on, a fraction of up to six digits, an offset of whole hours or hours and minutes. Anything
 * else (years before 100 or past 9999, BC, an offset with seconds) is undefined: TIMESTAMPTZ reads it.
 */
function commonShapeMs(text: string): number | undefined {
  const length = text.length;
  // YYYY-MM-DD HH:MM:SS, then the fraction or the offset's sign.
  if (length < 22 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 7);
  const day = digitsAt(text, 8, 10);
  const hour = digitsAt(text, 11, 13);
  const minute = digitsAt(text, 14, 16);
  const second = digitsAt(text, 17, 19);
  // Date.UTC reads years 0 to 99 as 1900 to 1999: those take the long way.
  if (year < 100 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let at = 19;
  let ms = 0;
  if (text.charCodeAt(at) === 46) {
    // Microseconds at most; the milliseconds are the first three digits (as TIMESTAMPTZ reads them).
    let read = 0;
    for (at += 1; at < length; at++) {
      const digit = text.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) break;
      if (read < 3) ms = ms * 10 + digit;
      read++;
    }
    if (read === 0 || read > 6) return undefined;
    for (; read < 3; read++) ms *= 10;
  }
  const sign = text.charCodeAt(at);
  if (sign !== 43 && sign !== 45) return undefined;
  const rest = length - at - 1;
  const offsetHours = digitsAt(text, at + 1, at + 3);
  const offsetMinutes = rest === 2 ? 0 : rest === 5 && text.charCodeAt(at + 3) === 58 ? digitsAt(text, at + 4, at + 6) : -1;
  if (offsetHours < 0 || offsetMinutes < 0) return undefined;
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - (sign === 45 ? -offsetMs : offsetMs);
}

export function parseTimestamptz(text: string): Date {
  const common = commonShapeMs(text);
  if (common !== undefined) return new Date(common);
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
