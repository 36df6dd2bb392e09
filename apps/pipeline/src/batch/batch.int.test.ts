import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { connectDb, type DbConnection } from "@adclick/db/client";
import {
  addBlocklistEntry,
  createAdvertiser,
  createCampaign,
  decideReviewItem,
  insertReviewItems,
  listBatchRuns,
  listBillingDay,
} from "@adclick/db/queries";
import { type ClickRecord, type Device, dimensionsOf } from "@adclick/shared";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { encodeClicks } from "../lake/click-parquet";
import { FileLakeStore } from "../lake/file-lake-store";
import { segmentFileKey } from "../lake/lake-layout";
import { createLogger } from "../runtime/logger";
import { runBatch } from "./batch-job";

const DAY = "2026-01-31";
const DAY_MS = Date.UTC(2026, 0, 31);
const BOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const BROWSER_UA =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const DEVICES: Device[] = ["mobile", "desktop", "tablet", "other"];
const CAMPAIGNS = [
  { id: "cmp-a", advertiserId: "adv-1", cpcMicros: 250_000 },
  { id: "cmp-b", advertiserId: "adv-1", cpcMicros: 400_000 },
  { id: "cmp-c", advertiserId: "adv-2", cpcMicros: 1_000_000 },
];

type Label = "clean" | "suspicious" | "fraud";
interface Truth {
  record: ClickRecord;
  label: Label;
}

let n = 0;
function click(over: Partial<ClickRecord> & { ts: number }): ClickRecord {
  n++;
  const campaign = CAMPAIGNS[n % CAMPAIGNS.length]!;
  return {
    event_id: `ev-${n}`,
    partner_id: `partner-${n % 2}`,
    campaign_id: campaign.id,
    advertiser_id: campaign.advertiserId,
    ad_id: `ad-${n % 5}`,
    user_id: `user-${n % 37}`,
    ip: `10.1.${n % 50}.${n % 200}`,
    user_agent: BROWSER_UA,
    received_at: over.ts + 500,
    country: n % 5 === 0 ? null : ["US", "DE", "FR"][n % 3]!,
    device: DEVICES[n % 4]!,
    publisher_id: null,
    referrer: null,
    cost_micros: campaign.cpcMicros,
    ...over,
  };
}

/**
 * A day with every kind of click the batch must handle, and the verdict each
 * one must get. Returns the lake files (as record lists) and the ground truth.
 */
function scenario() {
  const truth: Truth[] = [];
  const files: Array<{ partition: number; first: number; records: ClickRecord[] }> = [];
  const normal: ClickRecord[] = [];
  for (let i = 0; i < 600; i++) normal.push(click({ ts: DAY_MS + i * 137_000 }));
  for (const r of normal) truth.push({ record: r, label: "clean" });
  // Declared bots: fraud.
  const bots = Array.from({ length: 20 }, (_, i) =>
    click({ ts: DAY_MS + 3_600_000 + i * 1000, user_agent: BOT_UA }),
  );
  for (const r of bots) truth.push({ record: r, label: "fraud" });
  // A blocklisted IP: fraud.
  const blocked = Array.from({ length: 15 }, (_, i) =>
    click({ ts: DAY_MS + 7_200_000 + i * 5000, ip: "203.0.113.9" }),
  );
  for (const r of blocked) truth.push({ record: r, label: "fraud" });
  // An IP flood: 150 clicks in one minute from one IP, different users: the 50 past the
  // 100th are suspicious (counted), the first 100 clean.
  const flood = Array.from({ length: 150 }, (_, i) =>
    click({ ts: DAY_MS + 10 * 3_600_000 + i * 300, ip: "198.18.0.77", user_id: `flood-user-${i}` }),
  );
  for (const [i, r] of flood.entries())
    truth.push({ record: r, label: i < 100 ? "clean" : "suspicious" });
  // 100 clicks in one minute from another IP is not over the limit: clean.
  const edge = Array.from({ length: 100 }, (_, i) =>
    click({ ts: DAY_MS + 11 * 3_600_000 + i * 500, ip: "198.18.0.88", user_id: `edge-user-${i}` }),
  );
  for (const r of edge) truth.push({ record: r, label: "clean" });
  // A user flood: 150 clicks in one minute by one user, each from its own IP: the last 50 suspicious.
  const userFlood = Array.from({ length: 150 }, (_, i) =>
    click({ ts: DAY_MS + 12 * 3_600_000 + i * 300, ip: `10.9.${i}.1`, user_id: "flood-user" }),
  );
  for (const [i, r] of userFlood.entries())
    truth.push({ record: r, label: i < 100 ? "clean" : "suspicious" });
  // 100 clicks in one minute by another user is not over the limit either: clean.
  const userEdge = Array.from({ length: 100 }, (_, i) =>
    click({ ts: DAY_MS + 13 * 3_600_000 + i * 500, ip: `10.8.${i}.1`, user_id: "edge-user" }),
  );
  for (const r of userEdge) truth.push({ record: r, label: "clean" });
  files.push({ partition: 0, first: 0, records: [...normal.slice(0, 300), ...bots, ...blocked] });
  files.push({
    partition: 1,
    first: 0,
    records: [...normal.slice(300), ...flood, ...edge, ...userFlood, ...userEdge],
  });
  // Duplicates: events sent again later (a retry): only the first copy counts. Resent copies
  // of the two edge minutes must not push them over the limit (110 copies, 100 clicks).
  const dupes = [...normal.slice(0, 40), ...edge.slice(0, 10), ...userEdge.slice(0, 10)].map(
    (r) => ({ ...r, received_at: r.received_at + 60_000 }),
  );
  files.push({ partition: 0, first: 1000, records: dupes });
  // Late events: clicks of the day that arrived the next morning, in a later file.
  const late = Array.from({ length: 30 }, (_, i) =>
    click({ ts: DAY_MS + 23 * 3_600_000 + i * 1000, received_at: DAY_MS + 30 * 3_600_000 }),
  );
  for (const r of late) truth.push({ record: r, label: "clean" });
  files.push({ partition: 2, first: 5000, records: late });
  // Neighbouring days: never in this day's bill.
  files.push({
    partition: 2,
    first: 6000,
    records: [click({ ts: DAY_MS - 1000 }), click({ ts: DAY_MS + 86_400_000 })],
  });
  return { truth, files, bots, flood, copies: dupes.length };
}

