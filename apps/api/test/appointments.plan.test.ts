import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, connect, migrate, queryRows, users, type Connection } from '@agentcaller/db';
import { createTestDatabase, type TestDatabase } from '@agentcaller/db/testing';
import { sql } from 'drizzle-orm';
import { AppointmentService } from '../src/services/appointments.js';

// The cost of a list from a date must not grow with the calendar's history: the plan of the
// statement the service sends reads the rows of the window, not every row before it. Read from
// EXPLAIN ANALYZE's row counts (not times), the same on PGlite and PostgreSQL.

const HISTORY = 20_000; // 10 minutes every 15, from 2026-01-01: about 208 days
const DAY = { from: '2026-07-01T00:00:00Z', to: '2026-07-02T00:00:00Z' }; // 96 of them, after 17,376

let database: TestDatabase;
let connection: Connection;
let owner: number;
let sent: { sql: string; params: unknown[] }[] = [];

beforeAll(async () => {
  database = await createTestDatabase(process.env.DATABASE_URL, { migrated: true });
  connection = await connect(database.target, { logger: { logQuery: (query, params) => sent.push({ sql: query, params }) } });
  await migrate(connection.db);
  const [user] = await connection.db.insert(users).values({ email: 'plan@example.com', hashedPassword: 'not a hash' }).returning({ id: users.id });
  owner = user!.id;
  const [client] = await connection.db
    .insert(clients)
    .values({ name: 'Pat', phone: '+14155550190', ownerId: owner })
    .returning({ id: clients.id });
  await connection.db.execute(sql`
    insert into appointments (client_id, owner_id, starts_at, ends_at, status)
    select ${client!.id}, ${owner}, t, t + interval '10 minutes', case when i % 7 = 0 then 'cancelled' else 'scheduled' end
    from generate_series(0, ${HISTORY - 1}) i, lateral (select '2026-01-01T00:00:00Z'::timestamptz + i * interval '15 minutes' as t) s`);
  await connection.db.execute(sql`analyze appointments`);
});
afterAll(async () => {
  await connection.close();
  await database.drop();
});

/** Every row the plan read from `appointments`: kept, and removed by a filter or a recheck. */
function appointmentRowsRead(node: Record<string, unknown>): number {
  const own =
    node['Relation Name'] === 'appointments'
      ? (Number(node['Actual Rows']) + Number(node['Rows Removed by Filter'] ?? 0) + Number(node['Rows Removed by Index Recheck'] ?? 0)) *
        Number(node['Actual Loops'])
      : 0;
  const children = (node.Plans as Record<string, unknown>[] | undefined) ?? [];
  return own + children.reduce((sum, child) => sum + appointmentRowsRead(child), 0);
}

/** The statements `run` sent, each with the rows its plan read from `appointments`. */
async function rowsReadBy(run: () => Promise<unknown>): Promise<number[]> {
  sent = [];
  await run();
  const statements = [...sent]; // the EXPLAINs below are logged too
  const counts: number[] = [];
  for (const statement of statements) {
    const text = statement.sql.replace(/\$(\d+)/g, (_, n: string) => `'${String(statement.params[Number(n) - 1]).replaceAll("'", "''")}'`);
    const [row] = await queryRows<{ 'QUERY PLAN': unknown }>(connection.db, sql.raw(`explain (analyze, format json) ${text}`));
    const plan = row!['QUERY PLAN'];
    const [top] = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: Record<string, unknown> }[];
    counts.push(appointmentRowsRead(top!.Plan));
  }
  return counts;
}

describe('GET /v1/appointments from a date, late in a calendar of 20,000', () => {
  it('reads the rows of the window, not the history before it', async () => {
    const service = new AppointmentService(connection.db);
    let page: Awaited<ReturnType<AppointmentService['list']>> | undefined;
    const counts = await rowsReadBy(async () => {
      page = await service.list(owner, { ...DAY, limit: 100, offset: 0 });
    });
    // 96 appointments in the day, 83 of them not cancelled; one statement (the total is in it).
    expect(page?.total).toBe(83);
    expect(counts).toHaveLength(1);
    // The window's 96 (the btree range), plus the subquery's one that contains `from` (none here).
    expect(counts[0]).toBeLessThanOrEqual(100);
  });

  it('a page past the end counts the window only, too', async () => {
    const service = new AppointmentService(connection.db);
    const counts = await rowsReadBy(() => service.list(owner, { ...DAY, limit: 100, offset: 200 }));
    expect(counts).toHaveLength(2);
    for (const count of counts) expect(count).toBeLessThanOrEqual(100);
  });

  it('answers what a plain scan of the whole calendar answers', async () => {
    const service = new AppointmentService(connection.db);
    const from = '2026-07-01T00:05:00Z'; // inside one appointment, which must come first
    const to = '2026-07-03T00:00:00Z';
    const expected = await queryRows<{ id: number }>(
      connection.db,
      sql`select id from appointments where owner_id = ${owner} and status <> 'cancelled'
        and ends_at > ${from}::timestamptz and starts_at < ${to}::timestamptz order by starts_at, id`,
    );
    const page = await service.list(owner, { from, to, limit: 100, offset: 0 });
    expect(page.items.map((a) => a.id)).toEqual(expected.slice(0, 100).map((r) => r.id));
    expect(page.items[0]?.starts_at).toBe('2026-07-01T00:00:00.000Z');
    expect(page.total).toBe(expected.length);
  });
});
