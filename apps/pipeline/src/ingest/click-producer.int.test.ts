/**
 * The ingest's producer under failed sends (issue 14, defect 2), on real Kafka,
 * with failures injected through the producer's transport seam (click-producer.ts).
 */
import { topicName } from "@adclick/shared";
import { signClickToken } from "@adclick/shared/click-token";
import type { Producer, ProducerBatch } from "kafkajs";
import type { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { ProduceError, type ProduceTransport } from "./click-producer";
import type { IngestComponent } from "./ingest-server";
import {
  click,
  postClicks,
  readTopic,
  seedPartnerAndCampaigns,
  startTestIngest,
} from "./test-support";

/** What the next produce requests do; "ok" passes them to Kafka. */
type Fault = "ok" | "fail" | "wedge" | { partialKey: string } | { droppedKey: string };

let stack: TestStack;
let ingest: IngestComponent | null = null;
let url: string;
let apiKey: string;
let registry: Registry;
const faults: Fault[] = [];
const producersSeen: Producer[] = [];

const transport: ProduceTransport = async (producer, batch, messages) => {
  producersSeen.push(producer);
  const fault = faults.shift() ?? "ok";
  if (fault === "ok") return producer.sendBatch(batch);
  if (fault === "fail") throw new Error("injected: produce failed");
  if (fault === "wedge")
    throw Object.assign(
      new Error("injected: The broker received an out of order sequence number"),
      {
        type: "OUT_OF_ORDER_SEQUENCE_NUMBER",
      },
    );
  if ("droppedKey" in fault)
    // What kafkajs 2.2 does when a partition's leader moves, mid-send, to a broker that already
    // answered for other partitions: it resolves without ever sending that partition's messages.
    return producer.sendBatch({
      ...batch,
      topicMessages: batch.topicMessages!.map((t) => ({
        ...t,
        messages: t.messages.filter((m) => m.key !== fault.droppedKey),
      })),
    });
  // A multi-partition send of which only the partition of one key was written.
  const kept: ProducerBatch = {
    ...batch,
    topicMessages: batch.topicMessages!.map((t) => ({
      ...t,
      messages: t.messages.filter((m) => m.key === fault.partialKey),
    })),
  };
  await producer.sendBatch(kept);
  throw new ProduceError(
    "injected: one partition failed",
    messages.filter((m) => m.key === fault.partialKey),
  );
};

const rawIds = async () =>
  (await readTopic(stack.config.KAFKA_BROKERS, topicName(stack.topicPrefix, "raw"))).map(
    (r) => JSON.parse(r.value).event_id as string,
  );

beforeAll(async () => {
  stack = await createTestStack();
  apiKey = await seedPartnerAndCampaigns(stack.config.DATABASE_URL, ["pa", "pb", "pc", "pd"], {
    name: "producer",
    rateLimitPerSec: 1_000_000,
  });
  ({ ingest, url, registry } = await startTestIngest(
    stack.config,
    {},
    { produceTransport: transport },
  ));
});

afterAll(async () => {
  await ingest?.stop();
  await stack?.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Posts until a 202, for at most 20 s: while a failed producer's replacement
 * connects, the ingest answers 503 without sending (its bounded answer).
 */
async function postUntilAccepted(events: ReturnType<typeof click>[]): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { status } = await postClicks(url, apiKey, events);
    if (status !== 503 || Date.now() > deadline) return status;
    await sleep(100);
  }
}

/** /readyz once it turns 200, or its last answer after 20 s. */
async function readyzOnceReplaced(readyz: () => Promise<number>): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = await readyz();
    if (status === 200 || Date.now() > deadline) return status;
    await sleep(100);
  }
}

