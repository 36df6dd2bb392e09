import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { connectDb } from "@adclick/db/client";
import { createAdvertiser, createCampaign, createPartner } from "@adclick/db/queries";
import { topicName } from "@adclick/shared";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { click, freePort, readTopic } from "./test-support";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));
let stack: TestStack;
let child: ChildProcess | null = null;

beforeAll(async () => {
  stack = await createTestStack();
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await stack?.cleanup();
});

it("on SIGTERM under load, the topic holds exactly the events that got a 202", async () => {
  const conn = connectDb(stack.config.DATABASE_URL, { max: 1 });
  await createAdvertiser(conn.db, { id: "adv", name: "adv" });
  for (let i = 0; i < 4; i++)
    await createCampaign(conn.db, {
      id: `c${i}`,
      advertiserId: "adv",
      name: `c${i}`,
      cpcMicros: 1000,
      landingUrl: "https://example.com/",
    });
  const { apiKey } = await createPartner(conn.db, { name: "load", rateLimitPerSec: 1_000_000 });
  await conn.close();

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ["apps/pipeline/bin/adclick.mjs", "ingest"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      ...stack.env,
      INGEST_PORT: String(port),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) =>
    child!.once("exit", (code) => resolve(code)),
  );

  const started = Date.now();
  for (;;) {
    if (Date.now() - started > 60_000) throw new Error(`ingest did not become ready: ${stderr}`);
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  const acknowledged = new Set<string>();
  const statuses = new Map<string, number>();
  const partialAccepts: number[] = [];
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const batch = Array.from({ length: 20 }, (_, i) => click(`c${i % 4}`));
      try {
        const res = await fetch(`${base}/v1/clicks`, {
          method: "POST",
          body: JSON.stringify(batch),
          headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        });
        const body = (await res.json()) as { accepted?: number };
        statuses.set(String(res.status), (statuses.get(String(res.status)) ?? 0) + 1);
        if (res.status === 202) {
          if (body.accepted !== 20) partialAccepts.push(body.accepted ?? -1);
          for (const e of batch) acknowledged.add(e.event_id as string);
        }
      } catch {
        // Connection refused or reset once the server has closed: nothing was acknowledged.
        statuses.set("error", (statuses.get("error") ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const workers = Array.from({ length: 6 }, worker);
  await new Promise((r) => setTimeout(r, 1_500));
  child.kill("SIGTERM");
  const code = await exited;
  await new Promise((r) => setTimeout(r, 300));
  stop = true;
  await Promise.all(workers);

  expect(code, stderr).toBe(0);
  expect(partialAccepts).toEqual([]);
  expect(acknowledged.size).toBeGreaterThan(0);
  const inTopic = (
    await readTopic(stack.config.KAFKA_BROKERS, topicName(stack.topicPrefix, "raw"))
  ).map((r) => JSON.parse(r.value).event_id as string);
  expect(new Set(inTopic).size).toBe(inTopic.length);
  expect(inTopic.length).toBe(acknowledged.size);
  for (const id of inTopic) expect(acknowledged.has(id)).toBe(true);
});
