/**
 * A produce that Kafka does not acknowledge in time. The stall is injected in
 * the producer's transport seam (click-producer.ts) of this test's own ingest:
 * the request to the broker is held, then sent, as a broker that froze and came
 * back would answer it. No shared server is paused.
 */
import { topicName } from "@adclick/shared";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import type { ProduceTransport } from "./click-producer";
import type { IngestComponent } from "./ingest-server";
import {
  click,
  postClicks,
  readTopic,
  seedPartnerAndCampaigns,
  startTestIngest,
} from "./test-support";

let stack: TestStack;
let ingest: IngestComponent | null = null;
let resume: (() => void) | null = null;
let stall: Promise<void> | null = null;

const stallingTransport: ProduceTransport = async (producer, batch) => {
  if (stall) await stall;
  return producer.sendBatch(batch);
};

beforeAll(async () => {
  stack = await createTestStack();
});

afterAll(async () => {
  resume?.();
  await ingest?.stop();
  await stack?.cleanup();
});

it("a broker that does not acknowledge in time gets 503s, and the late write is never produced twice", async () => {
  const apiKey = await seedPartnerAndCampaigns(stack.config.DATABASE_URL, ["cmp"], {
    name: "slow",
    rateLimitPerSec: 1_000_000,
  });
  let url: string;
  ({ ingest, url } = await startTestIngest(
    stack.config,
    { sendDeadlineMs: 1_000 },
    { produceTransport: stallingTransport },
  ));
  const batch = Array.from({ length: 5 }, () => click("cmp"));
  expect((await postClicks(url, apiKey, [click("cmp")])).status).toBe(202);

  stall = new Promise<void>((r) => {
    resume = r;
  });
  const late = await postClicks(url, apiKey, batch);
  expect(late.status).toBe(503);
  expect(late.retryAfter).toBe("10");
  expect(late.body.error).toMatch(/did not acknowledge in time/);
  // The write is still in flight: a retry meets its pending claims instead of producing again.
  const meanwhile = await postClicks(url, apiKey, batch);
  expect(meanwhile.status).toBe(503);
  expect(meanwhile.body.error).toMatch(/being written by another request/);
  stall = null;
  resume!();

  // Once Kafka answers, the claims are settled; a retry then reports what was written.
  let retry = await postClicks(url, apiKey, batch);
  for (const started = Date.now(); retry.status === 503 && Date.now() - started < 45_000; ) {
    await new Promise((r) => setTimeout(r, 250));
    retry = await postClicks(url, apiKey, batch);
  }
  expect(retry.status).toBe(202);
  expect(retry.body).toMatchObject({ accepted: 0, duplicates: batch.length });

  const ids = new Set(batch.map((e) => e.event_id as string));
  const written = (
    await readTopic(stack.config.KAFKA_BROKERS, topicName(stack.topicPrefix, "raw"))
  ).filter((r) => ids.has(JSON.parse(r.value).event_id));
  expect(written.map((r) => JSON.parse(r.value).event_id).sort()).toEqual([...ids].sort());
});
