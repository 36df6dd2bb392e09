/**
 * The workspace's model report as an analyst reads it through the web's
 * database role: the active model's stored held-out quality, and its quality
 * on the decisions analysts made since it was trained, counted by hand here.
 */
import { connectDb, type DbConnection } from "@adclick/db/client";
import { activateFraudModel, insertFraudModel, insertReviewItems } from "@adclick/db/queries";
import { WEB_DB_ROLE } from "@adclick/db/scope";
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

const heldOut = {
  examples: 1000,
  positives: 200,
  rocAuc: 0.991,
  at: [
    { threshold: 0.3, tp: 195, fp: 12, tn: 788, fn: 5, precision: 0.942, recall: 0.975 },
    { threshold: 0.7, tp: 180, fp: 2, tn: 798, fn: 20, precision: 0.989, recall: 0.9 },
  ],
};

// Four clicks the model (v1) scored and the analysts then decided, one the rules alone flagged.
const scored = [
  { eventId: "m1", risk: 0.9, reasons: ["model:v1"], verdict: "fraud" },
  { eventId: "m2", risk: 0.8, reasons: ["model:v1", "datacenter_ip"], verdict: "clean" },
  { eventId: "m3", risk: 0.5, reasons: ["model:v1"], verdict: "fraud" },
  { eventId: "m4", risk: 0.2, reasons: ["model:v1"], verdict: "clean" },
  { eventId: "r1", risk: 0.6, reasons: ["datacenter_ip"], verdict: "fraud" },
] as const;

beforeAll(async () => {
  stack = await createTestStack();
  owner = connectDb(stack.config.DATABASE_URL, { max: 2 });
  web = connectDb(stack.config.DATABASE_URL, { max: 2, role: WEB_DB_ROLE });
}, 60_000);

afterAll(async () => {
  await web?.close();
  await owner?.close();
  await stack?.cleanup();
});

describe("review.model", () => {
  it("says no model is active before one is", async () => {
    expect(await analyst().review.model()).toEqual({ active: null, models: [] });
  });

  it("reports the active model held out and on the analysts' decisions since", async () => {
    const version = await insertFraudModel(owner.db, {
      kind: "logistic",
      params: {},
      quality: { ...heldOut, bySource: {} },
    });
    await activateFraudModel(owner.db, version, "test");
    await insertReviewItems(
      owner.db,
      scored.map((s) => ({
        partnerId: "p1",
        eventId: s.eventId,
        campaignId: "c1",
        advertiserId: "acme",
        clickTs: new Date("2026-12-01T09:00:00Z"),
        risk: s.risk,
        reasons: [...s.reasons],
        click: { event_id: s.eventId },
      })),
    );
    for (const verdict of ["fraud", "clean"] as const) {
      const keys = scored
        .filter((s) => s.verdict === verdict)
        .map((s) => ({ partnerId: "p1", eventId: s.eventId }));
      await analyst().review.decide({ keys, verdict });
    }

    const report = await analyst().review.model();
    expect(report.models).toEqual([
      { version, kind: "logistic", trainedAt: expect.any(Date), rocAuc: 0.991 },
    ]);
    expect(report.active?.version).toBe(version);
    expect(report.active?.heldOut).toEqual(heldOut);
    const since = report.active?.sinceTraining;
    // The model's four: fraud scored 0.9 and 0.5, clean 0.8 and 0.2; the rules-only r1 is left out.
    expect(since?.decided).toBe(4);
    expect(since?.positives).toBe(2);
    expect(since?.rocAuc).toBe(0.75);
    expect(since?.at.find((c) => c.threshold === 0.7)).toMatchObject({
      tp: 1,
      fp: 1,
      fn: 1,
      tn: 1,
    });
    expect(since?.at.find((c) => c.threshold === 0.3)).toMatchObject({
      tp: 2,
      fp: 1,
      fn: 0,
      tn: 1,
    });
  });
});
