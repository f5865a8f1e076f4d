-- When the account's tokens were last revoked (token_version raised: password change or reset,
-- sign out everywhere, deactivation). The original service's tokens have no `ver`: one is valid
-- only if issued in a later second than this (apps/api/src/lib/token-identity.ts).
ALTER TABLE "users" ADD COLUMN "tokens_revoked_at" timestamp with time zone;--> statement-breakpoint
-- Added by hand: an account whose version was raised before this migration has no time for it.
-- Now is the secure side: the original's tokens issued before now stay refused (as they were),
-- those it issues from the next second on are valid.
UPDATE "users" SET "tokens_revoked_at" = now() WHERE "token_version" > 0;
