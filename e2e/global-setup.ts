/**
 * Brings up the product for the API project: a throwaway test stack (own
 * database, Redis db, topic prefix, lake folder), seeded demo data and
 * `adclick run` on its own ingest port. Tests read what they need from the
 * environment this sets.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestStack } from "../test/stack";

const root = join(import.meta.dirname, "..");
const adclick = join(root, "apps/pipeline/bin/adclick.mjs");
const ingestPort = process.env.E2E_INGEST_PORT ?? "18080";

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
    [adclick, "run", "--roles", "ingest,aggregate,review-sink"],
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

  const keys = JSON.parse(readFileSync(keysFile, "utf8")) as {
    partners: Array<{ partner_id: string; api_key: string }>;
  };
  process.env.E2E_INGEST_URL = `http://127.0.0.1:${ingestPort}`;
  process.env.E2E_REDIS_URL = stack.env.REDIS_URL;
  process.env.E2E_PARTNER_ID = keys.partners[0]!.partner_id;
  process.env.E2E_PARTNER_KEY = keys.partners[0]!.api_key;

  return async () => {
    if (pipeline.exitCode === null) {
      pipeline.kill("SIGTERM");
      await new Promise((resolve) => pipeline.once("exit", resolve));
    }
    await stack.cleanup();
  };
}

async function waitForReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 120_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`adclick run exited early: ${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`adclick run was not ready at ${url}: ${log()}`);
}
