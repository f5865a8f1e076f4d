// Before any migration runs, the data the pending migrations will put rules on is checked, and
// every problem is reported as one readable line naming the rows and what to do, instead of a
// driver's stack trace from the middle of a rolled-back migration. Read-only.
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from './connect.js';
import { migrationStatus } from './migrate.js';

const EMAIL_KEY = '0001_add_users_email_lower_key';
const OWNERSHIP = '0002_add_ownership_and_no_overlap';
/** At most this many lines per kind of problem; a count says how many more there are. */
const MAX_LINES = 50;

export interface Overlap {
  first: { id: number; clientId: number; startsAt: string; endsAt: string };
  second: { id: number; clientId: number; startsAt: string; endsAt: string };
}

async function hasColumn(db: Database, table: string, column: string): Promise<boolean> {
  const [row] = await queryRows<{ n: number | string }>(
    db,
    sql`select count(*)::int as n from information_schema.columns
        where table_schema = 'public' and table_name = ${table} and column_name = ${column}`,
  );
  return Number(row?.n) > 0;
}

async function hasTable(db: Database, table: string): Promise<boolean> {
  const [row] = await queryRows<{ present: boolean }>(db, sql`select to_regclass(${`public.${table}`}) is not null as present`);
  return Boolean(row?.present);
}

