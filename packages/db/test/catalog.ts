// The expected catalog, split by the migration that brings each part (catalog-read.ts reads it
// back). Both schema.test.ts (fresh database) and adopt.test.ts (the original service's database)
// compare the whole public schema with these lists: exactly these objects, and no others.
import type { CatalogColumn, CatalogConstraint, CatalogIndex } from '../src/index.js';

export type Column = CatalogColumn;
export type Constraint = CatalogConstraint;
/** `def` as pg_get_indexdef writes it, name included (readCatalog's own leaves the name out). */
export type Index = CatalogIndex;

export interface ForeignKey {
  table: string;
  name: string;
  target: string;
  /** confdeltype / confupdtype: c cascade, a no action. */
  deleteAction: string;
  updateAction: string;
  /** In key order. */
  columns: string;
  refColumns: string;
}

// The original service's tables, column for column, in column order (0000; the contract's seed schema).
export const ORIGINAL_COLUMNS: Column[] = [
  { table: 'appointments', column: 'id', type: 'integer', notNull: true, default: "nextval('appointments_id_seq'::regclass)" },
  { table: 'appointments', column: 'client_id', type: 'integer', notNull: true, default: null },
  { table: 'appointments', column: 'starts_at', type: 'timestamp with time zone', notNull: true, default: null },
  { table: 'appointments', column: 'ends_at', type: 'timestamp with time zone', notNull: true, default: null },
  { table: 'appointments', column: 'notes', type: 'text', notNull: false, default: null },
  { table: 'clients', column: 'id', type: 'integer', notNull: true, default: "nextval('clients_id_seq'::regclass)" },
  { table: 'clients', column: 'name', type: 'character varying(255)', notNull: true, default: null },
  { table: 'clients', column: 'phone', type: 'character varying(50)', notNull: true, default: null },
  { table: 'users', column: 'id', type: 'integer', notNull: true, default: "nextval('users_id_seq'::regclass)" },
  { table: 'users', column: 'email', type: 'character varying(255)', notNull: true, default: null },
  { table: 'users', column: 'hashed_password', type: 'character varying(255)', notNull: true, default: null },
  { table: 'users', column: 'is_active', type: 'boolean', notNull: true, default: 'true' },
  { table: 'users', column: 'created_at', type: 'timestamp with time zone', notNull: true, default: 'now()' },
];

export const ORIGINAL_CONSTRAINTS: Constraint[] = [
  {
    table: 'appointments',
    name: 'appointments_client_id_fkey',
    type: 'f',
    def: 'FOREIGN KEY (client_id) REFERENCES clients(id) ON DELETE CASCADE',
  },
  { table: 'appointments', name: 'appointments_pkey', type: 'p', def: 'PRIMARY KEY (id)' },
  { table: 'clients', name: 'clients_pkey', type: 'p', def: 'PRIMARY KEY (id)' },
  { table: 'users', name: 'users_pkey', type: 'p', def: 'PRIMARY KEY (id)' },
];

export const ORIGINAL_FOREIGN_KEYS: ForeignKey[] = [
  {
    table: 'appointments',
    name: 'appointments_client_id_fkey',
    target: 'clients',
    deleteAction: 'c',
    updateAction: 'a',
    columns: 'client_id',
    refColumns: 'id',
  },
];

export const ORIGINAL_INDEXES: Index[] = [
  { table: 'appointments', name: 'appointments_pkey', def: 'CREATE UNIQUE INDEX appointments_pkey ON public.appointments USING btree (id)' },
  { table: 'appointments', name: 'ix_appointments_client_id', def: 'CREATE INDEX ix_appointments_client_id ON public.appointments USING btree (client_id)' },
  { table: 'clients', name: 'clients_pkey', def: 'CREATE UNIQUE INDEX clients_pkey ON public.clients USING btree (id)' },
  { table: 'clients', name: 'ix_clients_name', def: 'CREATE INDEX ix_clients_name ON public.clients USING btree (name)' },
  { table: 'clients', name: 'ix_clients_phone', def: 'CREATE INDEX ix_clients_phone ON public.clients USING btree (phone)' },
  { table: 'users', name: 'ix_users_email', def: 'CREATE UNIQUE INDEX ix_users_email ON public.users USING btree (email)' },
  { table: 'users', name: 'users_pkey', def: 'CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)' },
];

