-- Invoices: draft -> issued -> paid, numbered without gaps at issue, with their
-- lines in their own table so the database can freeze them once issued.
ALTER TABLE "invoices" ADD COLUMN "status" text DEFAULT 'draft' NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_status_check" CHECK ("status" IN ('draft', 'issued', 'paid'));--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "number" integer;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "created_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ADD COLUMN "paid_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "invoices" ALTER COLUMN "issued_at" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "invoices" ALTER COLUMN "issued_at" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "invoices" ALTER COLUMN "lines" SET DEFAULT '[]'::jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_number_idx" ON "invoices" USING btree ("number");--> statement-breakpoint
CREATE TABLE "invoice_counter" (
	"id" boolean PRIMARY KEY DEFAULT true CHECK ("id"),
	"last_number" integer NOT NULL
);--> statement-breakpoint
INSERT INTO "invoice_counter" ("id", "last_number") VALUES (true, 0);--> statement-breakpoint
CREATE TABLE "invoice_lines" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"invoice_id" bigint NOT NULL REFERENCES "invoices"("id"),
	"kind" text NOT NULL CHECK ("kind" IN ('usage', 'credit', 'debit')),
	"campaign_id" text NOT NULL,
	"day" date,
	"cause" text,
	"clicks" bigint NOT NULL,
	"invalid_clicks" bigint NOT NULL,
	"price_per_click_micros" bigint NOT NULL,
	"cost_micros" bigint NOT NULL,
	"amount_micros" bigint NOT NULL
);--> statement-breakpoint
CREATE INDEX "invoice_lines_invoice_idx" ON "invoice_lines" USING btree ("invoice_id");--> statement-breakpoint
-- What each invoice charged per (day, campaign), as signed deltas: the sum over
-- issued invoices is what has been invoiced for that day, so an adjustment is
-- "billed now minus that sum" and a re-bill with the same result adds nothing.
CREATE TABLE "invoice_basis" (
	"invoice_id" bigint NOT NULL REFERENCES "invoices"("id"),
	"day" date NOT NULL,
	"campaign_id" text NOT NULL,
	"clicks" bigint NOT NULL,
	"cost_micros" bigint NOT NULL,
	"fraud_clicks" bigint NOT NULL,
	PRIMARY KEY ("invoice_id", "day", "campaign_id")
);--> statement-breakpoint
CREATE INDEX "invoice_basis_day_idx" ON "invoice_basis" USING btree ("campaign_id", "day");--> statement-breakpoint
-- Lines and basis of an issued (or paid) invoice never change, whoever asks.
CREATE FUNCTION "invoice_children_frozen"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  s text;
BEGIN
  SELECT "status" INTO s FROM "invoices"
    WHERE "id" = (CASE WHEN TG_OP = 'INSERT' THEN NEW."invoice_id" ELSE OLD."invoice_id" END);
  IF s IS DISTINCT FROM 'draft' THEN
    RAISE EXCEPTION 'invoice % is %: its lines are frozen',
      (CASE WHEN TG_OP = 'INSERT' THEN NEW."invoice_id" ELSE OLD."invoice_id" END), s
      USING ERRCODE = 'check_violation';
  END IF;
  IF TG_OP = 'UPDATE' AND NEW."invoice_id" <> OLD."invoice_id" THEN
    RAISE EXCEPTION 'invoice lines cannot move between invoices' USING ERRCODE = 'check_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;--> statement-breakpoint
CREATE TRIGGER "invoice_lines_frozen" BEFORE INSERT OR UPDATE OR DELETE ON "invoice_lines"
  FOR EACH ROW EXECUTE FUNCTION "invoice_children_frozen"();--> statement-breakpoint
CREATE TRIGGER "invoice_basis_frozen" BEFORE INSERT OR UPDATE OR DELETE ON "invoice_basis"
  FOR EACH ROW EXECUTE FUNCTION "invoice_children_frozen"();--> statement-breakpoint
