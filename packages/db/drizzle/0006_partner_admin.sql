-- The admins' partner screens: the web role manages partners, their API keys and
-- their request-signing secrets when the transaction names the admin role
-- (adclick.role, set by withStaffScope). Key hashes and sealed secrets are read by
-- admins only; partner ids and names stay readable to any scoped transaction (an
-- advertiser's per-partner breakdown names them). The pipeline (the owning role)
-- keeps full access through explicit owner policies.
ALTER TABLE "partners" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "partners" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "partners" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_read" ON "partners" FOR SELECT TO adclick_web USING (
  current_setting('adclick.advertiser_id', true) <> ''
  OR current_setting('adclick.role', true) IN ('analyst', 'finance', 'admin')
);--> statement-breakpoint
CREATE POLICY "web_admin_insert" ON "partners" FOR INSERT TO adclick_web WITH CHECK (
  current_setting('adclick.role', true) = 'admin'
);--> statement-breakpoint
CREATE POLICY "web_admin_update" ON "partners" FOR UPDATE TO adclick_web USING (
  current_setting('adclick.role', true) = 'admin'
) WITH CHECK (
  current_setting('adclick.role', true) = 'admin'
);--> statement-breakpoint
-- Whole-row INSERT (the query builder names every column, defaults included); the
-- policies above decide who may, and UPDATE is limited to the columns an admin changes.
GRANT INSERT ON "partners" TO adclick_web;--> statement-breakpoint
GRANT UPDATE ("rate_limit_per_sec", "require_signature", "revoked_at") ON "partners" TO adclick_web;--> statement-breakpoint
ALTER TABLE "partner_api_keys" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "partner_api_keys" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "partner_api_keys" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_admin" ON "partner_api_keys" TO adclick_web USING (
  current_setting('adclick.role', true) = 'admin'
) WITH CHECK (
  current_setting('adclick.role', true) = 'admin'
);--> statement-breakpoint
GRANT INSERT ON "partner_api_keys" TO adclick_web;--> statement-breakpoint
GRANT UPDATE ("revoked_at") ON "partner_api_keys" TO adclick_web;--> statement-breakpoint
GRANT USAGE ON SEQUENCE "partner_api_keys_id_seq" TO adclick_web;--> statement-breakpoint
ALTER TABLE "partner_signing_secrets" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "partner_signing_secrets" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "partner_signing_secrets" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_admin" ON "partner_signing_secrets" TO adclick_web USING (
  current_setting('adclick.role', true) = 'admin'
) WITH CHECK (
  current_setting('adclick.role', true) = 'admin'
);--> statement-breakpoint
GRANT INSERT ON "partner_signing_secrets" TO adclick_web;--> statement-breakpoint
GRANT UPDATE ("retired_at") ON "partner_signing_secrets" TO adclick_web;--> statement-breakpoint
GRANT USAGE ON SEQUENCE "partner_signing_secrets_id_seq" TO adclick_web;