// 0001.
export const INDEXES_0001: Index[] = [
  { table: 'users', name: 'users_email_lower_key', def: 'CREATE UNIQUE INDEX users_email_lower_key ON public.users USING btree (lower((email)::text))' },
];

// 0002: ownership, the no-overlap rule and the list/search indexes.
export const COLUMNS_0002: Column[] = [
  { table: 'appointments', column: 'owner_id', type: 'integer', notNull: true, default: null },
  { table: 'appointments', column: 'status', type: 'character varying(16)', notNull: true, default: "'scheduled'::character varying" },
  { table: 'clients', column: 'owner_id', type: 'integer', notNull: true, default: null },
];

export const CONSTRAINTS_0002: Constraint[] = [
  {
    table: 'appointments',
    name: 'appointments_client_owner_fkey',
    type: 'f',
    def: 'FOREIGN KEY (client_id, owner_id) REFERENCES clients(id, owner_id) ON DELETE CASCADE',
  },
  { table: 'appointments', name: 'appointments_ends_after_starts', type: 'c', def: 'CHECK ((ends_at > starts_at))' },
  {
    table: 'appointments',
    name: 'appointments_no_overlap',
    type: 'x',
    def: "EXCLUDE USING gist (owner_id WITH =, tstzrange(starts_at, ends_at, '[)'::text) WITH &&) WHERE (((status)::text <> 'cancelled'::text))",
  },
  {
    table: 'appointments',
    name: 'appointments_status_check',
    type: 'c',
    def: "CHECK (((status)::text = ANY ((ARRAY['scheduled'::character varying, 'cancelled'::character varying, 'completed'::character varying, 'no_show'::character varying])::text[])))",
  },
  { table: 'clients', name: 'clients_id_owner_id_key', type: 'u', def: 'UNIQUE (id, owner_id)' },
  {
    table: 'clients',
    name: 'clients_owner_id_fkey',
    type: 'f',
    def: 'FOREIGN KEY (owner_id) REFERENCES users(id) ON DELETE CASCADE',
  },
];

export const FOREIGN_KEYS_0002: ForeignKey[] = [
  {
    table: 'appointments',
    name: 'appointments_client_owner_fkey',
    target: 'clients',
    deleteAction: 'c',
    updateAction: 'a',
    columns: 'client_id,owner_id',
    refColumns: 'id,owner_id',
  },
  {
    table: 'clients',
    name: 'clients_owner_id_fkey',
    target: 'users',
    deleteAction: 'c',
    updateAction: 'a',
    columns: 'owner_id',
    refColumns: 'id',
  },
];

export const INDEXES_0002: Index[] = [
  {
    table: 'appointments',
    name: 'appointments_no_overlap',
    def: "CREATE INDEX appointments_no_overlap ON public.appointments USING gist (owner_id, tstzrange(starts_at, ends_at, '[)'::text)) WHERE ((status)::text <> 'cancelled'::text)",
  },
  {
    table: 'appointments',
    name: 'ix_appointments_owner_starts',
    def: 'CREATE INDEX ix_appointments_owner_starts ON public.appointments USING btree (owner_id, starts_at, id)',
  },
  { table: 'clients', name: 'clients_id_owner_id_key', def: 'CREATE UNIQUE INDEX clients_id_owner_id_key ON public.clients USING btree (id, owner_id)' },
  {
    table: 'clients',
    name: 'ix_clients_owner_name',
    def: 'CREATE INDEX ix_clients_owner_name ON public.clients USING btree (owner_id, lower((name)::text) COLLATE "C", id)',
  },
];

