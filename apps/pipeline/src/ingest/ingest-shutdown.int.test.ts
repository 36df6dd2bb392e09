import { type ChildProcess, spawn } from "node:child_process";
import { request } from "node:http";
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

/** One POST on a connection of its own (no keep-alive reuse racing the server's close). */
function postOnNewConnection(
  port: number,
  apiKey: string,
  body: string,
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/v1/clicks",
        method: "POST",
        agent: false,
        headers: {
          authorization: `Bearer ${apiKey}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on("error", (err) =>
          resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }),
        );
      },
    );
    req.on("error", (err) =>
      resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }),
    );
    req.end(body);
  });
}

it("on SIGTERM under load, every in-flight request gets 202 or 503 and the topic holds exactly the events that got a 202", async () => {
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
  const opsPort = await freePort();
  const base = `http://127.0.0.1:${port}`;
  child = spawn(
    process.execPath,
    ["apps/pipeline/bin/adclick.mjs", "ingest", "--ops-port", String(opsPort)],
    {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        ...stack.env,
        INGEST_PORT: String(port),
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
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

  // /metrics is on the ops port, not on the public one.
  expect((await fetch(`${base}/metrics`)).status).toBe(404);
  const opsMetrics = await fetch(`http://127.0.0.1:${opsPort}/metrics`);
  expect(opsMetrics.status).toBe(200);
  expect(await opsMetrics.text()).toContain("adclick_ingest_requests_total");

  const acknowledged = new Set<string>();
  const statuses = new Map<string, number>();
  const partialAccepts: number[] = [];
  /** Errors other than a refused connection: a request the server took and did not answer. */
  const lostRequests: string[] = [];
  let sigtermAt = Number.POSITIVE_INFINITY;
  /** Requests sent before SIGTERM and answered after it: the in-flight ones. */
  let answeredAcrossSigterm = 0;
  let exitedFlag = false;
  let lateRefusals = 0;
  const worker = async () => {
    while (!exitedFlag) {
      const batch = Array.from({ length: 20 }, (_, i) => click(`c${i % 4}`));
      const sentAt = Date.now();
      const result = await postOnNewConnection(port, apiKey, JSON.stringify(batch));
      if ("error" in result) {
        // A request in flight at SIGTERM must be answered. One sent later may meet the closing
        // listener (refused, or reset from the accept queue): the server never took it.
        if (sentAt < sigtermAt) lostRequests.push(result.error);
        else lateRefusals++;
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      statuses.set(String(result.status), (statuses.get(String(result.status)) ?? 0) + 1);
      if (sentAt < sigtermAt && Date.now() > sigtermAt) answeredAcrossSigterm++;
      if (result.status === 202) {
        const accepted = (JSON.parse(result.body) as { accepted?: number }).accepted;
        if (accepted !== 20) partialAccepts.push(accepted ?? -1);
        for (const e of batch) acknowledged.add(e.event_id as string);
      }
    }
  };
  const workers = Array.from({ length: 6 }, worker);
  // Under load: SIGTERM once requests are flowing.
  while ((statuses.get("202") ?? 0) < 20) await new Promise((r) => setTimeout(r, 20));
  sigtermAt = Date.now();
  child.kill("SIGTERM");
  const code = await exited;
  exitedFlag = true;
  await Promise.all(workers);

  expect(code, stderr).toBe(0);
  expect(lostRequests).toEqual([]);
  expect([...statuses.keys()].sort()).toEqual(
    [...statuses.keys()].filter((s) => s === "202" || s === "503").sort(),
  );
  expect(answeredAcrossSigterm).toBeGreaterThan(0);
  // The workers kept sending until the process was gone.
  expect(lateRefusals).toBeGreaterThan(0);
  expect(partialAccepts).toEqual([]);
  expect(acknowledged.size).toBeGreaterThanOrEqual(20 * 20);
  const inTopic = (
    await readTopic(stack.config.KAFKA_BROKERS, topicName(stack.topicPrefix, "raw"))
  ).map((r) => JSON.parse(r.value).event_id as string);
  expect(new Set(inTopic).size).toBe(inTopic.length);
  expect(inTopic.length).toBe(acknowledged.size);
  for (const id of inTopic) expect(acknowledged.has(id)).toBe(true);
});
