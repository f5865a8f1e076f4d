import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, pgTable, serial, timestamp, unique, varchar } from 'drizzle-orm/pg-core';
import { users } from './users.js';

export const clients = pgTable(
  'clients',
  {
    id: serial('id').primaryKey(),
    name: varchar('name', { length: 255 }).notNull(),
    phone: varchar('phone', { length: 32 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    // Added by 0002: the user whose client this is.
    ownerId: integer('owner_id').notNull(),
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
    // Substring search (ILIKE '%q%') on the name and on the phone digits.
    index('ix_clients_name_trgm').using('gin', t.name.op('gin_trgm_ops')),
    index('ix_clients_phone_trgm').using('gin', t.phone.op('gin_trgm_ops')),
  ],
);

export type Client = typeof clients.$inferSelect;
export type NewClient = typeof clients.$inferInsert;