export const EXTENSIONS_0002 = ['btree_gist', 'pg_trgm'];

// 0003: token revocation. users.token_version (raised by a password change; tokens carry the
// version they were issued at) and revoked_tokens (a logged-out token's hash until it expires).
// No foreign key, no extension.
export const COLUMNS_0003: Column[] = [
  { table: 'revoked_tokens', column: 'token_hash', type: 'text', notNull: true, default: null },
  { table: 'revoked_tokens', column: 'expires_at', type: 'timestamp with time zone', notNull: true, default: null },
  { table: 'users', column: 'token_version', type: 'integer', notNull: true, default: '0' },
];

export const CONSTRAINTS_0003: Constraint[] = [
  { table: 'revoked_tokens', name: 'revoked_tokens_pkey', type: 'p', def: 'PRIMARY KEY (token_hash)' },
];

export const INDEXES_0003: Index[] = [
  {
    table: 'revoked_tokens',
    name: 'ix_revoked_tokens_expires_at',
    def: 'CREATE INDEX ix_revoked_tokens_expires_at ON public.revoked_tokens USING btree (expires_at)',
  },
  {
    table: 'revoked_tokens',
    name: 'revoked_tokens_pkey',
    def: 'CREATE UNIQUE INDEX revoked_tokens_pkey ON public.revoked_tokens USING btree (token_hash)',
  },
];

// 0004: created_at on clients and appointments (the original had none; 0000's first text had them),
// and the trigram index on the phone's digits (replacing 0002's index on the phone's text).
export const COLUMNS_0004: Column[] = [
  { table: 'appointments', column: 'created_at', type: 'timestamp with time zone', notNull: true, default: 'now()' },
  { table: 'clients', column: 'created_at', type: 'timestamp with time zone', notNull: true, default: 'now()' },
];

export const INDEXES_0004: Index[] = [
  {
    table: 'clients',
    name: 'ix_clients_phone_digits_trgm',
    def: "CREATE INDEX ix_clients_phone_digits_trgm ON public.clients USING gin (regexp_replace((phone)::text, '[^0-9]'::text, ''::text, 'g'::text) gin_trgm_ops)",
  },
];

// 0005: one schedule per user (jsonb hours, range checks on the numbers), deleted with its user.
export const COLUMNS_0005: Column[] = [
  { table: 'schedules', column: 'user_id', type: 'integer', notNull: true, default: null },
  { table: 'schedules', column: 'time_zone', type: 'character varying(64)', notNull: true, default: null },
  { table: 'schedules', column: 'weekly_hours', type: 'jsonb', notNull: true, default: null },
  { table: 'schedules', column: 'date_overrides', type: 'jsonb', notNull: true, default: "'[]'::jsonb" },
  { table: 'schedules', column: 'slot_interval_minutes', type: 'integer', notNull: true, default: null },
  { table: 'schedules', column: 'buffer_before_minutes', type: 'integer', notNull: true, default: null },
  { table: 'schedules', column: 'buffer_after_minutes', type: 'integer', notNull: true, default: null },
  { table: 'schedules', column: 'minimum_notice_minutes', type: 'integer', notNull: true, default: null },
  { table: 'schedules', column: 'booking_horizon_days', type: 'integer', notNull: true, default: null },
  { table: 'schedules', column: 'updated_at', type: 'timestamp with time zone', notNull: true, default: 'now()' },
];

