// How cost grows with the data: the search, the week and the 31 days of availability, each read
// on the growth users (one per size: that many clients, and that many appointments in one
// calendar around the same window), on one connection so the latency is the request's own and
// not a queue's; then the plan of each read at each size.
import postgres from 'postgres';
import { AVAILABILITY_START, growthOwners } from '../dataset.js';
import { explainAll, type ApiServices, type ExplainCall } from '../explain.js';
import { log } from '../harness.js';
import { bearer, cycle, sanity } from '../http.js';
import { load } from '../load.js';
import { runs } from '../options.js';
import type { GrowthPoint, GrowthRead } from '../results.js';
import type { LoadedApi } from './api-load.js';

const DAY_MS = 86_400_000;
const windowFrom = AVAILABILITY_START.toISOString();
const weekTo = new Date(AVAILABILITY_START.getTime() + 7 * DAY_MS).toISOString();
const availabilityTo = new Date(AVAILABILITY_START.getTime() + 31 * DAY_MS).toISOString();

/** The reads, as requests and as the service calls EXPLAIN replays. */
const READS: Record<GrowthRead, { path: string; title: string; explain: (services: ApiServices, ownerId: number) => Promise<unknown> }> = {
  // A rare whole name: the page and the count are of a few matches whatever the list's size.
  search: {
    path: `/v1/clients?q=${encodeURIComponent('Maria B. Ross')}`,
    title: 'GET /v1/clients?q=Maria B. Ross',
    explain: (s, id) => s.clients.list(id, { q: 'Maria B. Ross', limit: 20, offset: 0 }),
  },
  week: {
    path: `/v1/appointments?from=${encodeURIComponent(windowFrom)}&to=${encodeURIComponent(weekTo)}&limit=100`,
    title: 'GET /v1/appointments, a week (1,260 appointments, 100 a page)',
    explain: (s, id) => s.appointments.list(id, { from: windowFrom, to: weekTo, limit: 100, offset: 0 }),
  },
  availability: {
    path: `/v1/availability?from=${encodeURIComponent(windowFrom)}&to=${encodeURIComponent(availabilityTo)}&duration_minutes=30`,
    title: 'GET /v1/availability, 31 days (5,580 appointments in the window)',
    explain: (s, id) => s.availability.slots(id, { from: windowFrom, to: availabilityTo, duration_minutes: 30 }),
  },
};

export async function measureGrowth(loaded: LoadedApi, url: string): Promise<GrowthPoint[]> {
  const { harness, api, growthTokens } = loaded;
  const { options } = harness;
  if (!runs(options, 'growth')) return [];
  const sizes = options.dataset.growth;
  const ids = await ownerIds(url, sizes);
  const durationS = options.mode === 'smoke' ? 0.5 : Math.min(options.durationS, 4);
  const points: GrowthPoint[] = [];
  for (const size of sizes) {
    const tokens = growthTokens.get(size)!;
    for (const read of Object.keys(READS) as GrowthRead[]) {
      const token = read === 'search' ? tokens.clients : tokens.calendar;
      const { path } = READS[read];
      await sanity(api, `growth ${read} ${size}`, { path, headers: bearer(token) }, 200, () => true);
      const next = cycle([{ path, headers: bearer(token) }]);
      await load({ url: api.url, connections: 1, durationS: Math.min(1, durationS), next }); // warm-up
      const result = await load({ url: api.url, connections: 1, durationS, next });
      if (result.errors > 0 || result.responses === 0) harness.failures.push(`growth ${read} at ${size}: ${result.errors} errors, ${result.responses} answers`);
      const calls: ExplainCall[] = [{ phase: 'growth', label: `${READS[read].title} at ${size.toLocaleString('en')}`, run: (s) => READS[read].explain(s, read === 'search' ? ids.get(size)!.clients : ids.get(size)!.calendar) }];
      const plans = await explainAll(harness.apiDist, url, calls);
      points.push({
        read,
        title: READS[read].title,
        size,
        rps: result.rps,
        p50: result.p50,
        p99: result.p99,
        executionMs: plans.reduce((sum, p) => sum + p.executionMs, 0),
        plans,
      });
      log(`growth ${read} at ${size}: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, ${result.rps.toFixed(0)} req/s on one connection; statements ${plans.map((p) => `${p.executionMs.toFixed(2)} ms (${p.indexes.join(', ') || 'no index'})`).join(' + ')}`);
    }
  }
  return points;
}

async function ownerIds(url: string, sizes: number[]): Promise<Map<number, { clients: number; calendar: number }>> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const emails = sizes.flatMap((size) => Object.values(growthOwners(size)));
    const rows = await sql<{ email: string; id: number }[]>`select email, id from users where email in ${sql(emails)}`;
    const id = (email: string) => rows.find((r) => r.email === email)!.id;
    return new Map(sizes.map((size) => [size, { clients: id(growthOwners(size).clients), calendar: id(growthOwners(size).calendar) }]));
  } finally {
    await sql.end({ timeout: 5 });
  }
}
