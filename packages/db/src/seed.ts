// Fills a database with realistic volumes fast, for benchmarks and demos. Rows go in through
// set-based INSERT ... SELECT over generate_series (one statement per table, or per share of the
// owners for appointments, however many rows), and every constraint (unique lower(email), the
// foreign keys, an appointment's owner being its client's owner, no overlap, ends after starts) is
// checked by the database as for any other insert.
import { sql, type SQL } from 'drizzle-orm';
import { resultRows, type Database } from './connect.js';
import { ARGON2_PARAMETERS } from './password-hash.js';

export interface SeedOptions {
  /** New users (at least 1). */
  users: number;
  /** New clients, dealt round-robin over the new users (client j belongs to user j mod users). */
  clients: number;
  /**
   * New appointments, dealt round-robin over the new users that have a client. A user's i-th
   * appointment starts at `start + i * slotMinutes` and lasts `durationMinutes`, so one calendar
   * never overlaps; it is with one of that user's clients, in turn.
   */
  appointments: number;
  /** Users are `${emailPrefix}${n}@example.com`, n = 1..users (default `user`). */
  emailPrefix?: string;
  /** Every new user's password (default {@link SEED_PASSWORD}); hashed once with argon2id. */
  password?: string;
  /** A ready hash for every user instead of hashing `password` (e.g. the same hash across runs). */
  passwordHash?: string;
  /** The first appointment's start (default {@link SEED_START}). */
  start?: Date;
  /** Minutes between the starts of one user's appointments (default 30). */
  slotMinutes?: number;
  /** Length of an appointment in minutes, at most `slotMinutes` (default `slotMinutes`). */
  durationMinutes?: number;
  /**
   * Transactions that add appointments side by side (default 1). Give the connection a pool at
   * least this large (PostgreSQL); PGlite has one connection and runs them one after another.
   */
  parallel?: number;
  /** Run VACUUM ANALYZE on the three tables afterwards, as autovacuum would (default true). */
  vacuum?: boolean;
}

export interface SeedResult {
  users: number;
  clients: number;
  appointments: number;
  /** Milliseconds spent per step. */
  timings: { hash: number; users: number; clients: number; appointments: number; vacuum: number; total: number };
}

/** The password of every seeded user unless another is given. */
export const SEED_PASSWORD = 'seed-password-123';
/** A Monday, 00:00 UTC: where seeded calendars start unless told otherwise. */
export const SEED_START = new Date('2030-01-07T00:00:00.000Z');

/** The email of the n-th (1-based) user a seed with this prefix made. */
export function seedEmail(prefix: string, n: number): string {
  return `${prefix}${n}@example.com`;
}


export async function hashSeedPassword(password: string): Promise<string> {
  const argon2 = (await import('argon2')).default;
  return argon2.hash(password, { ...ARGON2_PARAMETERS, type: argon2.argon2id });
}

// Names and area codes the rows are drawn from: realistic search selectivity (a surname matches
// 1 % of a list, a first name 2 %, a whole name one client), and phones valid in the US plan.
export const SEED_FIRST_NAMES = [
  'Ann', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jamal',
  'Kate', 'Liam', 'Maria', 'Noah', 'Olga', 'Pedro', 'Quinn', 'Rosa', 'Sam', 'Tara',
  'Umar', 'Vera', 'Wei', 'Xena', 'Yusuf', 'Zoe', 'Amir', 'Bella', 'Chen', 'Dana',
  'Emil', 'Fatima', 'Gus', 'Hana', 'Ivan', 'Julia', 'Karl', 'Lena', 'Marco', 'Nina',
  'Oscar', 'Priya', 'Raj', 'Sofia', 'Tom', 'Uma', 'Victor', 'Wanda', 'Yara', 'Zack',
] as const;
export const SEED_LAST_NAMES = [
  'Lee', 'Smith', 'Garcia', 'Nguyen', 'Kim', 'Patel', 'Brown', 'Rossi', 'Müller', 'Silva',
  'Jones', 'Khan', 'Martin', 'Lopez', 'Wang', 'Cohen', 'Novak', 'Dubois', 'Sato', 'Okafor',
  'Taylor', 'Walker', 'Young', 'Allen', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson',
  'Hill', 'Ramirez', 'Campbell', 'Mitchell', 'Roberts', 'Carter', 'Phillips', 'Evans', 'Turner', 'Torres',
  'Parker', 'Collins', 'Edwards', 'Stewart', 'Flores', 'Morris', 'Murphy', 'Cook', 'Rogers', 'Morgan',
  'Peterson', 'Cooper', 'Reed', 'Bailey', 'Bell', 'Gomez', 'Kelly', 'Howard', 'Ward', 'Cox',
  'Diaz', 'Richardson', 'Wood', 'Watson', 'Brooks', 'Bennett', 'Gray', 'James', 'Reyes', 'Cruz',
  'Hughes', 'Price', 'Myers', 'Long', 'Foster', 'Sanders', 'Ross', 'Morales', 'Powell', 'Sullivan',
  'Russell', 'Ortiz', 'Jenkins', 'Gutierrez', 'Perry', 'Butler', 'Barnes', 'Fisher', 'Henderson', 'Coleman',
  'Simmons', 'Patterson', 'Jordan', 'Reynolds', 'Hamilton', 'Graham', 'Wallace', 'Woods', 'Cole', 'West',
] as const;
const AREA_CODES = ['212', '312', '415', '617', '206', '303', '512', '702', '808', '919'] as const;

