import { sql } from 'drizzle-orm';
import { foreignKey, integer, pgTable, text, unique } from 'drizzle-orm/pg-core';
import { timestamptz } from './timestamptz.js';
import { users } from './users.js';

/**
 * The password-reset link of a user (spec, "Auth"): at most one row per user, so a newer request
 * replaces the older link's hash (the older link is void) and the table never holds more rows than
 * there are users. Only the SHA-256 of the link's token is stored. `used_at` is set by the confirm
 * that consumed it (a second use is refused and says so); `expires_at` is one hour after the request.
 */
export const passwordResetTokens = pgTable(
  'password_reset_tokens',
  {
    userId: integer('user_id').primaryKey(),
    /** Hex SHA-256 of the token in the link. */
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamptz('created_at').notNull().default(sql`now()`),
    expiresAt: timestamptz('expires_at').notNull(),
    usedAt: timestamptz('used_at'),
  },
  (t) => [
    foreignKey({ name: 'password_reset_tokens_user_id_fkey', columns: [t.userId], foreignColumns: [users.id] }).onDelete('cascade'),
    unique('password_reset_tokens_token_hash_key').on(t.tokenHash),
  ],
);

export type PasswordResetToken = typeof passwordResetTokens.$inferSelect;
