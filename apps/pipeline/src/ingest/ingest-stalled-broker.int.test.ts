import { connectDb } from "@adclick/db/client";
import { createAdvertiser, createCampaign, createPartner } from "@adclick/db/queries";
import { topicName } from "@adclick/shared";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { createLogger } from "../runtime/logger";
import { createRegistry } from "../runtime/metrics";
import type { OpsState } from "../runtime/ops-routes";
import { createIngestComponent, type IngestComponent } from "./ingest-server";
import { click, pidListeningOn, readTopic } from "./test-support";

// Pauses the broker itself (SIGSTOP): integration test files run one at a time, so no other
// test shares the pause.
let stack: TestStack;
let ingest: IngestComponent | null = null;
let brokerPid: number | null = null;

beforeAll(async () => {
  stack = await createTestStack();
});

afterAll(async () => {
  if (brokerPid !== null) process.kill(brokerPid, "SIGCONT");
  await ingest?.stop();
  await stack?.cleanup();
});

async function post(url: string, apiKey: string, body: unknown) {
  const res = await fetch(`${url}/v1/clicks`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
  });
  return {
    status: res.status,
    retryAfter: res.headers.get("retry-after"),
    body: (await res.json()) as { accepted?: number; duplicates?: number; error?: string },
  };
}

it("a broker that does not acknowledge in time gets 503s, and the late write is never produced twice", async () => {
  const conn = connectDb(stack.config.DATABASE_URL, { max: 1 });
  await createAdvertiser(conn.db, { id: "adv", name: "adv" });
  await createCampaign(conn.db, {
    id: "cmp",
    advertiserId: "adv",
    name: "cmp",
    cpcMicros: 1000,
    landingUrl: "https://example.com/",
  });
  const { apiKey } = await createPartner(conn.db, { name: "slow", rateLimitPerSec: 1_000_000 });
  await conn.close();

  const registry = createRegistry();
  const ops: OpsState = { components: [], registry, shuttingDown: false };
  ingest = createIngestComponent(stack.config, {
    logger: createLogger("silent"),
    registry,
    ops,
    options: { port: 0, host: "127.0.0.1", sendDeadlineMs: 1_000 },
  });
  ops.components = [ingest];
  await ingest.start();
  const url = `http://127.0.0.1:${ingest.port()}`;
  const batch = Array.from({ length: 5 }, () => click("cmp"));
  expect((await post(url, apiKey, [click("cmp")])).status).toBe(202);

  const brokerPort = Number(stack.config.KAFKA_BROKERS[0]!.split(":").pop());
  const pid = pidListeningOn(brokerPort);
  expect(pid, `no process listens on the broker's port ${brokerPort}`).not.toBeNull();
  brokerPid = pid;
  process.kill(pid!, "SIGSTOP");
  try {
    const late = await post(url, apiKey, batch);
    expect(late.status).toBe(503);
    expect(late.retryAfter).toBe("10");
    expect(late.body.error).toMatch(/did not acknowledge in time/);
    // The write is still in flight: a retry meets its pending claims instead of producing again.
    const meanwhile = await post(url, apiKey, batch);
    expect(meanwhile.status).toBe(503);
    expect(meanwhile.body.error).toMatch(/being written by another request/);
  } finally {
    process.kill(pid!, "SIGCONT");
    brokerPid = null;
  }

  // Once Kafka answers, the claims are settled; a retry then reports what was written.
  let retry = await post(url, apiKey, batch);
  for (const started = Date.now(); retry.status === 503 && Date.now() - started < 45_000; ) {
    await new Promise((r) => setTimeout(r, 250));
    retry = await post(url, apiKey, batch);
  }
  // The paused second is far inside kafkajs's request timeout, so the write succeeded late.
  expect(retry.status).toBe(202);
  expect(retry.body).toMatchObject({ accepted: 0, duplicates: batch.length });

  const ids = new Set(batch.map((e) => e.event_id as string));
  const written = (
    await readTopic(stack.config.KAFKA_BROKERS, topicName(stack.topicPrefix, "raw"))
  ).filter((r) => ids.has(JSON.parse(r.value).event_id));
  expect(written.map((r) => JSON.parse(r.value).event_id).sort()).toEqual([...ids].sort());
});
