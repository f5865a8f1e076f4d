import { sql } from 'drizzle-orm';
import { boolean, integer, pgTable, serial, uniqueIndex, varchar } from 'drizzle-orm/pg-core';
import { timestamptz } from './timestamptz.js';

// Shape kept from the original service (see docs/database.md); only later migrations add to it.
export const users = pgTable(
  'users',
  {
    id: serial('id').primaryKey(),
    email: varchar('email', { length: 255 }).notNull(),
    hashedPassword: varchar('hashed_password', { length: 255 }).notNull(),
    isActive: boolean('is_active').notNull().default(true),
    createdAt: timestamptz('created_at').notNull().default(sql`now()`),
    // Added by 0003: raised by a password change; tokens carry the version they were issued at.
    tokenVersion: integer('token_version').notNull().default(0),
    // Added by 0007: administrators (`pnpm admin:grant EMAIL`, then /v1/admin/users).
    isSuperuser: boolean('is_superuser').notNull().default(false),
    // Added by 0009: when token_version was last raised (set in the same UPDATE). The original
    // service's tokens carry no version: one is valid only if issued in a later second than this.
    tokensRevokedAt: timestamptz('tokens_revoked_at'),
  },
  (t) => [
    uniqueIndex('ix_users_email').on(t.email),
    // Case-insensitive uniqueness, also over rows the original service wrote in mixed case.
    uniqueIndex('users_email_lower_key').using('btree', sql`lower((${t.email})::text)`),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
