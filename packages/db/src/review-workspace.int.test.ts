import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../test/stack";
import { connectDb, type DbConnection } from "./client";
import { writeAudit } from "./queries/audit";
import { readActiveBlocklist } from "./queries/blocklist";
import { addBlocklistEntry, listBlocklistEntries } from "./queries/blocklist-admin";
import { decideReviewItem, insertReviewItems, type NewReviewItem } from "./queries/review-queue";
import {
  decideReviewItems,
  listAuditTrail,
  listReviewQueue,
  verifyAuditChain,
} from "./queries/review-workspace";
import { staffScope, WEB_DB_ROLE, withStaffScope } from "./scope";

let stack: TestStack;
let owner: DbConnection;
let web: DbConnection;

const item = (eventId: string, over: Partial<NewReviewItem> = {}): NewReviewItem => ({
  partnerId: "partner-1",
  eventId,
  campaignId: "camp-1",
  advertiserId: "acme",
  clickTs: new Date("2026-11-30T10:00:00Z"),
  risk: 0.5,
  reasons: ["datacenter_ip"],
  click: { event_id: eventId },
  ...over,
});

beforeAll(async () => {
  stack = await createTestStack();
  owner = connectDb(stack.config.DATABASE_URL, { max: 2 });
  web = connectDb(stack.config.DATABASE_URL, { max: 2, role: WEB_DB_ROLE });
  await insertReviewItems(owner.db, [
    item("e1"),
    item("e2", { risk: 0.65, reasons: ["burst", "datacenter_ip"] }),
    item("e3", { campaignId: "camp-2", partnerId: "partner-2" }),
    item("e4", { clickTs: new Date("2026-12-01T03:00:00Z"), risk: 0.35, reasons: ["ua_rotation"] }),
  ]);
}, 120_000);

afterAll(async () => {
  await web?.close();
  await owner?.close();
  await stack?.cleanup();
});

