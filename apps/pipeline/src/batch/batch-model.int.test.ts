import { connectDb, type DbConnection } from "@adclick/db/client";
import {
  activateFraudModel,
  createAdvertiser,
  createCampaign,
  decideReviewItem,
  insertFraudModel,
  insertReviewItems,
  listBillingDay,
} from "@adclick/db/queries";
import { FEATURE_NAMES, isoDay, type LogisticModelParams } from "@adclick/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { featureRows, labelledDay } from "../fraud/labelled-examples";
import { trainLogistic } from "../fraud/train-logistic";
import { encodeClicks } from "../lake/click-parquet";
import { FileLakeStore } from "../lake/file-lake-store";
import { segmentFileKey } from "../lake/lake-layout";
import { createLogger } from "../runtime/logger";
import { runBatch } from "./batch-job";

const DAY_MS = Date.UTC(2026, 1, 10);
const DAY = isoDay(DAY_MS);
const CAMPAIGNS = Array.from({ length: 4 }, (_, i) => ({ id: `bm-c${i}`, cpcMicros: 100_000 }));

/** A model that calls every click invalid: shows which model a run used. */
const FLAG_ALL: LogisticModelParams = {
  kind: "logistic_regression",
  features: [...FEATURE_NAMES],
  weights: FEATURE_NAMES.map(() => 0),
  intercept: 10,
};

describe("nightly batch with a trained model", () => {
  let stack: TestStack;
  let conn: DbConnection;
  let lake: FileLakeStore;

  beforeAll(async () => {
    stack = await createTestStack();
    conn = connectDb(stack.config.DATABASE_URL, { max: 3 });
    lake = new FileLakeStore(stack.lakeDir);
    await createAdvertiser(conn.db, { id: "bm-adv", name: "Model" });
    for (const c of CAMPAIGNS)
      await createCampaign(conn.db, {
        id: c.id,
        advertiserId: "bm-adv",
        cpcMicros: c.cpcMicros,
        name: c.id,
        landingUrl: "https://example.com/",
      });
  });

  afterAll(async () => {
    await conn?.close();
    await stack?.cleanup();
  });

  it("scores the day with the model active for it, so a re-run after a newer activation bills the same; analysts still override", async () => {
    const sim = { durationSec: 2 * 3600, ratePerSec: 1, campaigns: CAMPAIGNS };
    const day = labelledDay(31, { dayStartMs: DAY_MS + 3600_000, ...sim }).map((e) => ({
      ...e,
      click: { ...e.click, advertiser_id: "bm-adv" },
    }));
    const records = day.map((e) => e.click);
    const byKey = new Map<string, typeof records>();
    for (const r of records) {
      const key = segmentFileKey("raw", r.ts, 0, "0", String(records.length - 1));
      byKey.set(key, [...(byKey.get(key) ?? []), r]);
    }
    for (const [key, rs] of byKey) await lake.put(key, encodeClicks(rs));
    const deps = { db: conn.db, pool: conn.pool, lake, logger: createLogger("silent"), threads: 1 };
    const fraudOf = async () =>
      (await listBillingDay(conn.db, DAY))
        .filter((r) => r.dimension === "all")
        .reduce((n, r) => n + r.fraudClicks, 0);

    // No model yet: the rules alone (declared bots are fraud; farms, slow bots … are not caught).
    const rulesOnly = await runBatch(deps, DAY);
    expect(rulesOnly.modelVersion).toBeNull();
    const rulesFraud = await fraudOf();
    const truthFraud = day.filter((e) => e.label === 1).length;
    expect(rulesFraud).toBeLessThan(truthFraud * 0.5);

    // A model trained on another seed's day, activated before the day ended.
    const train = labelledDay(32, { dayStartMs: DAY_MS - 86_400_000, ...sim });
    const params = trainLogistic(
      featureRows(train.map((e) => e.click)).vectors,
      train.map((e) => e.label),
      { steps: 200 },
    );
    const v1 = await insertFraudModel(conn.db, { kind: params.kind, params, quality: {} });
    await activateFraudModel(conn.db, v1, "test", new Date(DAY_MS));
    const withModel = await runBatch(deps, DAY);
    expect(withModel.modelVersion).toBe(v1);
    const modelFraud = await fraudOf();
    expect(modelFraud).toBeGreaterThan(truthFraud * 0.8);
    expect(modelFraud).toBeLessThan(truthFraud * 1.05);

    // A newer model activated after the day: a re-run still uses v1 and bills the same.
    const v2 = await insertFraudModel(conn.db, {
      kind: FLAG_ALL.kind,
      params: FLAG_ALL,
      quality: {},
    });
    await activateFraudModel(conn.db, v2, "test", new Date(DAY_MS + 2 * 86_400_000));
    const rerun = await runBatch(deps, DAY);
    expect(rerun.modelVersion).toBe(v1);
    expect(rerun.rows).toEqual(withModel.rows);

    // An analyst's verdict overrides the model: a click the model called fraud, decided clean.
    // (A farm click well into the day: the farm's history has built up by then.)
    const flaggedValid = day.filter((e) => e.source === "click-farm")[200]!.click;
    await insertReviewItems(conn.db, [
      {
        partnerId: flaggedValid.partner_id,
        eventId: flaggedValid.event_id,
        campaignId: flaggedValid.campaign_id,
        advertiserId: flaggedValid.advertiser_id,
        clickTs: new Date(flaggedValid.ts),
        risk: 0.9,
        reasons: ["model:v1"],
        click: flaggedValid as unknown as Record<string, unknown>,
      },
    ]);
    await decideReviewItem(conn.db, {
      partnerId: flaggedValid.partner_id,
      eventId: flaggedValid.event_id,
      status: "clean",
      actor: "analyst@test",
    });
    await runBatch(deps, DAY);
    expect(await fraudOf()).toBe(modelFraud - 1);
  }, 300_000);
});
