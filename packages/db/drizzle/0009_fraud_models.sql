CREATE TABLE "fraud_models" (
	"version" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"params" jsonb NOT NULL,
	"quality" jsonb NOT NULL,
	"training" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"trained_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fraud_model_activations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"version" integer NOT NULL REFERENCES "fraud_models"("version"),
	"activated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_by" text DEFAULT 'cli' NOT NULL
);
--> statement-breakpoint
CREATE INDEX "fraud_model_activations_at_idx" ON "fraud_model_activations" USING btree ("activated_at","id");--> statement-breakpoint
ALTER TABLE "fraud_models" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "fraud_models" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "fraud_models" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_fraud_staff" ON "fraud_models" FOR SELECT TO adclick_web USING (
  current_setting('adclick.role', true) IN ('analyst', 'admin')
);--> statement-breakpoint
ALTER TABLE "fraud_model_activations" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "fraud_model_activations" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "owner_all" ON "fraud_model_activations" TO CURRENT_USER USING (true) WITH CHECK (true);--> statement-breakpoint
CREATE POLICY "web_fraud_staff" ON "fraud_model_activations" FOR SELECT TO adclick_web USING (
  current_setting('adclick.role', true) IN ('analyst', 'admin')
);
