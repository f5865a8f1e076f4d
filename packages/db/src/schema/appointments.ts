import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, pgTable, serial, text, varchar } from 'drizzle-orm/pg-core';
import { timestamptz } from './timestamptz.js';
import { clients } from './clients.js';

/** An appointment's status (spec, "Appointments"); only non-cancelled ones take part in the no-overlap rule. */
export const APPOINTMENT_STATUSES = ['scheduled', 'cancelled', 'completed', 'no_show'] as const;
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

export const appointments = pgTable(
  'appointments',
  {
    id: serial('id').primaryKey(),
    clientId: integer('client_id').notNull(),
    startsAt: timestamptz('starts_at').notNull(),
    endsAt: timestamptz('ends_at').notNull(),
    notes: text('notes'),
    // Added by 0002: the calendar (user) this appointment is in, always its client's owner.
    ownerId: integer('owner_id').notNull(),
    // Added by 0002 (0004 on databases that applied 0002's first text).
    status: varchar('status', { length: 16, enum: APPOINTMENT_STATUSES }).notNull().default('scheduled'),
    // Added by 0004 (the original service had no created_at here; 0000's first text did).
    createdAt: timestamptz('created_at').notNull().default(sql`now()`),
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
    check('appointments_status_check', sql`${t.status} IN ('scheduled', 'cancelled', 'completed', 'no_show')`),
    index('ix_appointments_owner_starts').on(t.ownerId, t.startsAt, t.id),
    // The exclusion constraint appointments_no_overlap (no two non-cancelled appointments of one
    // owner overlap, half-open) is written by hand in 0002/0004: drizzle-kit cannot express EXCLUDE.
    // So is the trigger appointments_default_owner (0004): rows the original service inserts
    // during a switch-over get their client's owner.
  ],
);

export type Appointment = typeof appointments.$inferSelect;
export type NewAppointment = typeof appointments.$inferInsert;
