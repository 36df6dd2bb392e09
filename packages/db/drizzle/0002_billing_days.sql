-- C11: a day waits for the lake to be complete (run status "waiting"), and a billed
-- day is billed again when the lake gained files for it (the files a run billed).
ALTER TYPE "public"."run_status" ADD VALUE IF NOT EXISTS 'waiting';--> statement-breakpoint
ALTER TABLE "batch_runs" ADD COLUMN IF NOT EXISTS "lake_files" integer;--> statement-breakpoint
ALTER TABLE "batch_runs" ADD COLUMN IF NOT EXISTS "lake_fingerprint" text;
