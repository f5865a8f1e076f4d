-- Brings every database to one end state, whichever history it has: one adopted from the original
-- service or created by today's 0000 (no created_at on clients and appointments, phone
-- varchar(50)), and one created by 0000's first text (created_at present, phone varchar(32)) or by
-- 0002's first text (no status, a no-overlap rule that counted every appointment). Every statement
-- is written to be a no-op where its work is already done.
ALTER TABLE "clients" ADD COLUMN IF NOT EXISTS "created_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN IF NOT EXISTS "created_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
-- The original's width (widening needs no rewrite; on varchar(50) it changes nothing).
ALTER TABLE "clients" ALTER COLUMN "phone" SET DATA TYPE varchar(50);--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN IF NOT EXISTS "status" varchar(16) DEFAULT 'scheduled' NOT NULL;--> statement-breakpoint
DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'appointments_status_check' AND conrelid = 'public.appointments'::regclass) THEN
		ALTER TABLE "appointments" ADD CONSTRAINT "appointments_status_check" CHECK ("appointments"."status" IN ('scheduled', 'cancelled', 'completed', 'no_show'));
	END IF;
END $$;--> statement-breakpoint
-- Only non-cancelled appointments take part in the no-overlap rule (replaced where 0002's first
-- text made it count every appointment).
DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'appointments_no_overlap' AND conrelid = 'public.appointments'::regclass AND pg_get_constraintdef(oid) LIKE '%WHERE%') THEN
		ALTER TABLE "appointments" DROP CONSTRAINT IF EXISTS "appointments_no_overlap";
		ALTER TABLE "appointments" ADD CONSTRAINT "appointments_no_overlap" EXCLUDE USING gist ("owner_id" WITH =, tstzrange("starts_at", "ends_at", '[)') WITH &&) WHERE ("status" <> 'cancelled');
	END IF;
END $$;--> statement-breakpoint
-- Search matches the phone's digits whatever the stored formatting ('(415) 555-0123' is found by
-- '4155550'): the trigram index is on the digits, not on the text.
DROP INDEX IF EXISTS "ix_clients_phone_trgm";--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "ix_clients_phone_digits_trgm" ON "clients" USING gin (regexp_replace("phone", '[^0-9]', '', 'g') gin_trgm_ops);--> statement-breakpoint
-- While the original service still writes to this database (a rolling switch-over), the rows it
-- inserts have no owner: they get one as 0002 gave the original's rows (the user with the smallest
-- id; an appointment its client's owner). Rows AgentCaller writes always carry an owner, so the
-- triggers never fire for them.
CREATE OR REPLACE FUNCTION "agentcaller_client_default_owner"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW."owner_id" := (SELECT min("id") FROM "users");
	RETURN NEW;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION "agentcaller_appointment_default_owner"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW."owner_id" := (SELECT "owner_id" FROM "clients" WHERE "id" = NEW."client_id");
	RETURN NEW;
END $$;--> statement-breakpoint
DROP TRIGGER IF EXISTS "clients_default_owner" ON "clients";--> statement-breakpoint
CREATE TRIGGER "clients_default_owner" BEFORE INSERT ON "clients" FOR EACH ROW WHEN (NEW."owner_id" IS NULL) EXECUTE FUNCTION "agentcaller_client_default_owner"();--> statement-breakpoint
DROP TRIGGER IF EXISTS "appointments_default_owner" ON "appointments";--> statement-breakpoint
CREATE TRIGGER "appointments_default_owner" BEFORE INSERT ON "appointments" FOR EACH ROW WHEN (NEW."owner_id" IS NULL) EXECUTE FUNCTION "agentcaller_appointment_default_owner"();
