import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { timestamptz } from './timestamptz.js';

/**
 * Tokens refused before they expire (logout). Kept in the database that every API instance shares,
 * so a logout holds everywhere at once; a row is useless after `expires_at` and is purged.
 */
export const revokedTokens = pgTable(
  'revoked_tokens',
  {
    /** `sig:` + SHA-256 of the decoded signature (every spelling of a token is one key); rows written
     * before issue 10 hold SHA-256 of the token text. Works for the original service's tokens too (no jti). */
    tokenHash: text('token_hash').primaryKey(),
    expiresAt: timestamptz('expires_at').notNull(),
  },
  (t) => [index('ix_revoked_tokens_expires_at').on(t.expiresAt)],
);

export type RevokedToken = typeof revokedTokens.$inferSelect;
