// A timestamptz as both drivers now read it (src/timestamps.ts), checked against PostgreSQL's own
// count of seconds since 1970 for the same value: years before 100 (V8 read `0001-…` as 2001), BC,
// infinity, offsets to the second, fractions. Round 10's break test stored such appointments by hand,
// as the original service could: one came back 2000 years off, a BC one made the whole list a 500.
// Runs on PGlite, and on PostgreSQL with DATABASE_URL.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, migrate, queryRows, runStatement, USER_COLUMNS, userFromRow, users, type Connection } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { DATE_LIMIT_MS, parseTimestamptz } from '../src/timestamps.js';

let database: TestDatabase;
let c: Connection;
beforeAll(async () => {
  database = await createTestDatabase(undefined, { migrated: true });
  c = await connect(database.target);
  await migrate(c.db);
});
afterAll(async () => {
  await c.close();
  await database.drop();
});

/**
 * What a raw statement gives: a Date from postgres-js (connect sets parseTimestamptz on it), the text
 * from PGlite under Drizzle (Drizzle passes it through; its columns read it with the schema's
 * timestamptz, which parses it the same way).
 */
const read = (value: Date | string) => (value instanceof Date ? value : parseTimestamptz(value));

const VALUES = [
  '0001-06-01 10:00:00+00',
  '0099-06-01 10:00:00+00',
  '0999-12-31 23:59:59.999+00',
  '0044-03-15 10:00:00+00 BC',
  '2030-01-07 09:30:00.123456+00',
  // The common shape's own reading (timestamps.ts): fractions of one and two digits, year 100.
  '2030-01-07 09:30:00.1+00',
  '2030-01-07 09:30:00.12+00',
  '0100-01-01 00:00:00+00',
  '1970-01-01 00:00:00+00',
  '9999-12-31 23:59:59+00',
];

describe('a timestamptz read through either driver', () => {
  for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns']) {
    it(`is the instant PostgreSQL counts, in a session at ${zone} (offsets to the second before 1900)`, async () => {
      // In one transaction: its connection keeps the zone, and each value is read after it was set.
      await c.db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local time zone '${zone}'`));
        for (const value of VALUES) {
          const [row] = await queryRows<{ at: Date | string; epoch: number | string }>(tx, sql`select ${value}::timestamptz as at, extract(epoch from ${value}::timestamptz)::float8 as epoch`);
          // Microseconds are beyond a Date: its milliseconds are PostgreSQL's, truncated.
          expect(read(row!.at).getTime(), `${value} at ${zone} (read as ${String(row!.at)})`).toBe(Math.floor(Number(row!.epoch) * 1000 + 1e-6));
        }
      });
    });
  }

  it('reads infinity and -infinity as the furthest instants a Date holds', async () => {
    const [row] = await queryRows<{ up: Date | string; down: Date | string }>(c.db, sql`select 'infinity'::timestamptz as up, '-infinity'::timestamptz as down`);
    expect([read(row!.up).getTime(), read(row!.down).getTime()]).toEqual([DATE_LIMIT_MS, -DATE_LIMIT_MS]);
    expect(read(row!.up).toISOString()).toBe('+275760-09-13T00:00:00.000Z');
  });

  it('reaches Drizzle and the statements past it the same way', async () => {
    const [user] = await c.db.insert(users).values({ email: 'old-date@example.com', hashedPassword: 'x' }).returning({ id: users.id });
    await c.db.execute(sql`update users set created_at = '0001-06-01 10:00:00+00', tokens_revoked_at = '0044-03-15 10:00:00+00 BC' where id = ${user!.id}`);
    const [byDrizzle] = await c.db.select().from(users).where(eq(users.id, user!.id));
    expect(byDrizzle!.createdAt.toISOString()).toBe('0001-06-01T10:00:00.000Z');
    expect(byDrizzle!.tokensRevokedAt!.toISOString()).toBe('-000043-03-15T10:00:00.000Z');
    const [row] = await runStatement(c.db, `select ${USER_COLUMNS} from users where id = $1`, [user!.id]);
    expect(userFromRow(row!)).toEqual(byDrizzle);
  });
});

describe('parseTimestamptz', () => {
  it('clamps what is past a Date to its furthest instant, and reads other styles as new Date did', () => {
    expect(parseTimestamptz('294276-12-31 23:59:59+00').getTime()).toBe(DATE_LIMIT_MS);
    expect(parseTimestamptz('4713-01-01 00:00:00+00 BC').getTime()).toBe(Date.UTC(-4712, 0, 1));
    expect(parseTimestamptz('2030-01-07T09:30:00Z').toISOString()).toBe('2030-01-07T09:30:00.000Z');
  });
});

describe('parseTimestamptz on the common shape', () => {
  /** PostgreSQL's text for `ms` at `offsetMinutes` east of UTC, with `fractionDigits` digits of fraction. */
  function textOf(ms: number, offsetMinutes: number, fractionDigits: number): string {
    const local = new Date(ms + offsetMinutes * 60_000).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
    const fraction = fractionDigits === 0 ? '' : `.${`${local.slice(20, 23)}000`.slice(0, fractionDigits)}`;
    const sign = offsetMinutes < 0 ? '-' : '+';
    const hours = String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0');
    const minutes = Math.abs(offsetMinutes) % 60;
    return `${local.slice(0, 10)} ${local.slice(11, 19)}${fraction}${sign}${hours}${minutes ? `:${String(minutes).padStart(2, '0')}` : ''}`;
  }

  it('is the instant written, for 5,000 instants from year 100 to 9999 at offsets of hours and minutes', () => {
    const from = Date.UTC(100, 0, 2);
    const to = Date.UTC(9999, 11, 30);
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const ms = Math.floor(from + random() * (to - from));
      const offset = [0, 330, -210, 345, -660, 840, -150][i % 7]!;
      const digits = i % 7;
      const text = textOf(ms, offset, digits);
      // The fraction keeps as many millisecond digits as it was written with.
      const unit = digits >= 3 ? 1 : 10 ** (3 - digits);
      const kept = ms - (((ms % unit) + unit) % unit);
      expect(parseTimestamptz(text).getTime(), text).toBe(kept);
    }
  });
});