const textArray = (values: readonly string[]): SQL => sql.raw(`ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]::text[]`);

/** How many names "First X. Last" makes (first names × initials × surnames). */
const ONE_INITIAL_NAMES = SEED_FIRST_NAMES.length * 26 * SEED_LAST_NAMES.length;

/**
 * The SQL for client number `j`'s name: "First X. Last" for the first 130,000, then "First Y. X. Last"
 * with a second initial, so every name is unique up to 3,510,000 clients. A whole name then matches
 * one client (two: "Ross" is in "Rossi") at any size, so a search's cost at a million rows is that of
 * the index, not of eight times the matches.
 */
export function seedClientName(j: SQL): SQL {
  const first = textArray(SEED_FIRST_NAMES);
  const last = textArray(SEED_LAST_NAMES);
  return sql`(${first})[1 + ${j} % ${SEED_FIRST_NAMES.length}] || ' '
    || case when ${j} >= ${ONE_INITIAL_NAMES} then chr(65 + (${j} / ${ONE_INITIAL_NAMES} - 1) % 26) || '. ' else '' end
    || chr(65 + (${j} / ${SEED_FIRST_NAMES.length * SEED_LAST_NAMES.length}) % 26) || '. '
    || (${last})[1 + (${j} / ${SEED_FIRST_NAMES.length}) % ${SEED_LAST_NAMES.length}]`;
}


function count(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`seed: ${name} must be a whole number >= ${min} (got ${value})`);
  return value;
}

/** The first row of a result, whichever driver answered. */
function firstRow<T extends object>(result: unknown): T | undefined {
  return resultRows<T>(result)[0];
}

/**
 * Adds users, then their clients (one transaction), then their appointments (`parallel`
 * transactions side by side, each for a share of the owners: the exclusion constraint's GiST
 * index is the cost of an appointment, and one backend checks it on one core). Emails must not
 * exist yet: seeding the same prefix twice fails on the unique email and adds nothing. A failure
 * while adding appointments leaves the users and clients in place.
 */
