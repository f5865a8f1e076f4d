// After migrating, the live schema is compared with what the migrations produce: the columns,
// constraints, indexes, triggers and extensions the API relies on. Constraints and indexes are
// compared by definition, not by name (SQLAlchemy named the original's its own way), and extra
// indexes, columns or tables are tolerated. Any difference stops the start: a schema that would
// answer 500 later is never reported ready. history.test.ts checks that a fresh database passes it
// and has no column it does not name, so the list cannot drift from the migrations.
import { readCatalog, type Catalog, type CatalogColumn } from './catalog.js';
import type { Database } from './connect.js';

type Expected = Omit<CatalogColumn, 'table' | 'column'>;

const TIMESTAMPTZ = 'timestamp with time zone';
const SERIAL = { type: 'integer', notNull: true, default: 'nextval(…)' };

export const EXPECTED_COLUMNS: Record<string, Record<string, Expected>> = {
  users: {
    id: SERIAL,
    email: { type: 'character varying(255)', notNull: true, default: null },
    hashed_password: { type: 'character varying(255)', notNull: true, default: null },
    is_active: { type: 'boolean', notNull: true, default: 'true' },
    created_at: { type: TIMESTAMPTZ, notNull: true, default: 'now()' },
    token_version: { type: 'integer', notNull: true, default: '0' },
    is_superuser: { type: 'boolean', notNull: true, default: 'false' },
    tokens_revoked_at: { type: TIMESTAMPTZ, notNull: false, default: null },
  },
  clients: {
    id: SERIAL,
    name: { type: 'character varying(255)', notNull: true, default: null },
    phone: { type: 'character varying(50)', notNull: true, default: null },
    owner_id: { type: 'integer', notNull: true, default: null },
    created_at: { type: TIMESTAMPTZ, notNull: true, default: 'now()' },
  },
  appointments: {
    id: SERIAL,
    client_id: { type: 'integer', notNull: true, default: null },
    starts_at: { type: TIMESTAMPTZ, notNull: true, default: null },
    ends_at: { type: TIMESTAMPTZ, notNull: true, default: null },
    notes: { type: 'text', notNull: false, default: null },
    owner_id: { type: 'integer', notNull: true, default: null },
    status: { type: 'character varying(16)', notNull: true, default: "'scheduled'::character varying" },
    created_at: { type: TIMESTAMPTZ, notNull: true, default: 'now()' },
  },
  revoked_tokens: {
    token_hash: { type: 'text', notNull: true, default: null },
    expires_at: { type: TIMESTAMPTZ, notNull: true, default: null },
  },
  schedules: {
    user_id: { type: 'integer', notNull: true, default: null },
    time_zone: { type: 'character varying(64)', notNull: true, default: null },
    weekly_hours: { type: 'jsonb', notNull: true, default: null },
    date_overrides: { type: 'jsonb', notNull: true, default: "'[]'::jsonb" },
    slot_interval_minutes: { type: 'integer', notNull: true, default: null },
    buffer_before_minutes: { type: 'integer', notNull: true, default: null },
    buffer_after_minutes: { type: 'integer', notNull: true, default: null },
    minimum_notice_minutes: { type: 'integer', notNull: true, default: null },
    booking_horizon_days: { type: 'integer', notNull: true, default: null },
    updated_at: { type: TIMESTAMPTZ, notNull: true, default: 'now()' },
  },
  api_keys: {
    id: SERIAL,
    user_id: { type: 'integer', notNull: true, default: null },
    name: { type: 'character varying(100)', notNull: true, default: null },
    prefix: { type: 'character varying(16)', notNull: true, default: null },
    key_hash: { type: 'text', notNull: true, default: null },
    created_at: { type: TIMESTAMPTZ, notNull: true, default: 'now()' },
    last_used_at: { type: TIMESTAMPTZ, notNull: false, default: null },
    revoked_at: { type: TIMESTAMPTZ, notNull: false, default: null },
  },
  password_reset_tokens: {
    user_id: { type: 'integer', notNull: true, default: null },
    token_hash: { type: 'text', notNull: true, default: null },
    created_at: { type: TIMESTAMPTZ, notNull: true, default: 'now()' },
    expires_at: { type: TIMESTAMPTZ, notNull: true, default: null },
    used_at: { type: TIMESTAMPTZ, notNull: false, default: null },
  },
  calls: {
    id: SERIAL,
    owner_id: { type: 'integer', notNull: true, default: null },
    client_id: { type: 'integer', notNull: true, default: null },
    appointment_id: { type: 'integer', notNull: false, default: null },
    started_at: { type: TIMESTAMPTZ, notNull: true, default: null },
    duration_seconds: { type: 'integer', notNull: true, default: null },
    outcome: { type: 'character varying(16)', notNull: true, default: null },
    notes: { type: 'text', notNull: false, default: null },
    call_back_at: { type: TIMESTAMPTZ, notNull: false, default: null },
    created_at: { type: TIMESTAMPTZ, notNull: true, default: 'now()' },
  },
};

