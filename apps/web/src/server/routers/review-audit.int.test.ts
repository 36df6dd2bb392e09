/**
 * The audit trail as the dashboard reads it: the analysts' bulk decision writes
 * one row per click, and a row rewritten behind the web's back (by the database
 * owner, with the append-only guard switched off) comes back marked tampered.
 */
import { connectDb, type DbConnection } from "@adclick/db/client";
import { insertReviewItems } from "@adclick/db/queries";
import { WEB_DB_ROLE } from "@adclick/db/scope";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../../test/stack";
import { createCaller } from "../root";

let stack: TestStack;
let owner: DbConnection;
let web: DbConnection;

const analyst = () =>
  createCaller({
    session: { user: { id: 3, email: "ana@example.com", role: "analyst", advertiserId: null } },
    db: web.db,
    source: "test",
  });

beforeAll(async () => {
  stack = await createTestStack();
  owner = connectDb(stack.config.DATABASE_URL, { max: 2 });
  web = connectDb(stack.config.DATABASE_URL, { max: 2, role: WEB_DB_ROLE });
  await insertReviewItems(
    owner.db,
    ["a1", "a2", "a3"].map((eventId) => ({
      partnerId: "p1",
      eventId,
      campaignId: "c1",
      advertiserId: "acme",
      clickTs: new Date("2026-12-01T09:00:00Z"),
      risk: 0.5,
      reasons: ["datacenter_ip"],
      click: { event_id: eventId },
    })),
  );
}, 60_000);

afterAll(async () => {
  await web?.close();
  await owner?.close();
  await stack?.cleanup();
});

describe("review.audit", () => {
  it("shows each decision with before and after, and marks a tampered row", async () => {
    const keys = ["a1", "a2", "a3"].map((eventId) => ({ partnerId: "p1", eventId }));
    expect(await analyst().review.decide({ keys, verdict: "fraud", note: "farm" })).toEqual({
      decided: 3,
    });
    const intact = await analyst().review.audit({ area: "review" });
    expect(intact.broken).toEqual([]);
    expect(intact.rows.map((r) => [r.subject, r.actor, r.problem])).toEqual([
      ["review:p1/a3", "ana@example.com", null],
      ["review:p1/a2", "ana@example.com", null],
      ["review:p1/a1", "ana@example.com", null],
    ]);
    expect(intact.rows[0]!.detail).toEqual({
      before: { status: "pending", decidedBy: null, note: null },
      after: { status: "fraud", decidedBy: "ana@example.com", note: "farm" },
    });
    expect(intact.rows[0]).not.toHaveProperty("hash");

    const target = intact.rows[1]!;
    await owner.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
      await tx.execute(sql`update audit_log set actor = 'someone-else' where id = ${target.id}`);
      await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    });
    const after = await analyst().review.audit({ area: "review" });
    expect(after.broken).toEqual([{ id: target.id, problem: "content" }]);
    expect(after.rows.map((r) => [r.id, r.problem])).toEqual([
      [intact.rows[0]!.id, null],
      [target.id, "content"],
      [intact.rows[2]!.id, null],
    ]);
  });
});