export async function seed(db: Database, options: SeedOptions): Promise<SeedResult> {
  const users = count('users', options.users, 1);
  const clients = count('clients', options.clients, 0);
  const appointments = count('appointments', options.appointments, 0);
  const slot = count('slotMinutes', options.slotMinutes ?? 30, 1);
  const duration = count('durationMinutes', options.durationMinutes ?? slot, 1);
  const parallel = count('parallel', options.parallel ?? 1, 1);
  if (duration > slot) throw new RangeError('seed: durationMinutes must be at most slotMinutes (appointments would overlap)');
  if (appointments > 0 && clients === 0) throw new RangeError('seed: appointments need at least one client');
  const prefix = options.emailPrefix ?? 'user';
  if (!/^[a-z0-9._+-]+$/.test(prefix)) throw new RangeError('seed: emailPrefix must be lower-case letters, digits or . _ + -');
  const start = options.start ?? SEED_START;
  if (Number.isNaN(start.getTime())) throw new RangeError('seed: start is not a valid date');

  const timings = { hash: 0, users: 0, clients: 0, appointments: 0, vacuum: 0, total: 0 };
  const began = performance.now();
  let mark = began;
  const lap = (step: keyof typeof timings) => {
    const now = performance.now();
    timings[step] = Math.round(now - mark);
    mark = now;
  };

  const hash = options.passwordHash ?? (await hashSeedPassword(options.password ?? SEED_PASSWORD));
  lap('hash');

  // The k-th new user (0-based) is found again by its email, through users_email_lower_key.
  const owners = (from: number, step: number, to: number) => sql`(
    select u.id, k from generate_series(${from}::int, ${to - 1}::int, ${step}::int) as k
    join users u on lower(u.email) = ${prefix}::text || (k + 1) || '@example.com')`;

  await db.transaction(async (tx) => {
    // Bulk work: no need to wait for the WAL flush (the commit is still atomic).
    await tx.execute(sql`set local synchronous_commit = off`);
    await tx.execute(sql`insert into users (email, hashed_password, is_active)
      select ${prefix}::text || k || '@example.com', ${hash}::text, true from generate_series(1, ${users}::int) as k order by k`);
    lap('users');
    if (clients > 0) {
      const areas = textArray(AREA_CODES);
      // Client j belongs to user j mod users, named by seedClientName; phone +1, an area code, an
      // exchange 200-999 and 4 digits (12 characters, valid E.164).
      await tx.execute(sql`insert into clients (name, phone, owner_id)
        select ${seedClientName(sql`j`)},
               '+1' || (${areas})[1 + j % ${AREA_CODES.length}] || (200 + (j / ${AREA_CODES.length}) % 800)
                 || lpad(((j::bigint * 7919) % 10000)::text, 4, '0'),
               o.id
        from generate_series(0, ${clients - 1}::int) as j join ${owners(0, 1, users)} o on o.k = j % ${users}
        order by j`);
    }
    lap('clients');
  });

  if (appointments > 0) {
    // Owners are the users with a client; owner k gets appointments a = k, k + n, k + 2n, ... of
    // the `appointments` (n owners), the i-th of them at start + i * slot, with its clients in turn.
    const n = Math.min(users, clients);
    const chunk = (p: number) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`set local synchronous_commit = off`);
        await tx.execute(sql`insert into appointments (client_id, owner_id, starts_at, ends_at, notes)
          with o as ${owners(p, parallel, n)},
          c as (select c.id, c.owner_id, row_number() over (partition by c.owner_id order by c.id) - 1 as m,
                       count(*) over (partition by c.owner_id) as of
                from clients c join o on c.owner_id = o.id)
          select c.id, o.id,
                 ${start.toISOString()}::timestamptz + make_interval(mins => i * ${slot}::int),
                 ${start.toISOString()}::timestamptz + make_interval(mins => i * ${slot}::int + ${duration}::int),
                 case when i % 4 = 0 then 'Follow-up call' end
          from o cross join lateral generate_series(0, (${appointments - 1}::int - o.k) / ${n}::int) as i
          join c on c.owner_id = o.id and c.m = i % c.of
          where o.k < ${appointments}::int
          order by o.k, i`);
      });
    await Promise.all(Array.from({ length: Math.min(parallel, n) }, (_, p) => chunk(p)));
  }
  lap('appointments');

  if (options.vacuum ?? true) {
    // Fresh statistics for the planner and a visibility map for index-only scans, as autovacuum
    // would leave them some time after a bulk load.
    for (const table of ['users', 'clients', 'appointments']) await db.execute(sql.raw(`vacuum (analyze) ${table}`));
  }
  lap('vacuum');
  timings.total = Math.round(performance.now() - began);
  return { users, clients, appointments, timings };
}

/** Rows per table, for reports. */
export async function tableCounts(db: Database): Promise<{ users: number; clients: number; appointments: number }> {
  const row = firstRow<{ users: number | string; clients: number | string; appointments: number | string }>(
    await db.execute(sql`select (select count(*) from users) as users, (select count(*) from clients) as clients,
      (select count(*) from appointments) as appointments`),
  );
  return { users: Number(row?.users ?? 0), clients: Number(row?.clients ?? 0), appointments: Number(row?.appointments ?? 0) };
}
