-- The analysts' workspace: a hash-chained, append-only audit trail, decisions and
-- blocklist changes from the web role, and blocklist entries that expire.
ALTER TABLE "audit_log" ADD COLUMN "prev_hash" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "hash" text;--> statement-breakpoint
-- A row's hash: sha256 of the previous row's hash and the row's canonical content
-- (id, time in UTC to the microsecond, actor, action, subject, detail as jsonb text,
-- whose key order jsonb fixes).
CREATE FUNCTION audit_log_row_hash(prev text, id bigint, at timestamptz, actor text, action text, subject text, detail jsonb)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(
    coalesce(prev, '') || E'\n' || id::text || E'\n' ||
    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || E'\n' ||
    actor || E'\n' || action || E'\n' || subject || E'\n' || detail::text, 'UTF8')), 'hex')
$$;--> statement-breakpoint
-- Rows are chained in id order. The lock serialises writers until commit, and the id
-- is drawn after it, so id order is the order rows joined the chain.
CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(7242004);
  NEW.id := nextval(pg_get_serial_sequence('audit_log', 'id'));
  NEW.at := coalesce(NEW.at, now());
  NEW.prev_hash := (SELECT "hash" FROM "audit_log" ORDER BY "id" DESC LIMIT 1);
  NEW.hash := audit_log_row_hash(NEW.prev_hash, NEW.id, NEW.at, NEW.actor, NEW.action, NEW.subject, NEW.detail);
  RETURN NEW;
END
$$;--> statement-breakpoint
DO $$
DECLARE r record; prev text := NULL;
BEGIN
  FOR r IN SELECT * FROM "audit_log" ORDER BY "id" LOOP
    UPDATE "audit_log" SET "prev_hash" = prev,
      "hash" = audit_log_row_hash(prev, r.id, r.at, r.actor, r.action, r.subject, r.detail)
      WHERE "id" = r.id RETURNING "hash" INTO prev;
  END LOOP;
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_chain" BEFORE INSERT ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_chain();--> statement-breakpoint
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();--> statement-breakpoint
-- Rows whose link or content no longer matches the chain, in id order: empty when intact.
CREATE FUNCTION audit_log_verify() RETURNS TABLE(id bigint, problem text) LANGUAGE sql STABLE AS $$
  SELECT c.id, CASE WHEN c.prev_hash IS DISTINCT FROM c.expected_prev THEN 'link' ELSE 'content' END
  FROM (
    SELECT a.id, a.prev_hash, a.hash,
      lag(a.hash) OVER (ORDER BY a.id) AS expected_prev,
      audit_log_row_hash(a.prev_hash, a.id, a.at, a.actor, a.action, a.subject, a.detail) AS expected_hash
    FROM "audit_log" a
  ) c
  WHERE c.prev_hash IS DISTINCT FROM c.expected_prev OR c.hash IS DISTINCT FROM c.expected_hash
  ORDER BY c.id
$$;--> statement-breakpoint
GRANT INSERT ON "audit_log" TO adclick_web;--> statement-breakpoint
GRANT USAGE ON SEQUENCE "audit_log_id_seq" TO adclick_web;--> statement-breakpoint
GRANT UPDATE ("status", "decided_by", "decided_at", "note") ON "review_queue" TO adclick_web;--> statement-breakpoint
CREATE POLICY "web_decide" ON "review_queue" FOR UPDATE TO adclick_web USING (
  current_setting('adclick.role', true) IN ('analyst', 'admin')
) WITH CHECK (
  current_setting('adclick.role', true) IN ('analyst', 'admin')
);--> statement-breakpoint
ALTER TABLE "blocklist" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
GRANT INSERT, UPDATE ("removed_at") ON "blocklist" TO adclick_web;--> statement-breakpoint
GRANT USAGE ON SEQUENCE "blocklist_id_seq" TO adclick_web;
