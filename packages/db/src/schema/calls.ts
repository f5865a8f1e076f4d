import { sql } from 'drizzle-orm';
import { check, foreignKey, index, integer, pgTable, serial, text, varchar } from 'drizzle-orm/pg-core';
import { timestamptz } from './timestamptz.js';
import { appointments } from './appointments.js';
import { clients } from './clients.js';

/** How a call ended (spec, "Calls"). */
export const CALL_OUTCOMES = ['booked', 'no_answer', 'voicemail', 'call_back', 'declined', 'wrong_number'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * What the agent did: one row per call to a client of the owner. A `call_back` call carries when
 * to call again (and only it does); the latest call of a client decides whether the client is due.
 */
export const calls = pgTable(
  'calls',
  {
    id: serial('id').primaryKey(),
    ownerId: integer('owner_id').notNull(),
    clientId: integer('client_id').notNull(),
    /** The appointment this call booked (or was about); kept null when the appointment is deleted. */
    appointmentId: integer('appointment_id'),
    startedAt: timestamptz('started_at').notNull(),
    durationSeconds: integer('duration_seconds').notNull(),
    outcome: varchar('outcome', { length: 16, enum: CALL_OUTCOMES }).notNull(),
    notes: text('notes'),
    callBackAt: timestamptz('call_back_at'),
    createdAt: timestamptz('created_at').notNull().default(sql`now()`),
  },
  (t) => [
    // The client is the owner's (the pair is unique on clients); deleting the client deletes its calls.
    foreignKey({ name: 'calls_client_owner_fkey', columns: [t.clientId, t.ownerId], foreignColumns: [clients.id, clients.ownerId] }).onDelete('cascade'),
    foreignKey({ name: 'calls_appointment_id_fkey', columns: [t.appointmentId], foreignColumns: [appointments.id] }).onDelete('set null'),
    check('calls_outcome_check', sql`${t.outcome} IN ('booked', 'no_answer', 'voicemail', 'call_back', 'declined', 'wrong_number')`),
    check('calls_duration_range', sql`${t.durationSeconds} BETWEEN 0 AND 86400`),
    check('calls_call_back_at_rule', sql`(${t.outcome} = 'call_back') = (${t.callBackAt} IS NOT NULL)`),
    // The owner's log, newest first; a client's calls, newest first (the latest one decides the queue).
    index('ix_calls_owner_started').on(t.ownerId, t.startedAt.desc(), t.id.desc()),
    index('ix_calls_client_started').on(t.clientId, t.startedAt.desc(), t.id.desc()),
    index('ix_calls_appointment_id').on(t.appointmentId),
  ],
);

export type Call = typeof calls.$inferSelect;
export type NewCall = typeof calls.$inferInsert;