function expectedRows(truth: Truth[]) {
  const groups = new Map<
    string,
    {
      campaignId: string;
      advertiserId: string;
      dimension: string;
      clicks: number;
      users: Set<string>;
      costMicros: number;
      fraudClicks: number;
      suspiciousClicks: number;
    }
  >();
  for (const { record, label } of truth) {
    for (const dimension of dimensionsOf(record)) {
      const key = `${record.campaign_id}|${dimension}`;
      let g = groups.get(key);
      if (!g) {
        g = {
          campaignId: record.campaign_id,
          advertiserId: record.advertiser_id,
          dimension,
          clicks: 0,
          users: new Set(),
          costMicros: 0,
          fraudClicks: 0,
          suspiciousClicks: 0,
        };
        groups.set(key, g);
      }
      if (label === "fraud") {
        g.fraudClicks++;
        continue;
      }
      g.clicks++;
      g.users.add(record.user_id);
      g.costMicros += record.cost_micros;
      if (label === "suspicious") g.suspiciousClicks++;
    }
  }
  return [...groups.values()]
    .map(({ users, ...g }) => ({ ...g, uniqueUsers: users.size }))
    .sort((a, b) =>
      a.campaignId === b.campaignId
        ? a.dimension < b.dimension
          ? -1
          : 1
        : a.campaignId < b.campaignId
          ? -1
          : 1,
    );
}

