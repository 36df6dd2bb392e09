/**
 * Brings up the product: a throwaway test stack (own database, Redis db, topic
 * prefix, lake folder), seeded demo data, `adclick run` on its own ingest port
 * and the dashboard on its own web port, both on that stack (so the demo logins
 * work and the dashboard shows what the pipeline counts). Tests read what they
 * need from the environment this sets.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestStack } from "../test/stack";

const root = join(import.meta.dirname, "..");
const adclick = join(root, "apps/pipeline/bin/adclick.mjs");
const ingestPort = process.env.E2E_INGEST_PORT ?? "18080";
const webPort = process.env.E2E_WEB_PORT ?? "3100";
/** The pipeline's ops port (/metrics), apart from the public ingest port. */
const opsPort = process.env.E2E_OPS_PORT ?? String(Number(ingestPort) + 1);

export default async function globalSetup(): Promise<() => Promise<void>> {
  const stack = await createTestStack();
  const keysFile = join(stack.lakeDir, "demo-partner-keys.json");
  const env = { ...process.env, ...stack.env, INGEST_PORT: ingestPort };

  const seed = spawnSync("node", [adclick, "seed", "--keys-file", keysFile], {
    env,
    encoding: "utf8",
  });
  if (seed.status !== 0) throw new Error(`adclick seed failed: ${seed.stderr}`);

  const pipeline: ChildProcess = spawn(
    "node",
    [adclick, "run", "--roles", "ingest,aggregate,review-sink", "--ops-port", opsPort],
    {
      env: { ...env, LOG_LEVEL: "info" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  // The pipeline's log is kept beside the report, for reading after a failure.
  mkdirSync(join(import.meta.dirname, ".report"), { recursive: true });
  const log = createWriteStream(join(import.meta.dirname, ".report", "pipeline.log"));
  let stderr = "";
  pipeline.stderr?.on("data", (chunk) => {
    log.write(chunk);
    stderr = (stderr + chunk).slice(-4000);
  });
  await waitForReady(`http://127.0.0.1:${ingestPort}/readyz`, pipeline, () => stderr);

  // The dashboard (building it first when its build is stale), on the same stack.
  const web: ChildProcess = spawn("npm", ["run", "-w", "@adclick/web", "serve"], {
    cwd: root,
    env: {
      ...env,
      WEB_PORT: webPort,
      WEB_OPS_PORT: String(Number(webPort) + 1),
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const webLog = createWriteStream(join(import.meta.dirname, ".report", "web.log"));
  let webOutput = "";
  for (const stream of [web.stdout, web.stderr]) {
    stream?.on("data", (chunk) => {
      webLog.write(chunk);
      webOutput = (webOutput + chunk).slice(-4000);
    });
  }
  const stopWeb = async () => {
    if (web.exitCode === null && web.pid) {
      // npm, the serve script and `next start` form one process group.
      process.kill(-web.pid, "SIGTERM");
      await new Promise((resolve) => web.once("exit", resolve));
    }
  };
  const stopPipeline = async () => {
    if (pipeline.exitCode === null) {
      pipeline.kill("SIGTERM");
      await new Promise((resolve) => pipeline.once("exit", resolve));
    }
  };
  try {
    await waitForReady(`http://127.0.0.1:${webPort}/login`, web, () => webOutput, 600_000);
  } catch (error) {
    await stopWeb();
    await stopPipeline();
    await stack.cleanup();
    throw error;
  }

  const keys = JSON.parse(readFileSync(keysFile, "utf8")) as {
    partners: Array<{ partner_id: string; api_key: string }>;
  };
  process.env.E2E_INGEST_URL = `http://127.0.0.1:${ingestPort}`;
  process.env.E2E_OPS_URL = `http://127.0.0.1:${opsPort}`;
  process.env.E2E_REDIS_URL = stack.env.REDIS_URL;
  process.env.E2E_DATABASE_URL = stack.env.DATABASE_URL;
  process.env.E2E_PARTNER_ID = keys.partners[0]!.partner_id;
  process.env.E2E_PARTNER_KEY = keys.partners[0]!.api_key;

  return async () => {
    await stopWeb();
    await stopPipeline();
    await stack.cleanup();
  };
}

async function waitForReady(
  url: string,
  child: ChildProcess,
  log: () => string,
  timeoutMs = 120_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited early: ${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the server was not ready at ${url}: ${log()}`);
}
