-- API keys (spec, "API keys"): only a SHA-256 of each key and its public prefix are stored; revoked keys keep
-- their row (revoked_at). Calls (spec, "Calls"): what the agent did, per owner and client; a call_back call
-- carries call_back_at, and only it does; the latest call of a client decides the call-back queue.
CREATE TABLE "api_keys" (
	"id" serial PRIMARY KEY NOT NULL,
	"user_id" integer NOT NULL,
	"name" varchar(100) NOT NULL,
	"prefix" varchar(16) NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_prefix_key" UNIQUE("prefix")
);
--> statement-breakpoint
CREATE TABLE "calls" (
	"id" serial PRIMARY KEY NOT NULL,
	"owner_id" integer NOT NULL,
	"client_id" integer NOT NULL,
	"appointment_id" integer,
	"started_at" timestamp with time zone NOT NULL,
	"duration_seconds" integer NOT NULL,
	"outcome" varchar(16) NOT NULL,
	"notes" text,
	"call_back_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "calls_outcome_check" CHECK ("calls"."outcome" IN ('booked', 'no_answer', 'voicemail', 'call_back', 'declined', 'wrong_number')),
	CONSTRAINT "calls_duration_range" CHECK ("calls"."duration_seconds" BETWEEN 0 AND 86400),
	CONSTRAINT "calls_call_back_at_rule" CHECK (("calls"."outcome" = 'call_back') = ("calls"."call_back_at" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calls" ADD CONSTRAINT "calls_client_owner_fkey" FOREIGN KEY ("client_id","owner_id") REFERENCES "public"."clients"("id","owner_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "calls" ADD CONSTRAINT "calls_appointment_id_fkey" FOREIGN KEY ("appointment_id") REFERENCES "public"."appointments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ix_api_keys_user_id" ON "api_keys" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "ix_calls_owner_started" ON "calls" USING btree ("owner_id","started_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ix_calls_client_started" ON "calls" USING btree ("client_id","started_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "ix_calls_appointment_id" ON "calls" USING btree ("appointment_id");