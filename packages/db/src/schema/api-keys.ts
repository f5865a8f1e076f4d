import { sql } from 'drizzle-orm';
import { foreignKey, index, integer, pgTable, serial, text, unique, varchar } from 'drizzle-orm/pg-core';
import { timestamptz } from './timestamptz.js';
import { users } from './users.js';

/**
 * Credentials of programs (spec, "API keys"): the key itself is shown once and never stored. A row
 * holds its public prefix (how a request finds the row, and how people recognise the key in a list)
 * and the SHA-256 of the whole key (compared in constant time). A revoked key keeps its row, with
 * `revoked_at`, so it is refused by every instance that reads the row.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: serial('id').primaryKey(),
    userId: integer('user_id').notNull(),
    name: varchar('name', { length: 100 }).notNull(),
    /** `ac_` and the first characters of the key's random part: public, unique. */
    prefix: varchar('prefix', { length: 16 }).notNull(),
    /** Hex SHA-256 of the whole key. */
    keyHash: text('key_hash').notNull(),
    createdAt: timestamptz('created_at').notNull().default(sql`now()`),
    /** Coalesced: written at most once a minute per key, not on every request. */
    lastUsedAt: timestamptz('last_used_at'),
    revokedAt: timestamptz('revoked_at'),
  },
  (t) => [
    foreignKey({ name: 'api_keys_user_id_fkey', columns: [t.userId], foreignColumns: [users.id] }).onDelete('cascade'),
    unique('api_keys_prefix_key').on(t.prefix),
    index('ix_api_keys_user_id').on(t.userId, t.id),
  ],
);

export type ApiKey = typeof apiKeys.$inferSelect;
export type NewApiKey = typeof apiKeys.$inferInsert;