-- An issued invoice keeps its amounts, number and period; it may only become paid.
CREATE FUNCTION "invoice_frozen"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD."status" <> 'draft' THEN
      RAISE EXCEPTION 'invoice % is %: it cannot be deleted', OLD."id", OLD."status" USING ERRCODE = 'check_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD."status" <> 'draft' AND (
    NEW."advertiser_id" <> OLD."advertiser_id" OR NEW."month" <> OLD."month"
    OR NEW."clicks" <> OLD."clicks" OR NEW."total_micros" <> OLD."total_micros"
    OR NEW."lines" <> OLD."lines" OR NEW."number" IS DISTINCT FROM OLD."number"
    OR NEW."issued_at" IS DISTINCT FROM OLD."issued_at"
  ) THEN
    RAISE EXCEPTION 'invoice % is %: it is frozen', OLD."id", OLD."status" USING ERRCODE = 'check_violation';
  END IF;
  IF NOT (NEW."status" = OLD."status"
    OR (OLD."status" = 'draft' AND NEW."status" = 'issued')
    OR (OLD."status" = 'issued' AND NEW."status" = 'paid')) THEN
    RAISE EXCEPTION 'invoice % cannot go from % to %', OLD."id", OLD."status", NEW."status" USING ERRCODE = 'check_violation';
  END IF;
  IF NEW."status" <> 'draft' AND NEW."number" IS NULL THEN
    RAISE EXCEPTION 'an issued invoice needs its number' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER "invoices_frozen" BEFORE UPDATE OR DELETE ON "invoices"
  FOR EACH ROW EXECUTE FUNCTION "invoice_frozen"();--> statement-breakpoint
-- Row-level security as on the other tenant tables: the web sees an invoice's
-- lines when it sees the invoice (the subquery is itself filtered by RLS).
ALTER TABLE "invoice_lines" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "invoice_lines" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "invoice_lines" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_tenant" ON "invoice_lines" FOR SELECT TO adclick_web USING (
  EXISTS (SELECT 1 FROM "invoices" i WHERE i."id" = "invoice_id")
);--> statement-breakpoint
CREATE POLICY "web_finance_insert" ON "invoice_lines" FOR INSERT TO adclick_web WITH CHECK (
  current_setting('adclick.role', true) IN ('finance', 'admin')
);--> statement-breakpoint
ALTER TABLE "invoice_basis" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "invoice_basis" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "invoice_basis" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_staff" ON "invoice_basis" FOR SELECT TO adclick_web USING (
  current_setting('adclick.role', true) IN ('finance', 'admin')
);--> statement-breakpoint
CREATE POLICY "web_finance_insert" ON "invoice_basis" FOR INSERT TO adclick_web WITH CHECK (
  current_setting('adclick.role', true) IN ('finance', 'admin')
);--> statement-breakpoint
CREATE POLICY "web_finance_insert" ON "invoices" FOR INSERT TO adclick_web WITH CHECK (
  current_setting('adclick.role', true) IN ('finance', 'admin')
);--> statement-breakpoint
CREATE POLICY "web_finance_update" ON "invoices" FOR UPDATE TO adclick_web USING (
  current_setting('adclick.role', true) IN ('finance', 'admin')
) WITH CHECK (
  current_setting('adclick.role', true) IN ('finance', 'admin')
);--> statement-breakpoint
ALTER TABLE "invoice_counter" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "invoice_counter" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "invoice_counter" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_finance" ON "invoice_counter" TO adclick_web USING (
  current_setting('adclick.role', true) IN ('finance', 'admin')
);--> statement-breakpoint
-- Finance issues and marks paid from the dashboard: exactly these writes, no
-- UPDATE or DELETE on lines (and the triggers above refuse them anyway).
GRANT SELECT ON "invoice_lines", "invoice_basis", "invoice_counter" TO adclick_web;--> statement-breakpoint
GRANT INSERT ON "invoices", "invoice_lines", "invoice_basis" TO adclick_web;--> statement-breakpoint
GRANT UPDATE ("status", "number", "issued_at", "paid_at", "clicks", "total_micros", "lines") ON "invoices" TO adclick_web;--> statement-breakpoint
GRANT UPDATE ("last_number") ON "invoice_counter" TO adclick_web;--> statement-breakpoint
GRANT USAGE ON SEQUENCE "invoices_id_seq", "invoice_lines_id_seq" TO adclick_web;
