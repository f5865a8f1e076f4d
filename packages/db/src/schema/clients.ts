import { sql, type SQL } from 'drizzle-orm';
import { foreignKey, index, integer, pgTable, serial, unique, varchar, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { timestamptz } from './timestamptz.js';
import { users } from './users.js';

/** The phone's digits, as the search index and the search compare them. */
export const PHONE_DIGITS = sql.raw(`regexp_replace("phone", '[^0-9]', '', 'g')`);

/** Every suffix of the lower-cased name, keyed with the owner: what ix_clients_name_suffixes indexes (0010). */
const nameSuffixes = (ownerId: AnyPgColumn, name: AnyPgColumn): SQL => sql`agentcaller_client_name_suffixes(${ownerId}, ${name})`;

export const clients = pgTable(
  'clients',
  {
    id: serial('id').primaryKey(),
    name: varchar('name', { length: 255 }).notNull(),
    // The original's width: adopted rows may hold free-form text; the API writes E.164.
    phone: varchar('phone', { length: 50 }).notNull(),
    // Added by 0002: the user whose client this is.
    ownerId: integer('owner_id').notNull(),
    // Added by 0004 (the original service had no created_at here; 0000's first text did).
    createdAt: timestamptz('created_at').notNull().default(sql`now()`),
  },
  (t) => [
    index('ix_clients_name').on(t.name),
    index('ix_clients_phone').on(t.phone),
    foreignKey({ name: 'clients_owner_id_fkey', columns: [t.ownerId], foreignColumns: [users.id] }).onDelete('cascade'),
    // Target of appointments' (client_id, owner_id) key: an appointment is in its client's owner's calendar.
    unique('clients_id_owner_id_key').on(t.id, t.ownerId),
    // Lists are per owner, ordered by name (case-insensitive, code-point order on every server
    // whatever its collation) then id.
    index('ix_clients_owner_name').on(t.ownerId, sql`lower(${t.name}) COLLATE "C"`, t.id),
    // Substring search on the name: every suffix of the lower-cased name, keyed with the owner
    // ('42 ross', '42 oss', …), in a GIN index (0010's functions). "Any part of the name" is a
    // prefix of one of its suffixes: one walk down the index to the query's entries, whatever the
    // size of the list (docs/decisions.md, "Client search in time that does not grow with the list").
    index('ix_clients_name_suffixes').using('gin', nameSuffixes(t.ownerId, t.name)),
    // Substring search on the phone's digits, whatever the stored formatting (adopted rows may hold
    // '(415) 555-0123').
    index('ix_clients_phone_digits_trgm').using('gin', sql`${PHONE_DIGITS} gin_trgm_ops`),
    // The trigger clients_default_owner (0004, by hand) gives rows the original service inserts
    // during a switch-over an owner, as 0002 did.
  ],
);

/**
 * The owner's clients whose name contains `q` (any case, every character literal), served by
 * ix_clients_name_suffixes. `q` must not start with a space (the index leaves those suffixes out):
 * the API trims it.
 */
export function clientNameContains(ownerId: number, q: string): SQL {
  return sql`${nameSuffixes(clients.ownerId, clients.name)} @@ agentcaller_client_name_query(${ownerId}, ${q})`;
}

export type Client = typeof clients.$inferSelect;
export type NewClient = typeof clients.$inferInsert;
