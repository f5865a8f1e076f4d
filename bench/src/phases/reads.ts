// The read phases (client search, a week of the calendar, 31 days of availability), then the
// query plan of each: the statements the API's own services send, run under EXPLAIN ANALYZE.
import postgres from 'postgres';
import { AVAILABILITY_START, CALENDAR_START, availabilityOwner, calendarUser, searchOwner } from '../dataset.js';
import { explainAll, type ExplainCall, type Plan } from '../explain.js';
import type { Harness } from '../harness.js';
import { bearer, cycle, sanity } from '../http.js';
import { measure, measurePaced } from '../measure.js';
import { runs, type PhaseName } from '../options.js';
import type { LoadedApi } from './api-load.js';

const DAY_MS = 24 * 3600_000;

// Search: a surname (1 % of the list), a first name (2 %), one whole name, a phone fragment,
// and a miss, in turn.
const SEARCHES = ['smith', 'Rosa', 'Maria B. Ross', '415 20', 'nobody'];

// The first week of a calendar (every half hour booked in the full run), 100 to a page.
const weekFrom = CALENDAR_START.toISOString();
const weekTo = new Date(CALENDAR_START.getTime() + 7 * DAY_MS).toISOString();
const weekPath = `/v1/appointments?from=${encodeURIComponent(weekFrom)}&to=${encodeURIComponent(weekTo)}&limit=100`;

// 31 days of the dense calendar, for a 30-minute call.
const availabilityFrom = AVAILABILITY_START.toISOString();
const availabilityTo = new Date(AVAILABILITY_START.getTime() + 31 * DAY_MS).toISOString();
const availabilityPath = `/v1/availability?from=${encodeURIComponent(availabilityFrom)}&to=${encodeURIComponent(availabilityTo)}&duration_minutes=30`;

export async function measureReads(loaded: LoadedApi): Promise<void> {
  const { harness, api, meter, sampler, tokens, searchToken, availabilityToken } = loaded;
  const { options } = harness;
  const { dataset } = options;

  if (runs(options, 'search')) {
    const nextQ = cycle(SEARCHES);
    await sanity(api, 'search', { path: `/v1/clients?q=${encodeURIComponent(SEARCHES[0]!)}`, headers: bearer(searchToken) }, 200, (b: { total?: number }) => (b.total ?? 0) > 0);
    const next = () => ({ path: `/v1/clients?q=${encodeURIComponent(nextQ())}`, headers: bearer(searchToken) });
    const title = `GET /v1/clients?q= (${dataset.searchClients.toLocaleString('en')} clients)`;
    await measure(harness, { name: 'search', title, server: api, connections: options.readConnections, next, meter, sampler });
    await measurePaced(harness, { name: 'search', title, server: api, next, meter, sampler });
  }

  if (runs(options, 'week')) {
    const nextToken = cycle(tokens);
    await sanity(api, 'week', { path: weekPath, headers: bearer(tokens[0]!) }, 200, (b: { items?: unknown[] }) => (b.items?.length ?? 0) > 0);
    const next = () => ({ path: weekPath, headers: bearer(nextToken()) });
    const title = `GET /v1/appointments, a week (${dataset.calendarAppointments.toLocaleString('en')} appointments)`;
    await measure(harness, { name: 'week', title, server: api, connections: options.readConnections, next, meter, sampler });
    await measurePaced(harness, { name: 'week', title, server: api, next, meter, sampler });
  }

  if (runs(options, 'availability')) {
    await sanity(api, 'availability', { path: availabilityPath, headers: bearer(availabilityToken) }, 200, (b: { time_zone?: string; slots?: unknown[] }) => b.time_zone === 'Europe/Berlin' && Array.isArray(b.slots) && b.slots.length > 0);
    const next = () => ({ path: availabilityPath, headers: bearer(availabilityToken) });
    const title = `GET /v1/availability, 31 days (${dataset.availabilityAppointments.toLocaleString('en')} appointments)`;
    await measure(harness, { name: 'availability', title, server: api, connections: options.readConnections, next, meter, sampler });
    await measurePaced(harness, { name: 'availability', title, server: api, next, meter, sampler });
  }
}

/** The plans of the read phases that ran; a failure is recorded, not thrown. */
export async function explainReads(harness: Harness, url: string): Promise<Plan[]> {
  const ids = await ownerIds(url);
  const explainCalls: ExplainCall[] = [
    ...['smith', 'Rosa', '415 20'].map(
      (q): ExplainCall => ({ phase: 'search', label: `GET /v1/clients?q=${q}`, run: (s) => s.clients.list(ids.search, { q, limit: 20, offset: 0 }) }),
    ),
    { phase: 'week', label: 'GET /v1/appointments, a week', run: (s) => s.appointments.list(ids.calendar, { from: weekFrom, to: weekTo, limit: 100, offset: 0 }) },
    {
      phase: 'availability',
      label: 'GET /v1/availability, 31 days',
      run: (s) => s.availability.slots(ids.availability, { from: availabilityFrom, to: availabilityTo, duration_minutes: 30 }),
    },
  ];
  try {
    return await explainAll(harness.apiDist, url, explainCalls.filter((c) => runs(harness.options, c.phase as PhaseName)));
  } catch (err) {
    harness.failures.push(`EXPLAIN: ${(err as Error).message}`);
    return [];
  }
}

/** Ids of the owners EXPLAIN runs as (the API's services take the caller's id). */
async function ownerIds(url: string): Promise<{ search: number; calendar: number; availability: number }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ email: string; id: number }[]>`select email, id from users where email in (${searchOwner}, ${calendarUser(1)}, ${availabilityOwner})`;
    const id = (email: string) => {
      const row = rows.find((r) => r.email === email);
      if (!row) throw new Error(`no user ${email}`);
      return row.id;
    };
    return { search: id(searchOwner), calendar: id(calendarUser(1)), availability: id(availabilityOwner) };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