export const CONSTRAINTS_0005: Constraint[] = [
  { table: 'schedules', name: 'schedules_buffers_range', type: 'c', def: 'CHECK ((((buffer_before_minutes >= 0) AND (buffer_before_minutes <= 240)) AND ((buffer_after_minutes >= 0) AND (buffer_after_minutes <= 240))))' },
  { table: 'schedules', name: 'schedules_horizon_range', type: 'c', def: 'CHECK (((booking_horizon_days >= 1) AND (booking_horizon_days <= 730)))' },
  { table: 'schedules', name: 'schedules_hours_shape', type: 'c', def: "CHECK (((jsonb_typeof(weekly_hours) = 'object'::text) AND (jsonb_typeof(date_overrides) = 'array'::text)))" },
  { table: 'schedules', name: 'schedules_notice_range', type: 'c', def: 'CHECK (((minimum_notice_minutes >= 0) AND (minimum_notice_minutes <= 10080)))' },
  { table: 'schedules', name: 'schedules_pkey', type: 'p', def: 'PRIMARY KEY (user_id)' },
  { table: 'schedules', name: 'schedules_slot_interval_range', type: 'c', def: 'CHECK (((slot_interval_minutes >= 5) AND (slot_interval_minutes <= 240)))' },
  { table: 'schedules', name: 'schedules_user_id_fkey', type: 'f', def: 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE' },
];

export const FOREIGN_KEYS_0005: ForeignKey[] = [
  { table: 'schedules', name: 'schedules_user_id_fkey', target: 'users', deleteAction: 'c', updateAction: 'a', columns: 'user_id', refColumns: 'id' },
];

export const INDEXES_0005: Index[] = [
  { table: 'schedules', name: 'schedules_pkey', def: 'CREATE UNIQUE INDEX schedules_pkey ON public.schedules USING btree (user_id)' },
];

// 0006: API keys (prefix and SHA-256 only, deleted with their user) and the call log (per owner and
// client; call_back_at only on call_back calls; deleted with the client, unlinked from a deleted appointment).
export const COLUMNS_0006: Column[] = [
  { table: 'api_keys', column: 'id', type: 'integer', notNull: true, default: "nextval('api_keys_id_seq'::regclass)" },
  { table: 'api_keys', column: 'user_id', type: 'integer', notNull: true, default: null },
  { table: 'api_keys', column: 'name', type: 'character varying(100)', notNull: true, default: null },
  { table: 'api_keys', column: 'prefix', type: 'character varying(16)', notNull: true, default: null },
  { table: 'api_keys', column: 'key_hash', type: 'text', notNull: true, default: null },
  { table: 'api_keys', column: 'created_at', type: 'timestamp with time zone', notNull: true, default: 'now()' },
  { table: 'api_keys', column: 'last_used_at', type: 'timestamp with time zone', notNull: false, default: null },
  { table: 'api_keys', column: 'revoked_at', type: 'timestamp with time zone', notNull: false, default: null },
  { table: 'calls', column: 'id', type: 'integer', notNull: true, default: "nextval('calls_id_seq'::regclass)" },
  { table: 'calls', column: 'owner_id', type: 'integer', notNull: true, default: null },
  { table: 'calls', column: 'client_id', type: 'integer', notNull: true, default: null },
  { table: 'calls', column: 'appointment_id', type: 'integer', notNull: false, default: null },
  { table: 'calls', column: 'started_at', type: 'timestamp with time zone', notNull: true, default: null },
  { table: 'calls', column: 'duration_seconds', type: 'integer', notNull: true, default: null },
  { table: 'calls', column: 'outcome', type: 'character varying(16)', notNull: true, default: null },
  { table: 'calls', column: 'notes', type: 'text', notNull: false, default: null },
  { table: 'calls', column: 'call_back_at', type: 'timestamp with time zone', notNull: false, default: null },
  { table: 'calls', column: 'created_at', type: 'timestamp with time zone', notNull: true, default: 'now()' },
];

export const CONSTRAINTS_0006: Constraint[] = [
  { table: 'api_keys', name: 'api_keys_pkey', type: 'p', def: 'PRIMARY KEY (id)' },
  { table: 'api_keys', name: 'api_keys_prefix_key', type: 'u', def: 'UNIQUE (prefix)' },
  { table: 'api_keys', name: 'api_keys_user_id_fkey', type: 'f', def: 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE' },
  { table: 'calls', name: 'calls_appointment_id_fkey', type: 'f', def: 'FOREIGN KEY (appointment_id) REFERENCES appointments(id) ON DELETE SET NULL' },
  { table: 'calls', name: 'calls_call_back_at_rule', type: 'c', def: "CHECK ((((outcome)::text = 'call_back'::text) = (call_back_at IS NOT NULL)))" },
  { table: 'calls', name: 'calls_client_owner_fkey', type: 'f', def: 'FOREIGN KEY (client_id, owner_id) REFERENCES clients(id, owner_id) ON DELETE CASCADE' },
  { table: 'calls', name: 'calls_duration_range', type: 'c', def: 'CHECK (((duration_seconds >= 0) AND (duration_seconds <= 86400)))' },
  { table: 'calls', name: 'calls_outcome_check', type: 'c', def: "CHECK (((outcome)::text = ANY ((ARRAY['booked'::character varying, 'no_answer'::character varying, 'voicemail'::character varying, 'call_back'::character varying, 'declined'::character varying, 'wrong_number'::character varying])::text[])))" },
  { table: 'calls', name: 'calls_pkey', type: 'p', def: 'PRIMARY KEY (id)' },
];

export const FOREIGN_KEYS_0006: ForeignKey[] = [
  { table: 'api_keys', name: 'api_keys_user_id_fkey', target: 'users', deleteAction: 'c', updateAction: 'a', columns: 'user_id', refColumns: 'id' },
  { table: 'calls', name: 'calls_appointment_id_fkey', target: 'appointments', deleteAction: 'n', updateAction: 'a', columns: 'appointment_id', refColumns: 'id' },
  { table: 'calls', name: 'calls_client_owner_fkey', target: 'clients', deleteAction: 'c', updateAction: 'a', columns: 'client_id,owner_id', refColumns: 'id,owner_id' },
];

export const INDEXES_0006: Index[] = [
  { table: 'api_keys', name: 'api_keys_pkey', def: 'CREATE UNIQUE INDEX api_keys_pkey ON public.api_keys USING btree (id)' },
  { table: 'api_keys', name: 'api_keys_prefix_key', def: 'CREATE UNIQUE INDEX api_keys_prefix_key ON public.api_keys USING btree (prefix)' },
  { table: 'api_keys', name: 'ix_api_keys_user_id', def: 'CREATE INDEX ix_api_keys_user_id ON public.api_keys USING btree (user_id, id)' },
  { table: 'calls', name: 'calls_pkey', def: 'CREATE UNIQUE INDEX calls_pkey ON public.calls USING btree (id)' },
  { table: 'calls', name: 'ix_calls_appointment_id', def: 'CREATE INDEX ix_calls_appointment_id ON public.calls USING btree (appointment_id)' },
  { table: 'calls', name: 'ix_calls_client_started', def: 'CREATE INDEX ix_calls_client_started ON public.calls USING btree (client_id, started_at DESC NULLS LAST, id DESC NULLS LAST)' },
  { table: 'calls', name: 'ix_calls_owner_started', def: 'CREATE INDEX ix_calls_owner_started ON public.calls USING btree (owner_id, started_at DESC NULLS LAST, id DESC NULLS LAST)' },
];

// 0007: administrators (users.is_superuser) and password-reset links (one row per user, a SHA-256
// of the token only, deleted with their user).
export const COLUMNS_0007: Column[] = [
  { table: 'password_reset_tokens', column: 'user_id', type: 'integer', notNull: true, default: null },
  { table: 'password_reset_tokens', column: 'token_hash', type: 'text', notNull: true, default: null },
  { table: 'password_reset_tokens', column: 'created_at', type: 'timestamp with time zone', notNull: true, default: 'now()' },
  { table: 'password_reset_tokens', column: 'expires_at', type: 'timestamp with time zone', notNull: true, default: null },
  { table: 'password_reset_tokens', column: 'used_at', type: 'timestamp with time zone', notNull: false, default: null },
  { table: 'users', column: 'is_superuser', type: 'boolean', notNull: true, default: 'false' },
];

export const CONSTRAINTS_0007: Constraint[] = [
  { table: 'password_reset_tokens', name: 'password_reset_tokens_pkey', type: 'p', def: 'PRIMARY KEY (user_id)' },
  { table: 'password_reset_tokens', name: 'password_reset_tokens_token_hash_key', type: 'u', def: 'UNIQUE (token_hash)' },
  { table: 'password_reset_tokens', name: 'password_reset_tokens_user_id_fkey', type: 'f', def: 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE' },
];

export const FOREIGN_KEYS_0007: ForeignKey[] = [
  { table: 'password_reset_tokens', name: 'password_reset_tokens_user_id_fkey', target: 'users', deleteAction: 'c', updateAction: 'a', columns: 'user_id', refColumns: 'id' },
];

export const INDEXES_0007: Index[] = [
  { table: 'password_reset_tokens', name: 'password_reset_tokens_pkey', def: 'CREATE UNIQUE INDEX password_reset_tokens_pkey ON public.password_reset_tokens USING btree (user_id)' },
  { table: 'password_reset_tokens', name: 'password_reset_tokens_token_hash_key', def: 'CREATE UNIQUE INDEX password_reset_tokens_token_hash_key ON public.password_reset_tokens USING btree (token_hash)' },
];

// 0008: btree_gin, for the client search's trigram index keyed with the owner, which replaced
// 0002's name-only ix_clients_name_trgm; 0010 replaced that index in turn (below).
export const EXTENSIONS_0008 = ['btree_gin'];

// 0009: when the account's tokens were last revoked (set with each raise of token_version), for
// the original service's tokens, which carry no version. NULL until the first raise.
export const COLUMNS_0009: Column[] = [
  { table: 'users', column: 'tokens_revoked_at', type: 'timestamp with time zone', notNull: false, default: null },
];

// 0010: the client search by every suffix of the name, keyed with the owner (the index and its two
// functions), replacing 0008's trigram index.
export const INDEXES_0010: Index[] = [
  {
    table: 'clients',
    name: 'ix_clients_name_suffixes',
    def: 'CREATE INDEX ix_clients_name_suffixes ON public.clients USING gin (agentcaller_client_name_suffixes(owner_id, (name)::text))',
  },
];

// The functions of the public schema after every migration: 0004's two triggers' and 0010's two.
export const FUNCTIONS_0010 = [
  'agentcaller_appointment_default_owner()',
  'agentcaller_client_default_owner()',
  'agentcaller_client_name_query(owner integer, q text)',
  'agentcaller_client_name_suffixes(owner integer, full_name text)',
];

// The indexes SQLAlchemy made for `index=True` on the original's primary keys (redundant, kept).
export const SEED_ID_INDEXES: Index[] = [
  { table: 'appointments', name: 'ix_appointments_id', def: 'CREATE INDEX ix_appointments_id ON public.appointments USING btree (id)' },
  { table: 'clients', name: 'ix_clients_id', def: 'CREATE INDEX ix_clients_id ON public.clients USING btree (id)' },
  { table: 'users', name: 'ix_users_id', def: 'CREATE INDEX ix_users_id ON public.users USING btree (id)' },
];

// Alembic's bookkeeping table, present only in a database the original service created.
export const ALEMBIC_COLUMNS: Column[] = [
  { table: 'alembic_version', column: 'version_num', type: 'character varying(32)', notNull: true, default: null },
];
export const ALEMBIC_CONSTRAINTS: Constraint[] = [
  { table: 'alembic_version', name: 'alembic_version_pkc', type: 'p', def: 'PRIMARY KEY (version_num)' },
];
export const ALEMBIC_INDEXES: Index[] = [
  {
    table: 'alembic_version',
    name: 'alembic_version_pkc',
    def: 'CREATE UNIQUE INDEX alembic_version_pkc ON public.alembic_version USING btree (version_num)',
  },
];
