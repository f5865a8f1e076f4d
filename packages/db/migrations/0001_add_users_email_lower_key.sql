-- Emails are unique regardless of case, also among rows the original service wrote in mixed case.
-- If two such rows differ only in case, this fails and nothing is changed: merge them first
-- (docs/database.md).
CREATE UNIQUE INDEX IF NOT EXISTS "users_email_lower_key" ON "users" USING btree (lower(("email")::text));
