import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { clients } from './clients.js';

export const appointments = pgTable(
  'appointments',
  {
    id: serial('id').primaryKey(),
    clientId: integer('client_id').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true, mode: 'date' }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date' }).notNull(),
    notes: text('notes'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    // Added by 0002: the calendar (user) this appointment is in, always its client's owner.
    ownerId: integer('owner_id').notNull(),
  },
  (t) => [
    // Named as SQLAlchemy named it in the original database.
    foreignKey({ name: 'appointments_client_id_fkey', columns: [t.clientId], foreignColumns: [clients.id] }).onDelete(
      'cascade',
    ),
    index('ix_appointments_client_id').on(t.clientId),
    foreignKey({
      name: 'appointments_client_owner_fkey',
      columns: [t.clientId, t.ownerId],
      foreignColumns: [clients.id, clients.ownerId],
    }).onDelete('cascade'),
    check('appointments_ends_after_starts', sql`${t.endsAt} > ${t.startsAt}`),
    index('ix_appointments_owner_starts').on(t.ownerId, t.startsAt, t.id),
    // The exclusion constraint appointments_no_overlap (no two appointments of one owner overlap,
    // half-open) is written by hand in 0002: drizzle-kit cannot express EXCLUDE.
  ],
);

export type Appointment = typeof appointments.$inferSelect;
export type NewAppointment = typeof appointments.$inferInsert;
