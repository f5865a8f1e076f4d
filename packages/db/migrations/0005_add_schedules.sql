-- One schedule per user (spec, "Schedule"): when the business takes appointments. Hours are jsonb
-- (read and replaced whole, shape checked by the API); the numbers carry the contract's ranges as checks.
-- No row = the default schedule in UTC (accounts adopted from the original service).
CREATE TABLE "schedules" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"time_zone" varchar(64) NOT NULL,
	"weekly_hours" jsonb NOT NULL,
	"date_overrides" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"slot_interval_minutes" integer NOT NULL,
	"buffer_before_minutes" integer NOT NULL,
	"buffer_after_minutes" integer NOT NULL,
	"minimum_notice_minutes" integer NOT NULL,
	"booking_horizon_days" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedules_slot_interval_range" CHECK ("schedules"."slot_interval_minutes" BETWEEN 5 AND 240),
	CONSTRAINT "schedules_buffers_range" CHECK ("schedules"."buffer_before_minutes" BETWEEN 0 AND 240 AND "schedules"."buffer_after_minutes" BETWEEN 0 AND 240),
	CONSTRAINT "schedules_notice_range" CHECK ("schedules"."minimum_notice_minutes" BETWEEN 0 AND 10080),
	CONSTRAINT "schedules_horizon_range" CHECK ("schedules"."booking_horizon_days" BETWEEN 1 AND 730),
	CONSTRAINT "schedules_hours_shape" CHECK (jsonb_typeof("schedules"."weekly_hours") = 'object' AND jsonb_typeof("schedules"."date_overrides") = 'array')
);
--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;