describe("nightly batch", () => {
  let stack: TestStack;
  let conn: DbConnection;
  let lake: FileLakeStore;
  const logger = createLogger("silent");

  beforeAll(async () => {
    stack = await createTestStack();
    conn = connectDb(stack.config.DATABASE_URL, { max: 3 });
    lake = new FileLakeStore(stack.lakeDir);
    await createAdvertiser(conn.db, { id: "adv-1", name: "One" });
    await createAdvertiser(conn.db, { id: "adv-2", name: "Two" });
    for (const c of CAMPAIGNS)
      await createCampaign(conn.db, { ...c, name: c.id, landingUrl: "https://example.com/" });
  });

  afterAll(async () => {
    await conn?.close();
    await stack?.cleanup();
  });

  it("bills a day with duplicates, bots, IP and user floods, late events and analyst verdicts exactly, and a re-run gives identical rows", async () => {
    const { truth, files, bots, flood, copies } = scenario();
    for (const f of files) {
      const byKey = new Map<string, ClickRecord[]>();
      for (const r of f.records) {
        const key = segmentFileKey(
          "raw",
          r.ts,
          f.partition,
          String(f.first),
          String(f.first + f.records.length - 1),
        );
        byKey.set(key, [...(byKey.get(key) ?? []), r]);
      }
      for (const [key, records] of byKey) await lake.put(key, encodeClicks(records));
    }
    await addBlocklistEntry(conn.db, {
      kind: "ip",
      value: "203.0.113.9",
      reason: "test",
      actor: "test",
    });
    // Analysts: 10 flagged flood clicks are fraud, 5 bot clicks are clean, 5 flagged flood clicks stay pending.
    const review = [...flood.slice(100, 115), ...bots.slice(0, 5)];
    await insertReviewItems(
      conn.db,
      review.map((r) => ({
        partnerId: r.partner_id,
        eventId: r.event_id,
        campaignId: r.campaign_id,
        advertiserId: r.advertiser_id,
        clickTs: new Date(r.ts),
        risk: 0.5,
        reasons: ["test"],
        click: r as unknown as Record<string, unknown>,
      })),
    );
    const decide = async (r: ClickRecord, status: "clean" | "fraud") => {
      await decideReviewItem(conn.db, {
        partnerId: r.partner_id,
        eventId: r.event_id,
        status,
        actor: "analyst@test",
      });
      truth.find((t) => t.record.event_id === r.event_id)!.label = status;
    };
    for (const r of flood.slice(100, 110)) await decide(r, "fraud");
    for (const r of bots.slice(0, 5)) await decide(r, "clean");

    const deps = { db: conn.db, pool: conn.pool, lake, logger, threads: 1, memoryLimit: "256MB" };
    const first = await runBatch(deps, DAY);
    expect(first.eventsIn).toBe(truth.length + copies);
    expect(first.duplicates).toBe(copies);
    expect(first.fraudRemoved).toBe(truth.filter((t) => t.label === "fraud").length);

    const strip = (rows: Awaited<ReturnType<typeof listBillingDay>>) =>
      rows.map(({ computedAt: _c, batchRunId: _b, day: _d, ...r }) => r);
    const billed = strip(await listBillingDay(conn.db, DAY));
    expect(billed).toEqual(expectedRows(truth));
    expect(first.rowsOut).toBe(billed.length);

    const second = await runBatch(deps, DAY);
    expect(strip(await listBillingDay(conn.db, DAY))).toEqual(billed);
    expect(second.runId).not.toBe(first.runId);
    const runs = await listBatchRuns(conn.db);
    expect(runs.filter((r) => r.day === DAY && r.status === "succeeded")).toHaveLength(2);
    expect(runs[0]).toMatchObject({
      eventsIn: first.eventsIn,
      duplicates: copies,
      fraudRemoved: first.fraudRemoved,
      rowsOut: billed.length,
    });
  });

  it("scores a click without an IP or a user agent with what it has, never throws", async () => {
    // A file of an older writer, whose ip and user_agent columns may be null.
    const day = "2026-02-04";
    const ts = Date.UTC(2026, 1, 4, 9);
    const key = segmentFileKey("raw", ts, 0, "0", "2");
    const path = join(stack.lakeDir, key);
    await mkdir(dirname(path), { recursive: true });
    const duck = await DuckDBInstance.create(":memory:", { threads: "1" });
    const dc = await duck.connect();
    await dc.run(`copy (
      select *, ts + 50 as received_at, 250000::bigint as cost_micros, 'desktop' as device,
             'US' as country
      from (values
        ('n-1', 'partner-0', 'cmp-a', 'adv-1', 'ad-1', 'u1', null, '${BROWSER_UA}', ${ts}::bigint),
        ('n-2', 'partner-0', 'cmp-a', 'adv-1', 'ad-1', 'u2', '10.3.0.1', null, ${ts + 1}::bigint),
        ('n-3', 'partner-0', 'cmp-a', 'adv-1', 'ad-1', 'u3', '10.3.0.2', '${BROWSER_UA}', ${ts + 2}::bigint)
      ) t(event_id, partner_id, campaign_id, advertiser_id, ad_id, user_id, ip, user_agent, ts)
    ) to '${path}' (format parquet)`);
    dc.closeSync();
    duck.closeSync();
    const r = await runBatch({ db: conn.db, pool: conn.pool, lake, logger, threads: 1 }, day);
    expect(r).toMatchObject({ eventsIn: 3, fraudRemoved: 0 });
    const all = (await listBillingDay(conn.db, day)).find((b) => b.dimension === "all");
    // No user agent is "missing_user_agent" (risk 0.3): suspicious, counted.
    expect(all).toMatchObject({
      campaignId: "cmp-a",
      clicks: 3,
      suspiciousClicks: 1,
      fraudClicks: 0,
    });
  });

  it("bills an empty day as no rows and records the run", async () => {
    const r = await runBatch(
      { db: conn.db, pool: conn.pool, lake, logger, threads: 1 },
      "2026-02-02",
    );
    expect(r).toMatchObject({ eventsIn: 0, rowsOut: 0, files: 0 });
    expect(await listBillingDay(conn.db, "2026-02-02")).toEqual([]);
  });
});
