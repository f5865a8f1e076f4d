// One account floods its heaviest list; another account's request must keep its latency. On
// PostgreSQL, where the flood could otherwise take every pooled connection (issue 10, item 10).
import { appointments, clients, connect, queryRows, type Connection } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAVY_PER_ACCOUNT, STATEMENT_TIMEOUT_MS } from '../../src/routes/limits.js';
import { createPostgresDatabase } from '../faults/api.js';
import { bearer, login, register, startApp, type TestContext } from '../helpers.js';

let ctx: TestContext;
/** A connection of its own, outside the API's pool, to watch what PostgreSQL runs meanwhile. */
let observer: Connection;
let heavy: { authorization: string };
let quiet: { authorization: string };
const ROWS = 150_000;

beforeAll(async () => {
  ctx = await startApp({ database: await createPostgresDatabase() });
  const a = await register(ctx.app, 'flood@example.com');
  await register(ctx.app, 'quiet@example.com');
  heavy = bearer(await login(ctx.app, 'flood@example.com'));
  quiet = bearer(await login(ctx.app, 'quiet@example.com'));
  const [client] = await ctx.app.db.insert(clients).values({ ownerId: a.id, name: 'Busy', phone: '+14155550123' }).returning();
  await ctx.app.db.transaction(async (tx) => {
    // Seeding is not a request: the API's statement timeout is not for it.
    await tx.execute(sql`set local statement_timeout = 0`);
    await tx.execute(sql`
      insert into ${appointments} (owner_id, client_id, starts_at, ends_at)
      select ${a.id}, ${client!.id}, t, t + interval '30 minutes'
        from generate_series(timestamptz '2031-01-01', timestamptz '2031-01-01' + (${ROWS - 1} * interval '30 minutes'), interval '30 minutes') as t`);
  });
  await ctx.app.db.execute(sql`analyze`);
  observer = await connect(ctx.database.target, { maxConnections: 1 });
  await observer.db.execute(sql`select 1`);
}, 120_000);
afterAll(async () => {
  await observer?.close();
  await ctx?.close();
});

const timed = async (url: string, headers: { authorization: string }) => {
  const start = performance.now();
  const res = await ctx.app.inject({ method: 'GET', url, headers });
  return { status: res.statusCode, ms: performance.now() - start };
};
/** How many of the flood's lists PostgreSQL is running right now (other sessions of this database). */
const floodStatements = async () => {
  const rows = await queryRows<{ n: number }>(
    observer.db,
    sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state = 'active' and query ilike '%offset%'`,
  );
  return rows[0]?.n ?? 0;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('one account cannot starve the rest (PostgreSQL)', () => {
  it("every statement of the API's pool is bounded by statement_timeout", async () => {
    const rows = await queryRows<{ statement_timeout: string }>(ctx.app.db, sql`show statement_timeout`);
    expect(rows[0]?.statement_timeout).toBe(`${STATEMENT_TIMEOUT_MS / 1000}s`);
  });

  it("another account's list keeps its latency while the first floods with 20 parallel lists", async () => {
    const flooded = '/v1/appointments?limit=100&offset=100000';
    const alone: number[] = [];
    for (let i = 0; i < 3; i++) alone.push((await timed(flooded, heavy)).ms);
    const quietAlone: number[] = [];
    for (let i = 0; i < 5; i++) quietAlone.push((await timed('/v1/clients', quiet)).ms);

    // How many of the flood's lists had been served when the other account's last list was (the
    // refused ones are answered at once and do not count).
    let floodAnswered = 0;
    const flood = Array.from({ length: 20 }, () =>
      timed(flooded, heavy).then((r) => {
        if (r.status === 200) floodAnswered++;
        return r;
      }),
    );
    // The flood's lists are at the database by now.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const during: number[] = [];
    for (let i = 0; i < 3; i++) during.push((await timed('/v1/clients', quiet)).ms);
    const floodAnsweredBeforeQuiet = floodAnswered;
    // Meanwhile PostgreSQL, watched from outside the pool until the flood ends, never runs more
    // than the account's two lists at once.
    let flooding = true;
    const busy: number[] = [];
    const watching = (async () => {
      while (flooding) {
        busy.push(await floodStatements());
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const results = await Promise.all(flood);
    flooding = false;
    await watching;
    const served = results.filter((r) => r.status === 200).length;
    const report = { listAloneMs: median(alone), quietAloneMs: median(quietAlone), quietDuringFloodMs: median(during), floodStatementsMax: Math.max(...busy), samples: busy.length, served, floodAnsweredBeforeQuiet };
    process.stdout.write(`fairness on PostgreSQL: ${JSON.stringify(report)}\n`);
    expect(served).toBeGreaterThan(0);
    // The flood holds two pooled connections, never all of them, and the process keeps answering:
    // the watcher, on a connection of its own, was answered all along (without the gate it got one
    // answer, after the flood, and the other account's list took 30-130 ms instead of 4).
    expect(busy.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...busy)).toBeLessThanOrEqual(HEAVY_PER_ACCOUNT);
    // The other account does not queue behind the flood: its three lists were answered while the
    // flood was in its first half (counted, not timed: a loaded 2-core machine stretches every
    // duration alike, and a wall-clock bound here failed once on a busy CI run). Without the gate
    // its lists wait for pooled connections behind the flood's and come after most of them.
    expect(floodAnsweredBeforeQuiet).toBeLessThanOrEqual(Math.floor(served / 2));
  });
});
