-- The web role reaches the blocklist and the audit trail only under an analyst's
-- or admin's staff scope (adclick.role, set by withStaffScope): without one it
-- reads nothing and its writes are refused. The migrating role (the pipeline, the
-- CLI) keeps full access through an explicit policy.
ALTER TABLE "blocklist" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "blocklist" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "blocklist" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_staff" ON "blocklist" TO adclick_web USING (
  current_setting('adclick.role', true) IN ('analyst', 'admin')
) WITH CHECK (
  current_setting('adclick.role', true) IN ('analyst', 'admin')
);--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "audit_log" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "audit_log" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_staff_read" ON "audit_log" FOR SELECT TO adclick_web USING (
  current_setting('adclick.role', true) IN ('analyst', 'admin')
);--> statement-breakpoint
CREATE POLICY "web_staff_append" ON "audit_log" FOR INSERT TO adclick_web WITH CHECK (
  current_setting('adclick.role', true) IN ('analyst', 'admin')
);
