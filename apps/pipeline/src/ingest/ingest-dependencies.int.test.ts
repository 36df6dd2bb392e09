/**
 * Redis or Postgres down gives 503 with Retry-After at the ingest, not 500 or a
 * hang. Each fault goes to a server of the test's own: a redis-server on its own
 * port, and a TCP proxy of its own in front of the machine's Postgres.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import type { IngestComponent } from "./ingest-server";
import {
  click,
  freePort,
  postClicks,
  seedPartnerAndCampaigns,
  startTestIngest,
} from "./test-support";

let stack: TestStack;
let ingest: IngestComponent | null = null;
let redis: ChildProcess | null = null;
let proxy: Server | null = null;
const proxied = new Set<Socket>();
const redisDir = mkdtempSync(join(tmpdir(), "adclick-test-redis-"));

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      redisDir,
    ],
    { stdio: "ignore" },
  );
  for (const started = Date.now(); Date.now() - started < 10_000; ) {
    const up = await new Promise<boolean>((resolve) => {
      const s = tcpConnect(port, "127.0.0.1", () => {
        s.destroy();
        resolve(true);
      }).once("error", () => resolve(false));
    });
    if (up) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("redis-server did not start");
}

/** A TCP proxy to `target` that can drop every connection and refuse new ones. */
async function startProxy(port: number, target: { host: string; port: number }): Promise<Server> {
  const server = createServer((client) => {
    const upstream = tcpConnect(target.port, target.host);
    proxied.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once("error", end).once("close", end);
    upstream.once("error", end).once("close", end);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}

beforeAll(async () => {
  stack = await createTestStack();
});

afterAll(async () => {
  await ingest?.stop().catch(() => undefined);
  if (redis && redis.exitCode === null) redis.kill("SIGKILL");
  proxy?.close();
  for (const s of proxied) s.destroy();
  await stack?.cleanup();
  rmSync(redisDir, { recursive: true, force: true });
});

it("answers 503 with Retry-After while Redis is down, then 202 again, and while Postgres is unreachable", async () => {
  const apiKey = await seedPartnerAndCampaigns(stack.config.DATABASE_URL, ["dep-cmp"], {
    name: "deps",
    rateLimitPerSec: 1_000_000,
  });
  const redisPort = await freePort();
  redis = await startRedis(redisPort);
  const db = new URL(stack.config.DATABASE_URL);
  const proxyPort = await freePort();
  proxy = await startProxy(proxyPort, { host: db.hostname, port: Number(db.port || 5432) });
  db.hostname = "127.0.0.1";
  db.port = String(proxyPort);
  let url: string;
  ({ ingest, url } = await startTestIngest(
    { ...stack.config, REDIS_URL: `redis://127.0.0.1:${redisPort}/0`, DATABASE_URL: db.toString() },
    { keyCacheTtlMs: 200, campaignCacheTtlMs: 200 },
  ));
  expect((await postClicks(url, apiKey, [click("dep-cmp")])).status).toBe(202);

  redis.kill("SIGKILL");
  await new Promise((r) => redis!.once("exit", r));
  const whileRedisDown = await postClicks(url, apiKey, [click("dep-cmp")]);
  expect(whileRedisDown.status).toBe(503);
  expect(whileRedisDown.retryAfter).not.toBeNull();
  expect(whileRedisDown.body.error).toMatch(/unavailable|overloaded/);

  redis = await startRedis(redisPort);
  let again = await postClicks(url, apiKey, [click("dep-cmp")]);
  for (const started = Date.now(); again.status !== 202 && Date.now() - started < 20_000; ) {
    await new Promise((r) => setTimeout(r, 200));
    again = await postClicks(url, apiKey, [click("dep-cmp")]);
  }
  expect(again.status).toBe(202);

  proxy.close();
  for (const s of proxied) s.destroy();
  await new Promise((r) => setTimeout(r, 400)); // past the key and campaign caches
  const whileDbDown = await postClicks(url, apiKey, [click("dep-cmp")]);
  expect(whileDbDown.status).toBe(503);
  expect(whileDbDown.retryAfter).toBe("2");
  expect(whileDbDown.body.error).toBe(
    "a backing service is unavailable; nothing was accepted, retry shortly",
  );
}, 90_000);
