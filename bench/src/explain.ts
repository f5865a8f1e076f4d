// EXPLAIN ANALYZE of the statements the API really sends for each data phase. The API's own
// services (from its build) run against a Drizzle instance whose logger keeps every statement
// and its parameters. Drizzle's postgres-js driver sends each statement unnamed (`unsafe()`,
// no prepared statement), so PostgreSQL plans it afresh with the actual values every time: the
// plan shown is that custom plan, the values written in as literals.
import { pathToFileURL } from 'node:url';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

export interface Plan {
  phase: string;
  label: string;
  sql: string;
  params: unknown[];
  plan: string;
  /** Indexes the plan reads. */
  indexes: string[];
  executionMs: number;
}

interface Captured {
  sql: string;
  params: unknown[];
}

export interface ExplainCall {
  phase: string;
  label: string;
  run: (services: ApiServices) => Promise<unknown>;
}

export interface ApiServices {
  clients: { list(ownerId: number, query: { q?: string; limit: number; offset: number }): Promise<unknown> };
  appointments: {
    list(ownerId: number, query: { from?: string; to?: string; limit: number; offset: number }): Promise<unknown>;
  };
  availability: { slots(ownerId: number, query: { from: string; to: string; duration_minutes: number }): Promise<unknown> };
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // The services' parameters are scalars and dates; anything else has no literal here.
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (typeof value !== 'string') throw new TypeError(`no SQL literal for a parameter of type ${typeof value}`);
  return `'${value.replace(/'/g, "''")}'`;
}

/** Index names in an EXPLAIN text plan, in order of first appearance. */
function indexesIn(plan: string): string[] {
  const found = new Set<string>();
  for (const match of plan.matchAll(/(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\S+)/g)) found.add(match[1]!);
  return [...found];
}

export async function explainAll(apiDist: string, databaseUrl: string, calls: ExplainCall[]): Promise<Plan[]> {
  const clientsModule = (await import(pathToFileURL(`${apiDist}/services/clients.js`).href)) as {
    ClientService: new (db: unknown, region: string) => ApiServices['clients'];
  };
  const appointmentsModule = (await import(pathToFileURL(`${apiDist}/services/appointments.js`).href)) as {
    AppointmentService: new (db: unknown) => ApiServices['appointments'];
  };
  const availabilityModule = (await import(pathToFileURL(`${apiDist}/services/availability.js`).href)) as {
    AvailabilityService: new (db: unknown) => ApiServices['availability'];
  };
  let captured: Captured[] = [];
  const client = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    // The services only build queries from the table objects; no relational schema is needed.
    const db = drizzle(client, { logger: { logQuery: (sql, params) => captured.push({ sql, params }) } });
    const services: ApiServices = {
      clients: new clientsModule.ClientService(db, 'US'),
      appointments: new appointmentsModule.AppointmentService(db),
      availability: new availabilityModule.AvailabilityService(db),
    };
    const plans: Plan[] = [];
    for (const call of calls) {
      captured = [];
      await call.run(services);
      for (const [i, query] of captured.entries()) {
        const text = query.sql.replace(/\$(\d+)/g, (_, n: string) => literal(query.params[Number(n) - 1]));
        await client.unsafe(text); // once for a warm cache, as under load
        const rows = await client.unsafe<{ 'QUERY PLAN': string }[]>(`explain (analyze, buffers) ${text}`);
        const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
        plans.push({
          phase: call.phase,
          label: captured.length > 1 ? `${call.label} (statement ${i + 1} of ${captured.length})` : call.label,
          sql: query.sql,
          params: query.params,
          plan,
          indexes: indexesIn(plan),
          executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1] ?? NaN),
        });
      }
    }
    return plans;
  } finally {
    await client.end({ timeout: 5 });
  }
}
