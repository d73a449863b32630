CREATE SCHEMA "servicebay";
--> statement-breakpoint
CREATE TABLE "servicebay"."sync_run_pages" (
	"run_id" bigint NOT NULL,
	"page" integer NOT NULL,
	"cursor_before" text COLLATE "C",
	"cursor_after" text COLLATE "C",
	"ticket_ids" text[] NOT NULL,
	"committed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_run_pages_pkey" PRIMARY KEY("run_id","page")
);
--> statement-breakpoint
CREATE TABLE "servicebay"."sync_runs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "servicebay"."sync_runs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"org_id" text COLLATE "C" NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"resume_count" integer DEFAULT 0 NOT NULL,
	"cursor" text COLLATE "C",
	"scan_complete" boolean DEFAULT false NOT NULL,
	"deletion_check" text,
	"allow_mass_delete" boolean DEFAULT false NOT NULL,
	"pages" integer DEFAULT 0 NOT NULL,
	"tickets_seen" integer DEFAULT 0 NOT NULL,
	"inserted" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"deleted" integer DEFAULT 0 NOT NULL,
	"undeleted" integer DEFAULT 0 NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"retries" integer DEFAULT 0 NOT NULL,
	"rate_limited" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"repaired_strings" integer DEFAULT 0 NOT NULL,
	"unparseable_dates" integer DEFAULT 0 NOT NULL,
	"coerced_values" integer DEFAULT 0 NOT NULL,
	"invalid_values" integer DEFAULT 0 NOT NULL,
	"duplicates" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "servicebay"."ticket_versions" (
	"org_id" text COLLATE "C" NOT NULL,
	"id" text COLLATE "C" NOT NULL,
	"ticket_number" bigint,
	"status" text,
	"created_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"customer_id" text,
	"customer_name" text,
	"customer_email" text,
	"customer_phone" text,
	"customer_device_name" text,
	"customer_device_type" text,
	"device_id" text,
	"assigned_technician" text,
	"service_required" text,
	"service_notes" text,
	"service_time" timestamp with time zone,
	"end_time" timestamp with time zone,
	"service_address" text,
	"service_location" text,
	"warranty_repair" boolean,
	"alternative_customer_address" boolean,
	"additional_items" jsonb,
	"message_rooms" jsonb,
	"raw" jsonb NOT NULL,
	"payload_hash" text NOT NULL,
	"version" integer NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone,
	"is_deleted" boolean DEFAULT false NOT NULL,
	"sync_run_id" bigint NOT NULL,
	CONSTRAINT "ticket_versions_pkey" PRIMARY KEY("org_id","id","version")
);
--> statement-breakpoint
CREATE TABLE "servicebay"."tickets" (
	"org_id" text COLLATE "C" NOT NULL,
	"id" text COLLATE "C" NOT NULL,
	"ticket_number" bigint,
	"status" text,
	"created_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"customer_id" text,
	"customer_name" text,
	"customer_email" text,
	"customer_phone" text,
	"customer_device_name" text,
	"customer_device_type" text,
	"device_id" text,
	"assigned_technician" text,
	"service_required" text,
	"service_notes" text,
	"service_time" timestamp with time zone,
	"end_time" timestamp with time zone,
	"service_address" text,
	"service_location" text,
	"warranty_repair" boolean,
	"alternative_customer_address" boolean,
	"additional_items" jsonb,
	"message_rooms" jsonb,
	"raw" jsonb NOT NULL,
	"payload_hash" text NOT NULL,
	"version" integer NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_changed_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone,
	"last_sync_run_id" bigint NOT NULL,
	CONSTRAINT "tickets_pkey" PRIMARY KEY("org_id","id")
);
--> statement-breakpoint
ALTER TABLE "servicebay"."sync_run_pages" ADD CONSTRAINT "sync_run_pages_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "servicebay"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sync_runs_org_started_idx" ON "servicebay"."sync_runs" USING btree ("org_id","id");--> statement-breakpoint
CREATE INDEX "ticket_versions_current_idx" ON "servicebay"."ticket_versions" USING btree ("org_id","id") WHERE "servicebay"."ticket_versions"."valid_to" IS NULL;--> statement-breakpoint
CREATE INDEX "ticket_versions_valid_from_idx" ON "servicebay"."ticket_versions" USING btree ("org_id","valid_from");--> statement-breakpoint
CREATE INDEX "tickets_status_idx" ON "servicebay"."tickets" USING btree ("org_id","status");--> statement-breakpoint
CREATE INDEX "tickets_customer_idx" ON "servicebay"."tickets" USING btree ("org_id","customer_id");--> statement-breakpoint
CREATE INDEX "tickets_technician_idx" ON "servicebay"."tickets" USING btree ("org_id","assigned_technician");--> statement-breakpoint
CREATE INDEX "tickets_created_at_idx" ON "servicebay"."tickets" USING btree ("org_id","created_at");--> statement-breakpoint
CREATE INDEX "tickets_closed_at_idx" ON "servicebay"."tickets" USING btree ("org_id","closed_at");--> statement-breakpoint
CREATE INDEX "tickets_deleted_at_idx" ON "servicebay"."tickets" USING btree ("org_id","deleted_at") WHERE "servicebay"."tickets"."deleted_at" IS NOT NULL;