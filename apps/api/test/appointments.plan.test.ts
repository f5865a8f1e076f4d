import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients, queryRows, users, type Connection } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { AppointmentService } from '../src/services/appointments.js';
import { openPlanProbe, type PlanProbe } from './plans.js';

// The cost of a list from a date must not grow with the calendar's history: the plan of the
// statement the service sends reads the rows of the window, not every row before it. Read from
// EXPLAIN ANALYZE's row counts (not times), the same on PGlite and PostgreSQL.

const HISTORY = 20_000; // 10 minutes every 15, from 2026-01-01: about 208 days
const DAY = { from: '2026-07-01T00:00:00Z', to: '2026-07-02T00:00:00Z' }; // 96 of them, after 17,376

let probe: PlanProbe;
let connection: Connection;
let owner: number;

beforeAll(async () => {
  probe = await openPlanProbe((node) => node['Relation Name'] === 'appointments');
  connection = probe.connection;
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
  await probe?.close();
});

describe('GET /v1/appointments from a date, late in a calendar of 20,000', () => {
  it('reads the rows of the window, not the history before it', async () => {
    const service = new AppointmentService(connection.db);
    let page: Awaited<ReturnType<AppointmentService['list']>> | undefined;
    const counts = await probe.rowsReadBy(async () => {
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
    const counts = await probe.rowsReadBy(() => service.list(owner, { ...DAY, limit: 100, offset: 200 }));
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
