CREATE TABLE "sessions" (
	"id_hash" text PRIMARY KEY NOT NULL,
	"user_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sign_in_failures" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"account" text NOT NULL,
	"ip" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "sessions_expires_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "sign_in_failures_account_idx" ON "sign_in_failures" USING btree ("account","at");--> statement-breakpoint
CREATE INDEX "sign_in_failures_ip_idx" ON "sign_in_failures" USING btree ("ip","at");--> statement-breakpoint
-- The web connects as adclick_web (SET ROLE per connection), a role that owns no
-- table, so row-level security applies to it. Roles are cluster-wide: create it
-- once, whichever database migrates first (two racing migrations may both try).
DO $$
BEGIN
  CREATE ROLE adclick_web NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;--> statement-breakpoint
GRANT adclick_web TO CURRENT_USER;--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO adclick_web;--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA public TO adclick_web;--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO adclick_web;--> statement-breakpoint
GRANT INSERT, UPDATE, DELETE ON "sessions", "sign_in_failures" TO adclick_web;--> statement-breakpoint
GRANT USAGE ON SEQUENCE "sign_in_failures_id_seq" TO adclick_web;--> statement-breakpoint
-- Tenant tables. The web role sees a row when the transaction names its
-- advertiser (adclick.advertiser_id, set by withAdvertiserScope) or a staff role
-- (adclick.role, set by withStaffScope); with neither it sees nothing. The
-- migrating role (which owns the tables and runs the pipeline) keeps full access;
-- FORCE makes that an explicit policy rather than an owner's bypass.
ALTER TABLE "advertisers" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "advertisers" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "advertisers" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_tenant" ON "advertisers" FOR SELECT TO adclick_web USING (
  "id" = current_setting('adclick.advertiser_id', true)
  OR current_setting('adclick.role', true) IN ('analyst', 'finance', 'admin')
  OR "id" IN (SELECT "advertiser_id" FROM "advertiser_tokens" WHERE "token_hash" = current_setting('adclick.token_hash', true))
);--> statement-breakpoint
ALTER TABLE "campaigns" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "campaigns" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "campaigns" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_tenant" ON "campaigns" FOR SELECT TO adclick_web USING (
  "advertiser_id" = current_setting('adclick.advertiser_id', true)
  OR current_setting('adclick.role', true) IN ('analyst', 'finance', 'admin')
);--> statement-breakpoint
ALTER TABLE "billing_daily" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "billing_daily" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "billing_daily" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_tenant" ON "billing_daily" FOR SELECT TO adclick_web USING (
  "advertiser_id" = current_setting('adclick.advertiser_id', true)
  OR current_setting('adclick.role', true) IN ('analyst', 'finance', 'admin')
);--> statement-breakpoint
ALTER TABLE "invoices" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "invoices" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "invoices" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_tenant" ON "invoices" FOR SELECT TO adclick_web USING (
  "advertiser_id" = current_setting('adclick.advertiser_id', true)
  OR current_setting('adclick.role', true) IN ('finance', 'admin')
);--> statement-breakpoint
ALTER TABLE "review_queue" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "review_queue" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "review_queue" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_tenant" ON "review_queue" FOR SELECT TO adclick_web USING (
  "advertiser_id" = current_setting('adclick.advertiser_id', true)
  OR current_setting('adclick.role', true) IN ('analyst', 'admin')
);--> statement-breakpoint
-- A token is found by its hash before its tenant is known: the reporting API names
-- the hash it holds (adclick.token_hash) and sees that one row and no other.
ALTER TABLE "advertiser_tokens" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "advertiser_tokens" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "advertiser_tokens" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_tenant" ON "advertiser_tokens" FOR SELECT TO adclick_web USING (
  "advertiser_id" = current_setting('adclick.advertiser_id', true)
  OR "token_hash" = current_setting('adclick.token_hash', true)
  OR current_setting('adclick.role', true) = 'admin'
);
