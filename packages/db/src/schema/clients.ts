import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, pgTable, serial, timestamp, unique, varchar } from 'drizzle-orm/pg-core';
import { users } from './users.js';

/** The phone's digits, as the search index and the search compare them. */
export const PHONE_DIGITS = sql.raw(`regexp_replace("phone", '[^0-9]', '', 'g')`);

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
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
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
    // Substring search (ILIKE '%q%') on the name and on the phone's digits, whatever the stored
    // formatting (adopted rows may hold '(415) 555-0123'). The name's trigrams are keyed with the
    // owner (btree_gin, 0008): a search reads its owner's matches only, not every owner's (with a
    // name-only index, '%Rosa%' read 24,400 matches of all owners and and-ed them with the owner's
    // 100,000 rows).
    index('ix_clients_owner_name_trgm').using('gin', t.ownerId, t.name.op('gin_trgm_ops')),
    index('ix_clients_phone_digits_trgm').using('gin', sql`${PHONE_DIGITS} gin_trgm_ops`),
    // The trigger clients_default_owner (0004, by hand) gives rows the original service inserts
    // during a switch-over an owner, as 0002 did.
  ],
);

export type Client = typeof clients.$inferSelect;
export type NewClient = typeof clients.$inferInsert;
