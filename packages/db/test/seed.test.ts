// The seeder on small numbers: the counts it promises, and rows that satisfy every rule the schema
// has (checked again here with queries, not only trusted to the constraints).
import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, sqlState, UNIQUE_VIOLATION } from '../src/index.js';
import type { Connection } from '../src/index.js';
import { SEED_PASSWORD, SEED_START, seed, seedClientName, seedEmail, tableCounts } from '../src/seed.js';
import { createTestDatabase } from '../src/testing.js';
import type { TestDatabase } from '../src/testing.js';
import { count, rejection, rows, open, sql } from './helpers.js';

let db: TestDatabase;
let c: Connection;

beforeAll(async () => {
  db = await createTestDatabase();
  c = await open(db);
  await migrate(c.db);
});

afterAll(async () => {
  await c?.close();
  await db?.drop();
});

const USERS = 7;
const CLIENTS = 30;
const APPOINTMENTS = 95;

describe('seedClientName', () => {
  it('gives every client its own name past the 130,000 one-initial names (a whole name matches one client at any size)', async () => {
    // Numbers 130,000 apart had the same name before the second initial: j, j + 130,000, ... up to 3,380,000.
    const numbers = [0, 1, 4_999, 5_000, 129_999, 130_000, 130_001, 259_999, 260_000, 1_000_000, 3_379_999, 3_380_000, 3_509_999];
    const sample = [...numbers, ...numbers.map((j) => j + 130_000).filter((j) => j < 3_510_000)];
    const names = await rows<{ j: number; name: string }>(c, sql`select j, ${seedClientName(sql`j`)} as name from unnest(${sql.raw(`ARRAY[${sample.join(',')}]::int[]`)}) as j`);
    const byNumber = new Map(names.map(({ j, name }) => [Number(j), name]));
    expect(new Set(byNumber.values()).size).toBe(byNumber.size);
    expect(byNumber.get(0)).toBe('Ann A. Lee');
    expect(byNumber.get(129_999)).toMatch(/^\p{L}+ [A-Z]\. \p{L}+$/u);
    expect(byNumber.get(130_000)).toBe('Ann A. A. Lee');
    expect(byNumber.get(1_000_000)).toMatch(/^\p{L}+ [A-Z]\. [A-Z]\. \p{L}+$/u);
  });
});

