-- Clients belong to the user who created them; an appointment is in its client's owner's calendar,
-- and two appointments of one calendar never overlap (half-open [starts_at, ends_at)).
CREATE EXTENSION IF NOT EXISTS btree_gist;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
ALTER TABLE "clients" ADD COLUMN "owner_id" integer;--> statement-breakpoint
ALTER TABLE "appointments" ADD COLUMN "owner_id" integer;--> statement-breakpoint
-- The original service had one shared list: its clients go to its first user (the one who set it up).
-- A database with clients but no users cannot be migrated (owner_id stays NULL and SET NOT NULL fails).
UPDATE "clients" SET "owner_id" = (SELECT min("id") FROM "users") WHERE "owner_id" IS NULL;--> statement-breakpoint
UPDATE "appointments" AS a SET "owner_id" = c."owner_id" FROM "clients" AS c WHERE c."id" = a."client_id" AND a."owner_id" IS NULL;--> statement-breakpoint
ALTER TABLE "clients" ALTER COLUMN "owner_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "appointments" ALTER COLUMN "owner_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "clients" ADD CONSTRAINT "clients_id_owner_id_key" UNIQUE("id","owner_id");--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_client_owner_fkey" FOREIGN KEY ("client_id","owner_id") REFERENCES "public"."clients"("id","owner_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_ends_after_starts" CHECK ("appointments"."ends_at" > "appointments"."starts_at");--> statement-breakpoint
-- An appointment's status (spec, "Appointments"). Added here, before the no-overlap rule, so that
-- overlaps the original service allowed can be resolved before this migration runs by cancelling
-- one of each pair (`pnpm db:overlaps --resolve`, which adds this same column, hence IF NOT EXISTS).
-- 0004 adds it to databases that applied the first text of this migration.
ALTER TABLE "appointments" ADD COLUMN IF NOT EXISTS "status" varchar(16) DEFAULT 'scheduled' NOT NULL;--> statement-breakpoint
DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'appointments_status_check' AND conrelid = 'public.appointments'::regclass) THEN
		ALTER TABLE "appointments" ADD CONSTRAINT "appointments_status_check" CHECK ("appointments"."status" IN ('scheduled', 'cancelled', 'completed', 'no_show'));
	END IF;
END $$;--> statement-breakpoint
-- drizzle-kit cannot express EXCLUDE: the one rule that makes double-booking impossible, for every
-- request and every API instance. Cancelled appointments do not take part: their time is free.
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_no_overlap" EXCLUDE USING gist ("owner_id" WITH =, tstzrange("starts_at", "ends_at", '[)') WITH &&) WHERE ("status" <> 'cancelled');--> statement-breakpoint
CREATE INDEX "ix_clients_owner_name" ON "clients" USING btree ("owner_id",lower("name") COLLATE "C","id");--> statement-breakpoint
CREATE INDEX "ix_clients_name_trgm" ON "clients" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "ix_clients_phone_trgm" ON "clients" USING gin ("phone" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "ix_appointments_owner_starts" ON "appointments" USING btree ("owner_id","starts_at","id");
