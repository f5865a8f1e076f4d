import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { users, type Connection } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { ClientService } from '../src/services/clients.js';
import { openPlanProbe, type PlanProbe } from './plans.js';

// A client search's cost must not grow with other owners' clients, nor with the caller's clients
// that merely share letters with the query: the plan of the statement the service sends reads the
// caller's matches and nothing else (ix_clients_name_suffixes, every suffix of the name keyed with
// the owner). Read from EXPLAIN ANALYZE's row counts (not times), the same on PGlite and PostgreSQL.

const OWNERS = 5; // other owners, each with PER_OWNER clients, one in 5 of them a match
const PER_OWNER = 10_000; // the caller's too, one in 100 of them a match

let probe: PlanProbe;
let connection: Connection;
let mine: number;

beforeAll(async () => {
  probe = await openPlanProbe((node) => node['Relation Name'] === 'clients' || (typeof node['Index Name'] === 'string' && node['Index Name'].startsWith('ix_clients')));
  connection = probe.connection;
  const owners = await connection.db
    .insert(users)
    .values(Array.from({ length: OWNERS + 1 }, (_, i) => ({ email: `owner${i}@example.com`, hashedPassword: 'not a hash' })))
    .returning({ id: users.id });
  mine = owners[0]!.id;
  // Dealt in turn, so every owner's clients are spread over the whole table (as they are when
  // many businesses sign up and add clients over the same months).
  const ids = owners.map((o) => o.id);
  await connection.db.execute(sql`
    insert into clients (name, phone, owner_id)
    select case when (i / ${ids.length}) % (case when i % ${ids.length} = 0 then 100 else 5 end) = 0 then 'Rosa ' else 'Sam ' end || i,
           '+1415' || lpad(i::text, 7, '0'),
           (${sql.raw(`array[${ids.join(',')}]`)})[i % ${ids.length} + 1]
    from generate_series(0, ${ids.length * PER_OWNER - 1}) i`);
  await connection.db.execute(sql`analyze clients`);
});
afterAll(async () => {
  await probe?.close();
});

describe('GET /v1/clients?q= among 10,000 clients, beside other owners with 10,000 matches', () => {
  it("reads the caller's matches, not every owner's", async () => {
    const service = new ClientService(connection.db, 'US');
    let page: Awaited<ReturnType<ClientService['list']>> | undefined;
    const counts = await probe.rowsReadBy(async () => {
      page = await service.list(mine, { q: 'rosa', limit: 20, offset: 0 });
    });
    // 100 of the caller's 10,000 are a Rosa; one statement (the total is in it).
    expect(page?.total).toBe(PER_OWNER / 100);
    expect(page?.items.every((c) => c.name.startsWith('Rosa '))).toBe(true);
    expect(counts).toHaveLength(1);
    // The index's 100 entries, the heap's 100 rows and the CTE's: never the other owners' 10,000
    // matches (an index of names alone) nor the caller's 10,000 clients (the owner's btree).
    expect(counts[0]).toBeLessThanOrEqual(1_000);
  });
});

describe('GET /v1/clients?q= for 10 names among 10,000 with the same letters in another order', () => {
  // 'Lee Ann 1', 'Lee Ann 2', … hold every trigram of 'ann lee' (a trigram index reads them all and
  // rechecks each); only 'Ann Lee …' holds the text. The suffix index reads the 10 matches.
  let owner: number;
  beforeAll(async () => {
    const [row] = await connection.db.insert(users).values({ email: 'lee@example.com', hashedPassword: 'not a hash' }).returning({ id: users.id });
    owner = row!.id;
    await connection.db.execute(sql`
      insert into clients (name, phone, owner_id)
      select case when i % 1000 = 0 then 'Ann Lee ' else 'Lee Ann ' end || i, '+1415' || lpad(i::text, 7, '0'), ${owner}
      from generate_series(0, 9999) i`);
    await connection.db.execute(sql`analyze clients`);
  });

  it('reads the 10 matches, not the 9,990 names with the same trigrams', async () => {
    const service = new ClientService(connection.db, 'US');
    let page: Awaited<ReturnType<ClientService['list']>> | undefined;
    const counts = await probe.rowsReadBy(async () => {
      page = await service.list(owner, { q: 'ANN LEE', limit: 20, offset: 0 });
    });
    expect(page?.total).toBe(10);
    expect(page?.items.every((c) => c.name.startsWith('Ann Lee '))).toBe(true);
    expect(counts).toHaveLength(1);
    expect(counts[0]).toBeLessThanOrEqual(100);
  });
});

describe("the owner in the search index's keys", () => {
  // The index's entries are '<owner> <suffix>', the query '<owner> <q>': without the space, owner
  // 41's 'zed zulu' would look for '41zed zulu', and its '2 zed' for owner 412's '412 zed zulu'.
  beforeAll(async () => {
    await connection.db.insert(users).values([
      { id: 41, email: 'owner41@example.com', hashedPassword: 'not a hash' },
      { id: 412, email: 'owner412@example.com', hashedPassword: 'not a hash' },
    ]);
    await connection.db.execute(sql`insert into clients (name, phone, owner_id) values ('Zed Zulu', '+14155550199', 412), ('Zed Zulu 2', '+14155550198', 41)`);
  });

  it.each([
    [41, '2 zed', []],
    [41, 'zed zulu', ['Zed Zulu 2']],
    [412, 'zed zulu', ['Zed Zulu']],
    [412, 'zulu 2', []],
  ])('owner %i, q=%j', async (owner, q, expected) => {
    const page = await new ClientService(connection.db, 'US').list(owner, { q, limit: 20, offset: 0 });
    expect(page.items.map((c) => c.name)).toEqual(expected);
  });
});
