CREATE TYPE "public"."blocklist_kind" AS ENUM('ip', 'cidr', 'user_agent');--> statement-breakpoint
CREATE TYPE "public"."campaign_status" AS ENUM('active', 'paused', 'ended');--> statement-breakpoint
CREATE TYPE "public"."review_status" AS ENUM('pending', 'clean', 'fraud');--> statement-breakpoint
CREATE TYPE "public"."run_status" AS ENUM('running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('advertiser', 'analyst', 'finance', 'admin');--> statement-breakpoint
CREATE TABLE "advertiser_tokens" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"advertiser_id" text NOT NULL,
	"token_prefix" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "advertisers" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"currency" text DEFAULT 'USD' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "batch_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"day" date NOT NULL,
	"status" "run_status" DEFAULT 'running' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"events_in" bigint,
	"duplicates" bigint,
	"fraud_removed" bigint,
	"rows_out" bigint,
	"duration_ms" bigint,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "billing_daily" (
	"day" date NOT NULL,
	"campaign_id" text NOT NULL,
	"advertiser_id" text NOT NULL,
	"dimension" text NOT NULL,
	"clicks" bigint NOT NULL,
	"unique_users" bigint NOT NULL,
	"cost_micros" bigint NOT NULL,
	"fraud_clicks" bigint NOT NULL,
	"suspicious_clicks" bigint DEFAULT 0 NOT NULL,
	"batch_run_id" bigint,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_daily_day_campaign_id_dimension_pk" PRIMARY KEY("day","campaign_id","dimension")
) PARTITION BY RANGE ("day");
--> statement-breakpoint
CREATE TABLE "blocklist" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" "blocklist_kind" NOT NULL,
	"value" text NOT NULL,
	"reason" text NOT NULL,
	"created_by" text DEFAULT 'cli' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" text PRIMARY KEY NOT NULL,
	"advertiser_id" text NOT NULL,
	"name" text NOT NULL,
	"cpc_micros" bigint NOT NULL,
	"status" "campaign_status" DEFAULT 'active' NOT NULL,
	"landing_url" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"advertiser_id" text NOT NULL,
	"month" date NOT NULL,
	"clicks" bigint NOT NULL,
	"total_micros" bigint NOT NULL,
	"lines" jsonb NOT NULL,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partner_api_keys" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"key_prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "partner_signing_secrets" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"partner_id" text NOT NULL,
	"secret_encrypted" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "partners" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"rate_limit_per_sec" integer DEFAULT 5000 NOT NULL,
	"require_signature" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "reconciliation_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"day" date NOT NULL,
	"campaign_id" text NOT NULL,
	"live_clicks" bigint NOT NULL,
	"billed_clicks" bigint NOT NULL,
	"live_cost_micros" bigint NOT NULL,
	"billed_cost_micros" bigint NOT NULL,
	"discrepancy" real NOT NULL,
	"threshold_exceeded" boolean NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "review_queue" (
	"event_id" text NOT NULL,
	"partner_id" text NOT NULL,
	"campaign_id" text NOT NULL,
	"advertiser_id" text NOT NULL,
	"click_ts" timestamp with time zone NOT NULL,
	"risk" real NOT NULL,
	"reasons" jsonb NOT NULL,
	"click" jsonb NOT NULL,
	"status" "review_status" DEFAULT 'pending' NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_queue_partner_id_event_id_pk" PRIMARY KEY("partner_id","event_id")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "user_role" NOT NULL,
	"advertiser_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"disabled_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "advertiser_tokens" ADD CONSTRAINT "advertiser_tokens_advertiser_id_advertisers_id_fk" FOREIGN KEY ("advertiser_id") REFERENCES "public"."advertisers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_advertiser_id_advertisers_id_fk" FOREIGN KEY ("advertiser_id") REFERENCES "public"."advertisers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_advertiser_id_advertisers_id_fk" FOREIGN KEY ("advertiser_id") REFERENCES "public"."advertisers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_api_keys" ADD CONSTRAINT "partner_api_keys_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_signing_secrets" ADD CONSTRAINT "partner_signing_secrets_partner_id_partners_id_fk" FOREIGN KEY ("partner_id") REFERENCES "public"."partners"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_advertiser_id_advertisers_id_fk" FOREIGN KEY ("advertiser_id") REFERENCES "public"."advertisers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "advertiser_tokens_hash_idx" ON "advertiser_tokens" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "audit_log_subject_idx" ON "audit_log" USING btree ("subject","at");--> statement-breakpoint
CREATE INDEX "batch_runs_day_idx" ON "batch_runs" USING btree ("day","started_at");--> statement-breakpoint
CREATE INDEX "blocklist_active_idx" ON "blocklist" USING btree ("kind","value");--> statement-breakpoint
CREATE INDEX "campaigns_advertiser_idx" ON "campaigns" USING btree ("advertiser_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_advertiser_month_idx" ON "invoices" USING btree ("advertiser_id","month");--> statement-breakpoint
CREATE UNIQUE INDEX "partner_api_keys_hash_idx" ON "partner_api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "partner_api_keys_partner_idx" ON "partner_api_keys" USING btree ("partner_id");--> statement-breakpoint
CREATE INDEX "reconciliation_day_idx" ON "reconciliation_results" USING btree ("day","campaign_id");--> statement-breakpoint
CREATE INDEX "review_queue_status_idx" ON "review_queue" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "review_queue_day_idx" ON "review_queue" USING btree ("click_ts");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_idx" ON "users" USING btree (lower("email"));