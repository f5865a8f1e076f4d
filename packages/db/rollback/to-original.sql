-- The way back: returns a database AgentCaller adopted to the original Python service's schema
-- (shared/spec/api.md, "The original schema (seed), exactly"), keeping every user, client and
-- appointment. Stop every AgentCaller instance first, take a backup, then run it in one transaction:
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 --single-transaction -f packages/db/rollback/to-original.sql
--
-- What the original service loses (README, "The way back"):
-- - users whose hash is argon2id (they signed in or changed their password on AgentCaller without
--   PASSWORD_HASH=bcrypt) cannot sign in there: the last statement lists them; give each a new
--   password as the README says;
-- - ownership (every client is in the one shared list again), appointment status (a cancelled
--   appointment is an ordinary one again; its note says it was cancelled), created_at of clients and
--   appointments, logouts and sessions, API keys and the call log; the indexes, rules and
--   extensions AgentCaller added (an extension the database had before adoption stays).
-- Phones AgentCaller wrote are E.164 text, which the original reads as it is. Alembic's table was
-- never touched. Tested by packages/db/test/rollback.test.ts (catalog before and after, rows counted).
-- The original has no status: an appointment cancelled, completed or marked a no-show on AgentCaller
-- says so in its note (those that db:overlaps --resolve cancelled say so already). One statement on
-- a line of its own: a database that never got the status column is left as it is.
DO $$ BEGIN IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'appointments' AND column_name = 'status') THEN UPDATE appointments SET notes = concat_ws(E'\n', nullif(notes, ''), '[' || replace(status, '_', '-') || ' on AgentCaller]') WHERE status <> 'scheduled' AND coalesce(notes, '') NOT LIKE '%[cancelled by db:overlaps %'; END IF; END $$;
DROP TRIGGER IF EXISTS clients_default_owner ON clients;
DROP TRIGGER IF EXISTS appointments_default_owner ON appointments;
DROP FUNCTION IF EXISTS agentcaller_client_default_owner();
DROP FUNCTION IF EXISTS agentcaller_appointment_default_owner();
DROP TABLE IF EXISTS revoked_tokens;
DROP TABLE IF EXISTS schedules;
DROP TABLE IF EXISTS calls;
DROP TABLE IF EXISTS api_keys;
DROP TABLE IF EXISTS password_reset_tokens;
ALTER TABLE appointments DROP CONSTRAINT IF EXISTS appointments_no_overlap;
ALTER TABLE appointments DROP CONSTRAINT IF EXISTS appointments_client_owner_fkey;
ALTER TABLE appointments DROP CONSTRAINT IF EXISTS appointments_ends_after_starts;
ALTER TABLE appointments DROP CONSTRAINT IF EXISTS appointments_status_check;
ALTER TABLE clients DROP CONSTRAINT IF EXISTS clients_owner_id_fkey;
ALTER TABLE clients DROP CONSTRAINT IF EXISTS clients_id_owner_id_key;
DROP INDEX IF EXISTS ix_appointments_owner_starts;
DROP INDEX IF EXISTS ix_clients_owner_name;
DROP INDEX IF EXISTS ix_clients_name_trgm;
DROP INDEX IF EXISTS ix_clients_owner_name_trgm;
DROP INDEX IF EXISTS ix_clients_name_suffixes;
DROP FUNCTION IF EXISTS agentcaller_client_name_suffixes(integer, text);
DROP FUNCTION IF EXISTS agentcaller_client_name_query(integer, text);
DROP INDEX IF EXISTS ix_clients_phone_trgm;
DROP INDEX IF EXISTS ix_clients_phone_digits_trgm;
DROP INDEX IF EXISTS users_email_lower_key;
ALTER TABLE appointments DROP COLUMN IF EXISTS owner_id, DROP COLUMN IF EXISTS status, DROP COLUMN IF EXISTS created_at;
ALTER TABLE clients DROP COLUMN IF EXISTS owner_id, DROP COLUMN IF EXISTS created_at;
ALTER TABLE users DROP COLUMN IF EXISTS token_version, DROP COLUMN IF EXISTS tokens_revoked_at;
ALTER TABLE users DROP COLUMN IF EXISTS is_superuser;
ALTER TABLE clients ALTER COLUMN phone TYPE varchar(50);
-- The extensions migrations 0002 and 0008 created, and only those: one the database had before
-- adoption stays. The migrator writes down which it had before its first migration
-- (drizzle.adoption, since the release of 0009). For a database adopted earlier, an extension
-- counts as AgentCaller's when the transaction that created it also wrote a row of the migrator's
-- journal (the same xmin) and it is younger than the journal table (a larger OID); with no journal
-- left (the rollback ran already) every one stays (docs/decisions.md, "Extensions on the way back").
-- Refused (and the whole rollback with it) if something else uses one. One statement on a line.
DO $$ DECLARE before text[]; e name; BEGIN IF to_regclass('drizzle.adoption') IS NOT NULL THEN EXECUTE 'SELECT extensions_before FROM drizzle.adoption LIMIT 1' INTO before; ELSIF to_regclass('drizzle.__drizzle_migrations') IS NULL THEN SELECT array_agg(extname::text) INTO before FROM pg_extension; ELSE EXECUTE 'SELECT array_agg(extname::text) FROM pg_extension WHERE NOT (oid > ''drizzle.__drizzle_migrations''::regclass::oid AND xmin IN (SELECT xmin FROM drizzle.__drizzle_migrations))' INTO before; END IF; FOR e IN SELECT extname FROM pg_extension WHERE extname IN ('btree_gin', 'btree_gist', 'pg_trgm') AND extname::text <> ALL (coalesce(before, '{}')) ORDER BY extname LOOP EXECUTE format('DROP EXTENSION %I', e); END LOOP; END $$;
DROP SCHEMA IF EXISTS drizzle CASCADE;
-- Users the original service cannot verify (argon2id hashes): give each a new password.
SELECT id, email FROM users WHERE hashed_password LIKE '$argon2%' ORDER BY id;