describe('seed()', () => {
  it('adds the requested rows, owner by owner, with a real argon2id hash of the password', async () => {
    const result = await seed(c.db, { users: USERS, clients: CLIENTS, appointments: APPOINTMENTS, emailPrefix: 'seed', parallel: 3 });
    expect(result).toMatchObject({ users: USERS, clients: CLIENTS, appointments: APPOINTMENTS });
    expect(await tableCounts(c.db)).toEqual({ users: USERS, clients: CLIENTS, appointments: APPOINTMENTS });

    const users = await rows<{ email: string; hashed_password: string; is_active: boolean }>(
      c,
      sql`select email, hashed_password, is_active from users order by id`,
    );
    expect(users.map((u) => u.email)).toEqual(Array.from({ length: USERS }, (_, i) => seedEmail('seed', i + 1)));
    expect(users.every((u) => u.is_active)).toBe(true);
    // One hash for all, with the API's parameters, that verifies the documented password.
    const hashes = new Set(users.map((u) => u.hashed_password));
    expect(hashes.size).toBe(1);
    const [hash] = [...hashes];
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await argon2.verify(hash!, SEED_PASSWORD)).toBe(true);
    expect(await argon2.verify(hash!, 'another password')).toBe(false);
  });

  it('deals clients round-robin, with trimmed names and 12-character E.164 phones', async () => {
    const clients = await rows<{ name: string; phone: string }>(c, sql`select name, phone from clients`);
    for (const { name, phone } of clients) {
      expect(name).toBe(name.trim());
      expect(name).toMatch(/^\p{L}+ [A-Z]\. \p{L}+$/u);
      expect(phone).toMatch(/^\+1[2-9]\d{2}[2-9]\d{6}$/);
    }
    const perOwner = await rows<{ n: number }>(c, sql`select count(*)::int as n from clients group by owner_id`);
    expect(perOwner).toHaveLength(USERS);
    const sizes = perOwner.map((r) => Number(r.n));
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(CLIENTS);
  });

  it("puts every appointment in its client's owner's calendar, in order, without overlaps", async () => {
    expect(
      await count(c, sql`select count(*)::int as n from appointments a join clients k on k.id = a.client_id where k.owner_id <> a.owner_id`),
    ).toBe(0);
    expect(await count(c, sql`select count(*)::int as n from appointments where ends_at <= starts_at`)).toBe(0);
    expect(
      await count(
        c,
        sql`select count(*)::int as n from appointments a join appointments b
            on a.owner_id = b.owner_id and a.id < b.id and a.starts_at < b.ends_at and b.starts_at < a.ends_at`,
      ),
    ).toBe(0);
    // Balanced over the owners, each owner's i-th appointment at start + i * 30 min, 30 min long,
    // each of its clients used in turn.
    const perOwner = await rows<{ n: number; first: Date | string; last: Date | string; clients: number; long: number }>(
      c,
      sql`select count(*)::int as n, min(starts_at) as first, max(starts_at) as last, count(distinct client_id)::int as clients,
                 count(*) filter (where ends_at - starts_at <> interval '30 minutes')::int as long
          from appointments group by owner_id`,
    );
    expect(perOwner).toHaveLength(USERS);
    const sizes = perOwner.map((r) => Number(r.n));
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const owner of perOwner) {
      expect(new Date(owner.first).getTime()).toBe(SEED_START.getTime());
      expect(new Date(owner.last).getTime() - SEED_START.getTime()).toBe((Number(owner.n) - 1) * 30 * 60_000);
      expect(Number(owner.clients)).toBeGreaterThanOrEqual(Math.floor(CLIENTS / USERS));
      expect(Number(owner.long)).toBe(0);
    }
  });

  it('adds to what is there with another prefix, a given hash and a denser calendar', async () => {
    const before = await tableCounts(c.db);
    const start = new Date('2031-03-02T09:00:00Z');
    const result = await seed(c.db, {
      users: 2,
      clients: 3,
      appointments: 40,
      emailPrefix: 'dense.',
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA',
      start,
      slotMinutes: 4,
      durationMinutes: 3,
      vacuum: false,
    });
    expect(result.appointments).toBe(40);
    expect(await tableCounts(c.db)).toEqual({ users: before.users + 2, clients: before.clients + 3, appointments: before.appointments + 40 });
    const dense = await rows<{ n: number; first: Date | string; last: Date | string }>(
      c,
      sql`select count(*)::int as n, min(a.starts_at) as first, max(a.ends_at) as last from appointments a
          join users u on u.id = a.owner_id where u.email like 'dense.%' group by u.id order by u.id`,
    );
    expect(dense.map((r) => Number(r.n))).toEqual([20, 20]);
    for (const r of dense) {
      expect(new Date(r.first).getTime()).toBe(start.getTime());
      expect(new Date(r.last).getTime()).toBe(start.getTime() + (19 * 4 + 3) * 60_000);
    }
    expect(await count(c, sql`select count(*)::int as n from users where hashed_password like '%$aGFzaA'`)).toBe(2);
  });

  it('refuses a prefix already seeded and adds nothing', async () => {
    const before = await tableCounts(c.db);
    const err = await rejection(seed(c.db, { users: 3, clients: 3, appointments: 3, emailPrefix: 'seed' }));
    expect(sqlState(err)).toBe(UNIQUE_VIOLATION);
    expect(await tableCounts(c.db)).toEqual(before);
  });

  it('refuses options that would break a rule before touching the database', async () => {
    const before = await tableCounts(c.db);
    const bad = [
      { users: 0, clients: 0, appointments: 0 },
      { users: 1, clients: 0, appointments: 1 },
      { users: 1, clients: 1, appointments: 1, slotMinutes: 10, durationMinutes: 11 },
      { users: 1, clients: 1, appointments: 1, emailPrefix: 'Upper' },
      { users: 1.5, clients: 1, appointments: 1 },
    ];
    for (const options of bad) await expect(seed(c.db, { ...options, passwordHash: 'x' })).rejects.toThrow(RangeError);
    expect(await tableCounts(c.db)).toEqual(before);
  });
});
