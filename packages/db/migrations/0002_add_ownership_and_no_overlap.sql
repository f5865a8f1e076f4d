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
-- drizzle-kit cannot express EXCLUDE: the one rule that makes double-booking impossible, for every
-- request and every API instance.
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_no_overlap" EXCLUDE USING gist ("owner_id" WITH =, tstzrange("starts_at", "ends_at", '[)') WITH &&);--> statement-breakpoint
CREATE INDEX "ix_clients_owner_name" ON "clients" USING btree ("owner_id",lower("name") COLLATE "C","id");--> statement-breakpoint
CREATE INDEX "ix_clients_name_trgm" ON "clients" USING gin ("name" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "ix_clients_phone_trgm" ON "clients" USING gin ("phone" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "ix_appointments_owner_starts" ON "appointments" USING btree ("owner_id","starts_at","id");