describe("the review workspace's queries", () => {
  it("filter the queue by campaign, partner, reason, score range and day", async () => {
    const ids = async (f: Parameters<typeof listReviewQueue>[1]) =>
      (await listReviewQueue(owner.db, f)).map((r) => r.eventId).sort();
    expect(await ids({})).toEqual(["e1", "e2", "e3", "e4"]);
    expect(await ids({ campaignId: "camp-2" })).toEqual(["e3"]);
    expect(await ids({ partnerId: "partner-1" })).toEqual(["e1", "e2", "e4"]);
    expect(await ids({ reason: "burst" })).toEqual(["e2"]);
    expect(await ids({ minRisk: 0.4, maxRisk: 0.6 })).toEqual(["e1", "e3"]);
    expect(await ids({ day: "2026-12-01" })).toEqual(["e4"]);
  });

  it("decide in bulk as the web role, one audit row per click with before and after", async () => {
    const staff = staffScope("analyst");
    const keys = ["e1", "e2", "e3"].map((eventId, i) => ({
      partnerId: i === 2 ? "partner-2" : "partner-1",
      eventId,
    }));
    const decided = await withStaffScope(web.db, staff, (tx) =>
      decideReviewItems(tx, { keys, status: "fraud", actor: "ana@example.com", note: "dc farm" }),
    );
    expect(decided).toHaveLength(3);
    const trail = await withStaffScope(web.db, staff, (tx) =>
      listAuditTrail(tx, { actionPrefix: "review." }),
    );
    expect(trail.map((r) => r.subject).sort()).toEqual([
      "review:partner-1/e1",
      "review:partner-1/e2",
      "review:partner-2/e3",
    ]);
    expect(trail[0]!.detail).toEqual({
      before: { status: "pending", decidedBy: null, note: null },
      after: { status: "fraud", decidedBy: "ana@example.com", note: "dc farm" },
    });
    expect((await listReviewQueue(owner.db, {})).map((r) => r.eventId)).toEqual(["e4"]);
  });

  it("write a single decision's audit row the way the bulk one does", async () => {
    await insertReviewItems(owner.db, [item("e9", { partnerId: "partner-9" })]);
    const row = await decideReviewItem(owner.db, {
      partnerId: "partner-9",
      eventId: "e9",
      status: "clean",
      actor: "cli",
      note: "known crawler test",
    });
    expect(row).toMatchObject({ status: "clean", decidedBy: "cli", note: "known crawler test" });
    const [audit] = await listAuditTrail(owner.db, { limit: 1 });
    expect(audit).toMatchObject({ action: "review.decide", subject: "review:partner-9/e9" });
    expect(audit!.detail).toEqual({
      before: { status: "pending", decidedBy: null, note: null },
      after: { status: "clean", decidedBy: "cli", note: "known crawler test" },
    });
    expect(
      await decideReviewItem(owner.db, {
        partnerId: "partner-9",
        eventId: "missing",
        status: "fraud",
        actor: "cli",
      }),
    ).toBeNull();
  });

  it("refuse a decision from the web role without a staff scope", async () => {
    const decided = await web.db.transaction((tx) =>
      decideReviewItems(tx, {
        keys: [{ partnerId: "partner-1", eventId: "e4" }],
        status: "clean",
        actor: "nobody",
      }),
    );
    expect(decided).toEqual([]);
  });

  it("keep the trail append-only and show a tampered row", async () => {
    await writeAudit(owner.db, { actor: "cli", action: "test.note", subject: "test:1" });
    const analyst = staffScope("analyst");
    expect(await withStaffScope(web.db, analyst, (tx) => verifyAuditChain(tx))).toEqual([]);
    const [row] = await listAuditTrail(owner.db, { limit: 1 });
    await expect(
      web.db.execute(sql`update audit_log set actor = 'x' where id = ${row!.id}`),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/permission denied/) } });
    await expect(
      owner.db.execute(sql`delete from audit_log where id = ${row!.id}`),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/append-only/) } });
    const target = (await listAuditTrail(owner.db, { actionPrefix: "review." })).at(-1)!;
    // Someone with the owner's power switches the guard off and rewrites a decision.
    await owner.db.transaction(async (tx) => {
      await tx.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
      await tx.execute(
        sql`update audit_log set detail = jsonb_set(detail, '{after,status}', '"clean"') where id = ${target.id}`,
      );
      await tx.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    });
    expect(await withStaffScope(web.db, analyst, (tx) => verifyAuditChain(tx))).toEqual([
      { id: target.id, problem: "content" },
    ]);
  });

  it("let blocklist entries expire", async () => {
    await withStaffScope(web.db, staffScope("analyst"), (tx) =>
      addBlocklistEntry(tx, {
        kind: "ip",
        value: "203.0.113.9",
        reason: "farm",
        actor: "ana@example.com",
      }),
    );
    await addBlocklistEntry(owner.db, {
      kind: "cidr",
      value: "198.51.100.0/24",
      reason: "old",
      actor: "cli",
      expiresAt: new Date(Date.now() - 1000),
    });
    expect((await readActiveBlocklist(owner.db)).map((e) => e.value)).toEqual(["203.0.113.9"]);
    expect(
      (await withStaffScope(web.db, staffScope("admin"), (tx) => listBlocklistEntries(tx))).map(
        (e) => e.createdBy,
      ),
    ).toEqual(["ana@example.com"]);
  });

  it("give the web role no blocklist or audit trail outside an analyst's or admin's scope", async () => {
    expect(await listBlocklistEntries(web.db)).toEqual([]);
    expect(await listAuditTrail(web.db)).toEqual([]);
    await expect(
      addBlocklistEntry(web.db, { kind: "ip", value: "192.0.2.50", reason: "x", actor: "x" }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/row-level security/) } });
    await expect(
      withStaffScope(web.db, staffScope("finance"), (tx) =>
        writeAudit(tx, { actor: "fin@example.com", action: "test.note", subject: "test:2" }),
      ),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/row-level security/) } });
    expect(
      await withStaffScope(web.db, staffScope("finance"), (tx) => listBlocklistEntries(tx)),
    ).toEqual([]);
  });
});