describe("ClickProducer after a failed send", () => {
  it("sends the next batch with a fresh producer, and that batch's 202 events are in Kafka", async () => {
    faults.push("fail");
    const failedBatch = [click("pa"), click("pb")];
    const failed = await postClicks(url, apiKey, failedBatch);
    expect(failed.status).toBe(503);
    const failedWith = producersSeen.at(-1);
    const next = [click("pa"), click("pb")];
    const ok = await postClicks(url, apiKey, next);
    expect(ok.status).toBe(202);
    expect(ok.body.accepted).toBe(2);
    expect(producersSeen.at(-1)).not.toBe(failedWith);
    const ids = await rawIds();
    for (const e of next) expect(ids.filter((id) => id === e.event_id)).toHaveLength(1);
    // The failed send released its claims: the partner's retry is produced, not a duplicate.
    const retry = await postClicks(url, apiKey, failedBatch);
    expect(retry.body).toMatchObject({ accepted: 2, duplicates: 0 });
  });

  it("still redirects when the click cannot be produced, and counts it as unrecorded", async () => {
    const token = signClickToken(stack.config.APP_SECRET, {
      campaignId: "pa",
      adId: "ad-1",
      partnerId: "partner-x",
      landingUrl: "https://example.com/landing",
      expiresAtSeconds: Math.floor(Date.now() / 1000) + 600,
    });
    const unrecorded = async () =>
      (await registry.getSingleMetric("adclick_ingest_redirects_unrecorded_total")?.get())
        ?.values[0]?.value ?? 0;
    expect(await unrecorded()).toBe(0);
    faults.push("fail");
    const res = await fetch(`${url}/c/${token}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://example.com/landing");
    expect(await unrecorded()).toBe(1);
    const receipt = res.headers.get("x-request-id");
    expect((await rawIds()).includes(receipt!)).toBe(false);
  });

  it("a partly failed multi-partition send keeps the marks of the events that were written", async () => {
    const batch = [click("pa"), click("pb"), click("pc"), click("pd")];
    faults.push({ partialKey: "pa" });
    const first = await postClicks(url, apiKey, batch);
    expect(first.status).toBe(503);
    // The retry waits for the failed producer's replacement (until then the ingest answers 503).
    expect(await readyzOnceReplaced(async () => (await fetch(`${url}/readyz`)).status)).toBe(200);
    const retry = await postClicks(url, apiKey, batch);
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ accepted: 3, duplicates: 1 });
    const ids = await rawIds();
    for (const e of batch) expect(ids.filter((id) => id === e.event_id)).toHaveLength(1);
  });

  it("does not acknowledge events of a send that resolved without a response for their partition", async () => {
    const batch = [click("pa"), click("pb")];
    faults.push({ droppedKey: "pa" });
    const first = await postClicks(url, apiKey, batch);
    expect(first.status).toBe(503);
    expect((await rawIds()).some((id) => id === batch[0]!.event_id)).toBe(false);
    expect(await readyzOnceReplaced(async () => (await fetch(`${url}/readyz`)).status)).toBe(200);
    // The written event's mark is kept, the dropped one's claim released: the retry produces it.
    const retry = await postClicks(url, apiKey, batch);
    expect(retry.status).toBe(202);
    expect(retry.body).toMatchObject({ accepted: 1, duplicates: 1 });
    const ids = await rawIds();
    for (const e of batch) expect(ids.filter((id) => id === e.event_id)).toHaveLength(1);
  });

  it("reports a wedged producer as not ready on /readyz until a send succeeds", async () => {
    const readyz = async () => (await fetch(`${url}/readyz`)).status;
    expect(await readyz()).toBe(200);
    faults.push("wedge");
    expect((await postClicks(url, apiKey, [click("pa")])).status).toBe(503);
    expect(await readyz()).toBe(503);
    expect(await postUntilAccepted([click("pa")])).toBe(202);
    expect(await readyz()).toBe(200);
  });

  it("turns not ready after three failed sends in a row", async () => {
    const readyz = async () => (await fetch(`${url}/readyz`)).status;
    faults.push("fail", "fail", "fail");
    for (let i = 0; i < 3; i++) {
      // Ready again once the failed producer's replacement has connected.
      expect(await readyzOnceReplaced(readyz)).toBe(200);
      expect((await postClicks(url, apiKey, [click("pb")])).status).toBe(503);
    }
    // After the third failure it stays not ready, replaced or not, until a send succeeds.
    await sleep(1000);
    expect(await readyz()).toBe(503);
    expect(faults).toEqual([]);
    expect(await postUntilAccepted([click("pb")])).toBe(202);
    expect(await readyz()).toBe(200);
  });
});
