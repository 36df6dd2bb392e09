/** Request handling of the ingest (C1): signatures, the order of checks, redirects. */
import { createHmac } from "node:crypto";
import { gzipSync } from "node:zlib";
import { connectDb } from "@adclick/db/client";
import { addSigningSecret } from "@adclick/db/queries";
import { topicName } from "@adclick/shared";
import {
  generateSigningSecret,
  sealSigningSecret,
  signRequest,
} from "@adclick/shared/request-signing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
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
let url: string;

beforeAll(async () => {
  stack = await createTestStack();
  ({ ingest, url } = await startTestIngest(stack.config));
});

afterAll(async () => {
  await ingest?.stop();
  await stack?.cleanup();
});

describe("request signature", () => {
  it("covers the raw body as sent: a gzipped body is signed over its gzip bytes, not the decoded JSON", async () => {
    const key = await seedPartnerAndCampaigns(stack.config.DATABASE_URL, ["sig-cmp"], {
      id: "partner-signer",
      name: "signer",
      rateLimitPerSec: 1_000_000,
    });
    const secret = generateSigningSecret();
    const conn = connectDb(stack.config.DATABASE_URL, { max: 1 });
    await addSigningSecret(
      conn.db,
      "partner-signer",
      sealSigningSecret(stack.config.APP_SECRET, secret),
      {
        require: true,
      },
    );
    await conn.close();
    await new Promise((r) => setTimeout(r, 400));
    const now = Math.floor(Date.now() / 1000);

    const json = JSON.stringify([click("sig-cmp")]);
    const gz = gzipSync(json);
    const overRaw = await postClicks(url, key, gz, {
      "content-encoding": "gzip",
      "x-adclick-signature": signRequest(secret, gz, now),
    });
    expect(overRaw.status).toBe(202);
    expect(overRaw.body.accepted).toBe(1);

    const json2 = JSON.stringify([click("sig-cmp")]);
    const overDecoded = await postClicks(url, key, gzipSync(json2), {
      "content-encoding": "gzip",
      "x-adclick-signature": signRequest(secret, json2, now),
    });
    expect(overDecoded.status).toBe(401);
    expect(overDecoded.body.error).toBe("x-adclick-signature: signature does not match the body");
  });
});

/**
 * A token minted the way click-token.ts does, without its landing-URL checks: what a
 * token signed before those checks existed looks like.
 */
function mintUnchecked(appSecret: string, payload: Record<string, unknown>): string {
  const key = createHmac("sha256", appSecret).update("adclick click-token v1").digest();
  const part = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${part}.${createHmac("sha256", key).update(part).digest("base64url")}`;
}

describe("GET /c/<token> with landing URLs that cannot go in a header as they are", () => {
  it("redirects a non-Latin-1 landing URL percent-encoded and records the click once", async () => {
    await seedPartnerAndCampaigns(stack.config.DATABASE_URL, ["redir-cmp"], {
      id: "partner-redir",
      name: "redir",
      rateLimitPerSec: 1_000_000,
    });
    const token = mintUnchecked(stack.config.APP_SECRET, {
      c: "redir-cmp",
      a: "ad-1",
      p: "partner-redir",
      u: "https://example.com/spring/Ünï?q=日本",
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const res = await fetch(`${url}/c/${token}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(
      "https://example.com/spring/%C3%9Cn%C3%AF?q=%E6%97%A5%E6%9C%AC",
    );
    const receipt = res.headers.get("x-request-id");
    const raw = await readTopic(stack.config.KAFKA_BROKERS, topicName(stack.topicPrefix, "raw"));
    expect(raw.filter((r) => JSON.parse(r.value).event_id === receipt)).toHaveLength(1);
  });

  it("answers 400 for a landing URL with CR/LF and records nothing", async () => {
    const token = mintUnchecked(stack.config.APP_SECRET, {
      c: "redir-cmp",
      a: "ad-1",
      p: "partner-redir",
      u: "https://example.com/a\r\nSet-Cookie: evil=1",
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const before = (
      await readTopic(stack.config.KAFKA_BROKERS, topicName(stack.topicPrefix, "raw"))
    ).length;
    const res = await fetch(`${url}/c/${token}`, { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(res.headers.get("set-cookie")).toBeNull();
    const after = await readTopic(stack.config.KAFKA_BROKERS, topicName(stack.topicPrefix, "raw"));
    expect(after).toHaveLength(before);
  });
});

describe("per-partner traffic for the partner screen", () => {
  it("records accepted, duplicate and rejected events by reason, and 429s, in the partner's minute", async () => {
    const key = await seedPartnerAndCampaigns(stack.config.DATABASE_URL, ["traffic-cmp"], {
      id: "partner-traffic",
      name: "traffic",
      rateLimitPerSec: 2,
    });
    const good = click("traffic-cmp");
    const first = await postClicks(
      url,
      key,
      JSON.stringify([good, good, click("no-such-campaign"), { ...click("traffic-cmp"), ip: "x" }]),
    );
    expect(first.status).toBe(202);
    // The bucket (burst 4) is empty now: the next request is refused with 429.
    const refused = await postClicks(url, key, JSON.stringify([click("traffic-cmp")]));
    expect(refused.status).toBe(429);

    const redis = new Redis(stack.config.REDIS_URL);
    try {
      const read = async () => {
        const keys = await redis.keys("traffic:{partner-traffic}:*");
        const hashes = await Promise.all(keys.map((k) => redis.hgetall(k)));
        const sum: Record<string, number> = {};
        for (const h of hashes)
          for (const [f, v] of Object.entries(h)) sum[f] = (sum[f] ?? 0) + Number(v);
        return sum;
      };
      let totals: Record<string, number> = {};
      for (let i = 0; i < 20 && !totals.throttled; i++) {
        totals = await read();
        if (!totals.throttled) await new Promise((r) => setTimeout(r, 100));
      }
      expect(totals).toEqual({
        accepted: 1,
        duplicate: 1,
        rejected: 2,
        "reason:unknown_campaign": 1,
        "reason:invalid_ip": 1,
        throttled: 1,
      });
      const [one] = await redis.keys("traffic:{partner-traffic}:*");
      expect(await redis.ttl(one!)).toBeGreaterThan(47 * 3600);
    } finally {
      await redis.quit();
    }
  });
});
