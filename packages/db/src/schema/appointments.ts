import { foreignKey, index, integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
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
  },
  (t) => [
    // Named as SQLAlchemy named it in the original database.
    foreignKey({ name: 'appointments_client_id_fkey', columns: [t.clientId], foreignColumns: [clients.id] }).onDelete(
      'cascade',
    ),
    index('ix_appointments_client_id').on(t.clientId),
  ],
);

export type Appointment = typeof appointments.$inferSelect;
export type NewAppointment = typeof appointments.$inferInsert;