/** [table, pg_constraint.contype, pg_get_constraintdef]. */
export const EXPECTED_CONSTRAINTS: [string, string, string][] = [
  ['users', 'p', 'PRIMARY KEY (id)'],
  ['clients', 'p', 'PRIMARY KEY (id)'],
  ['clients', 'u', 'UNIQUE (id, owner_id)'],
  ['clients', 'f', 'FOREIGN KEY (owner_id) REFERENCES users(id) ON DELETE CASCADE'],
  ['appointments', 'p', 'PRIMARY KEY (id)'],
  ['appointments', 'f', 'FOREIGN KEY (client_id) REFERENCES clients(id) ON DELETE CASCADE'],
  ['appointments', 'f', 'FOREIGN KEY (client_id, owner_id) REFERENCES clients(id, owner_id) ON DELETE CASCADE'],
  ['appointments', 'c', 'CHECK ((ends_at > starts_at))'],
  [
    'appointments',
    'c',
    "CHECK (((status)::text = ANY ((ARRAY['scheduled'::character varying, 'cancelled'::character varying, 'completed'::character varying, 'no_show'::character varying])::text[])))",
  ],
  [
    'appointments',
    'x',
    "EXCLUDE USING gist (owner_id WITH =, tstzrange(starts_at, ends_at, '[)'::text) WITH &&) WHERE (((status)::text <> 'cancelled'::text))",
  ],
  ['revoked_tokens', 'p', 'PRIMARY KEY (token_hash)'],
  ['schedules', 'p', 'PRIMARY KEY (user_id)'],
  ['schedules', 'f', 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE'],
  ['password_reset_tokens', 'p', 'PRIMARY KEY (user_id)'],
  ['password_reset_tokens', 'u', 'UNIQUE (token_hash)'],
  ['password_reset_tokens', 'f', 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE'],
  ['api_keys', 'p', 'PRIMARY KEY (id)'],
  ['api_keys', 'u', 'UNIQUE (prefix)'],
  ['api_keys', 'f', 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE'],
  ['calls', 'p', 'PRIMARY KEY (id)'],
  ['calls', 'f', 'FOREIGN KEY (client_id, owner_id) REFERENCES clients(id, owner_id) ON DELETE CASCADE'],
  ['calls', 'f', 'FOREIGN KEY (appointment_id) REFERENCES appointments(id) ON DELETE SET NULL'],
  ['calls', 'c', "CHECK (((outcome)::text = ANY ((ARRAY['booked'::character varying, 'no_answer'::character varying, 'voicemail'::character varying, 'call_back'::character varying, 'declined'::character varying, 'wrong_number'::character varying])::text[])))"],
  ['calls', 'c', "CHECK ((((outcome)::text = 'call_back'::text) = (call_back_at IS NOT NULL)))"],
];

/** Index definitions without their names (primary keys and unique constraints bring their own). */
export const EXPECTED_INDEXES: string[] = [
  'CREATE UNIQUE INDEX ON public.users USING btree (email)',
  'CREATE UNIQUE INDEX ON public.users USING btree (lower((email)::text))',
  'CREATE INDEX ON public.clients USING btree (owner_id, lower((name)::text) COLLATE "C", id)',
  'CREATE INDEX ON public.clients USING gin (agentcaller_client_name_suffixes(owner_id, (name)::text))',
  "CREATE INDEX ON public.clients USING gin (regexp_replace((phone)::text, '[^0-9]'::text, ''::text, 'g'::text) gin_trgm_ops)",
  'CREATE INDEX ON public.appointments USING btree (client_id)',
  'CREATE INDEX ON public.appointments USING btree (owner_id, starts_at, id)',
  'CREATE INDEX ON public.revoked_tokens USING btree (expires_at)',
  'CREATE INDEX ON public.api_keys USING btree (user_id, id)',
  'CREATE INDEX ON public.calls USING btree (owner_id, started_at DESC NULLS LAST, id DESC NULLS LAST)',
  'CREATE INDEX ON public.calls USING btree (client_id, started_at DESC NULLS LAST, id DESC NULLS LAST)',
  'CREATE INDEX ON public.calls USING btree (appointment_id)',
];

/** Triggers by name: rows the original service inserts during a switch-over get an owner. */
export const EXPECTED_TRIGGERS: [string, string][] = [
  ['clients', 'clients_default_owner'],
  ['appointments', 'appointments_default_owner'],
];

export const EXPECTED_EXTENSIONS = ['btree_gin', 'btree_gist', 'pg_trgm'];

function describe(column: Expected): string {
  const parts = [column.type, column.notNull ? 'NOT NULL' : 'NULL'];
  if (column.default !== null) parts.push(`DEFAULT ${column.default}`);
  return parts.join(' ');
}

function sameColumn(live: CatalogColumn, expected: Expected): boolean {
  const liveDefault = live.default?.startsWith('nextval(') ? 'nextval(…)' : live.default;
  return live.type === expected.type && live.notNull === expected.notNull && liveDefault === expected.default;
}

/** One line per difference between `catalog` and what the migrations produce; empty when none. */
export function schemaDifferences(catalog: Catalog): string[] {
  const problems: string[] = [];
  for (const [table, columns] of Object.entries(EXPECTED_COLUMNS)) {
    const live = catalog.columns.filter((c) => c.table === table);
    if (live.length === 0) {
      problems.push(`missing table ${table}`);
      continue;
    }
    for (const [name, expected] of Object.entries(columns)) {
      const column = live.find((c) => c.column === name);
      if (!column) problems.push(`missing column ${table}.${name} (${describe(expected)})`);
      else if (!sameColumn(column, expected)) {
        problems.push(`column ${table}.${name} is ${describe({ ...column, default: column.default })}, expected ${describe(expected)}`);
      }
    }
  }
  const tables = new Set(catalog.columns.map((c) => c.table));
  for (const [table, type, def] of EXPECTED_CONSTRAINTS) {
    if (!tables.has(table)) continue;
    if (!catalog.constraints.some((c) => c.table === table && c.type === type && c.def === def)) {
      problems.push(`missing constraint on ${table}: ${def}`);
    }
  }
  for (const def of EXPECTED_INDEXES) {
    const table = /ON public\.(\w+)/.exec(def)?.[1] ?? '';
    if (tables.has(table) && !catalog.indexes.some((i) => i.def === def)) problems.push(`missing index on ${table}: ${def}`);
  }
  for (const [table, name] of EXPECTED_TRIGGERS) {
    if (tables.has(table) && !catalog.triggers.some((t) => t.table === table && t.name === name)) {
      problems.push(`missing trigger ${name} on ${table}`);
    }
  }
  for (const extension of EXPECTED_EXTENSIONS) {
    if (!catalog.extensions.includes(extension)) problems.push(`missing extension ${extension}`);
  }
  return problems;
}

export async function checkSchema(db: Database): Promise<string[]> {
  return schemaDifferences(await readCatalog(db));
}

/** The start is refused: the schema differs from what the migrations produce. */
export class SchemaDriftError extends Error {
  constructor(readonly problems: string[]) {
    super(`the database schema differs from what the migrations produce:\n${problems.join('\n')}`);
    this.name = 'SchemaDriftError';
  }
}
