import { writeFile } from "node:fs/promises";
import { connectDb } from "@adclick/db/client";
import {
  type CampaignPricing,
  findPartnerByKeyHash,
  getCampaignPricingByIds,
  hashApiKey,
  listActiveCampaignPricing,
} from "@adclick/db/queries";
import type { Command } from "commander";
import { readDemoPartnerKeys } from "../admin/demo-partner-keys";
import { readConfig } from "../config";
import { generateLabelledTraffic } from "../simulate/fraud-actors";
import { generateTraffic } from "../simulate/generate-traffic";
import { GroundTruth } from "../simulate/ground-truth";
import { sendTraffic } from "../simulate/http-sender";

interface SimulateOptions {
  rate: string;
  duration: string;
  seed: string;
  campaigns?: string;
  partners?: string;
  url?: string;
  truth?: string;
  fraud?: boolean;
  batchSize: string;
  concurrency: string;
  users: string;
  retryRate: string;
  lateRate: string;
  crawlerRate: string;
  floodPerMinute: string;
}

function num(flag: string, value: string, { min = 0, integer = false } = {}): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
    throw new Error(
      `${flag}: expected ${integer ? "an integer" : "a number"} >= ${min}, got "${value}"`,
    );
  return n;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command("simulate")
    .description(
      "Post realistic, seeded click traffic to the ingest at a fixed rate and write the ground truth.",
    )
    .option("--rate <events-per-sec>", "arrival rate, retries included", "50")
    .option("--duration <seconds>", "how long to run; 0 = until SIGINT/SIGTERM", "60")
    .option("--seed <n>", "random seed (same seed, same traffic)", "1")
    .option("--campaigns <ids>", "comma-separated campaign ids (default: every active campaign)")
    .option(
      "--partners <api-keys>",
      "comma-separated partner API keys (default: the demo partners from `adclick seed`)",
    )
    .option("--url <url>", "ingest base URL (default: http://127.0.0.1:$INGEST_PORT)")
    .option(
      "--fraud",
      "add labelled invalid traffic (click farms, click-spam bursts, bots rotating user agents, slow bots, data-centre bots) and humans who click a lot; needs --duration > 0",
    )
    .option("--truth <file>", "write the ground truth JSON here when done")
    .option("--batch-size <n>", "events per request", "50")
    .option("--concurrency <n>", "requests in flight at most", "16")
    .option("--users <n>", "size of the simulated user pool", "5000")
    .option("--retry-rate <share>", "share of events resent with the same event_id", "0.02")
    .option("--late-rate <share>", "share of events arriving 6-45 min late", "0.02")
    .option("--crawler-rate <share>", "share of clicks from declared crawlers", "0.01")
    .option("--flood-per-minute <n>", "clicks per minute from one flooding IP (0 = none)", "150")
    .action(async (opts: SimulateOptions) => {
      const config = readConfig();
      const ratePerSec = num("--rate", opts.rate, { min: 0.001 });
      const durationSec = num("--duration", opts.duration);
      const seed = num("--seed", opts.seed, { integer: true });
      const url = (opts.url ?? `http://127.0.0.1:${config.INGEST_PORT}`).replace(/\/$/, "");

      const conn = connectDb(config.DATABASE_URL, { max: 2, applicationName: "adclick-simulate" });
      let campaigns: CampaignPricing[];
      const apiKeys = new Map<string, string>();
      try {
        if (opts.campaigns) {
          const ids = opts.campaigns
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
          campaigns = await getCampaignPricingByIds(conn.db, ids);
          const missing = ids.filter((id) => !campaigns.some((c) => c.id === id));
          if (missing.length) throw new Error(`unknown campaign(s): ${missing.join(", ")}`);
          campaigns = ids.map((id) => campaigns.find((c) => c.id === id)!);
        } else {
          campaigns = await listActiveCampaignPricing(conn.db);
          if (campaigns.length === 0)
            throw new Error("no active campaigns: run `adclick seed` or pass --campaigns");
        }
        let keys: string[];
        if (opts.partners)
          keys = opts.partners
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
        else {
          const demo = await readDemoPartnerKeys();
          if (!demo)
            throw new Error("no partner keys: pass --partners or run `adclick seed` first");
          keys = demo.partners.map((p) => p.api_key);
        }
        for (const key of keys) {
          const partner = await findPartnerByKeyHash(conn.db, hashApiKey(key));
          if (!partner) throw new Error(`API key ${key.slice(0, 11)}… is unknown or revoked`);
          apiKeys.set(partner.partnerId, key);
        }
      } finally {
        await conn.close();
      }

      const mix = {
        retry: num("--retry-rate", opts.retryRate),
        late: num("--late-rate", opts.lateRate),
        crawler: num("--crawler-rate", opts.crawlerRate),
        floodPerMinute: num("--flood-per-minute", opts.floodPerMinute),
      };
      const traffic = {
        startMs: Date.now(),
        durationSec,
        ratePerSec,
        campaigns: campaigns.map((c) => ({ id: c.id, cpcMicros: c.cpcMicros })),
        partnerIds: [...apiKeys.keys()],
        users: num("--users", opts.users, { min: 1, integer: true }),
        mix,
      };
      const truth = new GroundTruth(seed, new Map(campaigns.map((c) => [c.id, c.cpcMicros])), {
        ...traffic,
        url,
      });
      const abort = new AbortController();
      const stop = () => abort.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      process.stderr.write(
        `simulating ${ratePerSec} events/s for ${durationSec || "∞"} s to ${url} (${campaigns.length} campaigns, ${apiKeys.size} partners, seed ${seed})\n`,
      );
      if (opts.fraud && durationSec === 0)
        throw new Error("--fraud needs a run of known length: pass --duration > 0");
      const events = opts.fraud
        ? generateLabelledTraffic(seed, traffic)
        : generateTraffic(seed, traffic);
      const stats = await sendTraffic(events, {
        url,
        apiKeys,
        batchSize: num("--batch-size", opts.batchSize, { min: 1, integer: true }),
        concurrency: num("--concurrency", opts.concurrency, { min: 1, integer: true }),
        onAcknowledged: (e) => truth.add(e),
        signal: abort.signal,
      });
      if (opts.truth) await writeFile(opts.truth, `${JSON.stringify(truth.toJSON())}\n`);
      const summary = truth.toJSON().totals;
      process.stdout.write(
        `sent ${stats.events} events in ${stats.requests} requests: ${stats.acknowledged} acknowledged (${summary.distinct_events} distinct, ${summary.fraud} of them invalid traffic), ${stats.rejected} rejected, ${stats.failed} failed; statuses ${JSON.stringify(stats.statuses)}${opts.truth ? `; truth in ${opts.truth}` : ""}\n`,
      );
      if (stats.failed > 0) process.exitCode = 1;
    });
}