const utc = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`);

/**
 * Pairs of appointments one calendar cannot hold: before ownership (0002) every appointment is in
 * the one shared calendar the original service had; after it, per owner. Cancelled ones (when the
 * status column exists) do not count, as in the no-overlap rule. Not a self-join of the whole table:
 * in start order, an appointment overlaps an earlier one exactly when it starts before the latest
 * end so far (a window), so the calendar splits into runs that cannot overlap each other, and only
 * appointments of one run are paired (a hash join on the run).
 */
export async function findOverlaps(db: Database, limit = 1000): Promise<Overlap[]> {
  const calendar = (await hasColumn(db, 'appointments', 'owner_id')) ? sql.raw('owner_id') : sql.raw('0');
  const status = await hasColumn(db, 'appointments', 'status');
  const rows = await queryRows<Record<string, string | number>>(
    db,
    sql`with ordered as (
          select id, client_id, starts_at, ends_at, ${calendar} as cal,
                 max(ends_at) over (partition by ${calendar} order by starts_at, id
                                    rows between unbounded preceding and 1 preceding) as earlier_end
            from appointments
           where ends_at > starts_at ${status ? sql`and status <> 'cancelled'` : sql``}
        ), clustered as (
          -- A run of appointments each starting before the latest end so far: only these can overlap.
          select *, sum(case when earlier_end > starts_at then 0 else 1 end)
                      over (partition by cal order by starts_at, id) as run
            from ordered
        )
        select a.id as a_id, a.client_id as a_client, ${utc('a.starts_at')} as a_starts, ${utc('a.ends_at')} as a_ends,
               b.id as b_id, b.client_id as b_client, ${utc('b.starts_at')} as b_starts, ${utc('b.ends_at')} as b_ends
          from clustered b join clustered a
            on a.cal = b.cal and a.run = b.run and (a.starts_at, a.id) < (b.starts_at, b.id) and a.ends_at > b.starts_at
         order by a.starts_at, a.id, b.id
         limit ${limit}`,
  );
  return rows.map((r) => ({
    first: { id: Number(r.a_id), clientId: Number(r.a_client), startsAt: String(r.a_starts), endsAt: String(r.a_ends) },
    second: { id: Number(r.b_id), clientId: Number(r.b_client), startsAt: String(r.b_starts), endsAt: String(r.b_ends) },
  }));
}

export function describeOverlap({ first: a, second: b }: Overlap): string {
  return `appointments ${a.id} (client ${a.clientId}, ${a.startsAt} to ${a.endsAt}) and ${b.id} (client ${b.clientId}, ${b.startsAt} to ${b.endsAt}) overlap`;
}

/** The lines listed, and one more counting the rest when there are more than were listed. */
export function capped(lines: string[], total: number, what: string): string[] {
  return total > lines.length ? [...lines, `… and ${total - lines.length} more ${what}`] : lines;
}

/** The extensions the migrations create where the database lacks them, and use by name. */
const MIGRATION_EXTENSIONS = ['pg_trgm', 'btree_gist', 'btree_gin'];

/**
 * One line per problem in the legacy data (or in the database's extensions), each with what to do;
 * empty when the migrations can run.
 */
export async function preflight(db: Database): Promise<string[]> {
  const { pending } = await migrationStatus(db);
  const problems: string[] = [];
  if (pending.length > 0) {
    // An extension already installed in a schema the connection's search path lacks (hosted
    // PostgreSQL often keeps them in `extensions`): CREATE EXTENSION IF NOT EXISTS then does
    // nothing, and the migrations' operator classes (gin_trgm_ops, the gist equality) are not found.
    const hidden = await queryRows<{ name: string; schema: string; path: string }>(
      db,
      sql`select e.extname as name, n.nspname as schema, array_to_string(current_schemas(false), ', ') as path
            from pg_extension e join pg_namespace n on n.oid = e.extnamespace
           where e.extname in (${sql.join(MIGRATION_EXTENSIONS.map((name) => sql`${name}`), sql`, `)})
             and n.nspname <> all (current_schemas(true))
           order by e.extname`,
    );
    for (const h of hidden) {
      problems.push(
        `extension ${h.name} is installed in schema "${h.schema}", which is not on this connection's search path (${h.path}): the migrations use its operator classes by name; add the schema to the search path of the role AgentCaller connects as (ALTER ROLE … SET search_path = "$user", public, ${h.schema}), then start again`,
      );
    }
  }
  if (!(await hasTable(db, 'users')) || !(await hasTable(db, 'clients')) || !(await hasTable(db, 'appointments'))) return problems;
  if (pending.includes(EMAIL_KEY)) {
    const groups = await queryRows<{ key: string; ids: string; emails: string; n: number | string }>(
      db,
      sql`select lower(email) as key, string_agg(id::text, ', ' order by id) as ids,
                 string_agg(email, ', ' order by id) as emails, count(*) over () as n
            from users group by lower(email) having count(*) > 1 order by lower(email) limit ${MAX_LINES}`,
    );
    const lines = groups.map(
      (g) => `duplicate email by case: users ${g.ids} (${g.emails}) differ only in case; emails are now unique regardless of case: merge them into one user, or change all but one email, then start again`,
    );
    problems.push(...capped(lines, Number(groups[0]?.n ?? 0), 'groups of duplicate emails'));
  }
  if (pending.includes(OWNERSHIP)) {
    const overlaps = await findOverlaps(db, MAX_LINES + 1);
    problems.push(
      ...overlaps
        .slice(0, MAX_LINES)
        .map((o) => `${describeOverlap(o)}; one calendar cannot hold both: \`pnpm db:overlaps\` lists every pair, \`pnpm db:overlaps --resolve\` cancels the later one of each (docs/database.md), or move or delete one`),
    );
    if (overlaps.length > MAX_LINES) problems.push('… and more overlapping pairs: `pnpm db:overlaps` lists them all');
    const reversed = await queryRows<{ id: number; client_id: number; s: string; e: string }>(
      db,
      sql`select id, client_id, ${utc('starts_at')} as s, ${utc('ends_at')} as e from appointments
           where ends_at <= starts_at order by id limit ${MAX_LINES}`,
    );
    for (const r of reversed) {
      problems.push(`appointment ${r.id} (client ${r.client_id}) ends at ${r.e}, not after it starts (${r.s}): correct its times or delete it`);
    }
    const [orphans] = await queryRows<{ clients: number | string; users: number | string }>(
      db,
      sql`select (select count(*) from clients)::int as clients, (select count(*) from users)::int as users`,
    );
    if (Number(orphans?.clients) > 0 && Number(orphans?.users) === 0) {
      problems.push(
        `${orphans?.clients} clients but no users: every client needs an owner, and the first user becomes the owner of all: register a user with the original service (or insert one), then start again`,
      );
    }
  }
  return problems;
}

/** The start is refused: the legacy data breaks a rule the pending migrations add. Nothing was changed. */
export class PreflightError extends Error {
  constructor(readonly problems: string[]) {
    super(`the database holds data the migrations cannot take:\n${problems.join('\n')}`);
    this.name = 'PreflightError';
  }
}
