import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { connectDb } from "@adclick/db/client";
import { activeFraudModel, getFraudModel } from "@adclick/db/queries";
import { type ClickRecord, dayCounterKey, topicName } from "@adclick/shared";
import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import { afterEach, describe, expect, it } from "vitest";
import { scrapeMetric } from "../../../../test/metrics";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { BROWSER_USER_AGENTS } from "../simulate/generate-traffic";

const BIN = resolve(import.meta.dirname, "../../bin/adclick.mjs");
const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let stack: TestStack | null = null;
let redis: Redis | null = null;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  await redis?.quit();
  redis = null;
  await stack?.cleanup();
  stack = null;
});

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const srv = createServer();
    srv.listen(0, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

async function adclick(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...stack!.env },
    maxBuffer: 1 << 24,
  });
  return stdout;
}

/**
 * A click farm's minute: one residential IP, `workers` people on their own
 * browsers, clicking one campaign every second or two — under every
 * hand-written rule's threshold (no list, under 100 a minute), so only the
 * model can catch it.
 */
function farm(tag: string, startMs: number, count: number, workers = 25): ClickRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const b = BROWSER_USER_AGENTS[i % BROWSER_USER_AGENTS.length]!;
    return {
      event_id: `${tag}-${i}`,
      partner_id: "p1",
      campaign_id: "c1",
      advertiser_id: "a1",
      ad_id: "c1-ad1",
      user_id: `${tag}-w${i % workers}`,
      ip: "81.20.30.40",
      user_agent: b.ua,
      ts: startMs + i * 1500,
      received_at: startMs + i * 1500,
      country: "GB",
      device: b.device,
      publisher_id: null,
      referrer: null,
      cost_micros: 100_000,
    };
  });
}

describe("adclick fraud train / activate and a running aggregator", () => {
  it("trains and stores a model with its held-out quality; a running aggregator uses it once activated, without a restart", async () => {
    stack = await createTestStack();
    redis = new Redis(stack.config.REDIS_URL);
    const kafka = new Kafka({
      brokers: stack.config.KAFKA_BROKERS,
      clientId: "model-test",
      logLevel: logLevel.NOTHING,
    });
    const topic = topicName(stack.topicPrefix, "raw");
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] });
    await admin.disconnect();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const produce = (clicks: ClickRecord[]) =>
      producer.send({
        topic,
        acks: -1,
        messages: clicks.map((c) => ({ key: c.campaign_id, value: JSON.stringify(c) })),
      });

    // Train: quality printed, the version alone on the last line, stored but not active.
    const out = await adclick(["fraud", "train", "--seed", "5", "--steps", "200"]);
    expect(out).toMatch(/ROC AUC 0\.9\d+/);
    expect(out).toMatch(
      /at 0\.3: precision [\d.]+ recall [\d.]+ \| confusion tp \d+ fp \d+ fn \d+ tn \d+/,
    );
    expect(out).toMatch(
      /at 0\.7: precision [\d.]+ recall [\d.]+ \| confusion tp \d+ fp \d+ fn \d+ tn \d+/,
    );
    const version = Number(out.trim().split("\n").at(-1));
    expect(Number.isInteger(version)).toBe(true);
    const db = connectDb(stack.config.DATABASE_URL, { max: 1 });
    try {
      const stored = await getFraudModel(db.db, version);
      expect(stored?.kind).toBe("logistic_regression");
      expect((stored?.quality as { rocAuc?: number } | undefined)?.rocAuc).toBeGreaterThan(0.95);
      expect(await activeFraudModel(db.db)).toBeNull();

      // An aggregator runs with the rules alone: the farm's clicks count as clean.
      const port = await freePort();
      const child = spawn(
        process.execPath,
        [BIN, "aggregate", "--ops-port", String(port), "--model-refresh-ms", "500"],
        { env: { ...process.env, ...stack.env }, stdio: ["ignore", "pipe", "pipe"] },
      );
      children.push(child);
      const stderr: string[] = [];
      // The log (either stream) tells when the model was swapped in.
      child.stdout!.on("data", (d: Buffer) => stderr.push(d.toString()));
      child.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
      for (let i = 0; i < 300; i++) {
        if (child.exitCode !== null) throw new Error(`aggregator exited: ${stderr.join("")}`);
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await sleep(200);
      }
      const now = Date.now() - 5 * 60_000;
      const dayKey = dayCounterKey("c1", now, "all");
      const waitFor = async (total: number) => {
        for (let i = 0; i < 300; i++) {
          const [c, f] = await redis!.hmget(dayKey, "clicks", "fraud");
          if (Number(c ?? 0) + Number(f ?? 0) >= total)
            return { clicks: Number(c ?? 0), fraud: Number(f ?? 0) };
          await sleep(200);
        }
        throw new Error(`timed out waiting for ${total} clicks: ${stderr.join("").slice(-2000)}`);
      };
      const modelVersion = () =>
        scrapeMetric(`http://127.0.0.1:${port}`, "adclick_aggregator_fraud_model_version");
      expect(await modelVersion()).toBe(0);
      await produce(farm("before", now, 60));
      expect(await waitFor(60)).toEqual({ clicks: 60, fraud: 0 });

      // Activate; within the refresh the same process scores with the model.
      expect(await adclick(["fraud", "activate", "--version", String(version)])).toContain(
        `model version ${version} is active`,
      );
      expect((await activeFraudModel(db.db))?.version).toBe(version);
      // The same process reports the new version within the refresh (its /metrics).
      for (let i = 0; i < 100 && (await modelVersion()) !== version; i++) await sleep(100);
      expect(await modelVersion()).toBe(version);
      await produce(farm("after", now + 120_000, 60));
      const after = await waitFor(120);
      expect(after.fraud).toBeGreaterThanOrEqual(40);
      expect(child.exitCode).toBeNull();

      // Flagged clicks carry the versions that decided them and the features the model saw.
      const msgs: Array<Record<string, unknown>> = [];
      const consumer = kafka.consumer({ groupId: `${stack.topicPrefix}peek` });
      await consumer.connect();
      await consumer.subscribe({
        topic: topicName(stack.topicPrefix, "fraud"),
        fromBeginning: true,
      });
      await consumer.run({
        eachMessage: async ({ message }) => {
          msgs.push(JSON.parse(message.value!.toString()));
        },
      });
      for (let i = 0; i < 100 && msgs.length < 40; i++) await sleep(200);
      await consumer.disconnect();
      const flagged = msgs.find((m) => String(m.event_id).startsWith("after-"))!;
      expect(flagged.versions).toMatchObject({ rules: "rules-2", model: `v${version}` });
      expect((flagged.features as number[]).length).toBe(14);
      expect(flagged.reasons).toContain(`model:v${version}`);

      // Status names the active model; no analyst has decided its clicks yet.
      const status = await adclick(["fraud", "status"]);
      expect(status).toContain(`model version ${version} active since`);
      expect(status).toContain("no analyst has decided a click it flagged");

      // An unknown version is refused with a reason.
      await expect(adclick(["fraud", "activate", "--version", "999"])).rejects.toMatchObject({
        stderr: expect.stringContaining("there is no model version 999"),
      });
    } finally {
      await producer.disconnect();
      await db.close();
    }
  }, 300_000);
});
