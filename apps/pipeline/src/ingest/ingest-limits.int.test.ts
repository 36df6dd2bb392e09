/** The ingest's limits (C1): rate limit per event, request size, per-partner concurrency. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import type { IngestComponent } from "./ingest-server";
import { click, postClicks, seedPartnerAndCampaigns, startTestIngest } from "./test-support";

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

describe("rate limit: every event costs one token (C1)", () => {
  it("a partner limited to 10/s gets no more than 10/s plus its burst of 20 through batches of 1000", async () => {
    const key = await seedPartnerAndCampaigns(stack.config.DATABASE_URL, ["rl-cmp"], {
      name: "ten-per-second",
      rateLimitPerSec: 10,
    });
    const started = Date.now();
    let accepted = 0;
    const bigStatuses: number[] = [];
    let refusal: Awaited<ReturnType<typeof postClicks>> | null = null;
    while (Date.now() - started < 3_000) {
      const big = await postClicks(
        url,
        key,
        Array.from({ length: 1000 }, () => click("rl-cmp")),
      );
      bigStatuses.push(big.status);
      accepted += big.body.accepted ?? 0;
      refusal ??= big;
      const small = await postClicks(
        url,
        key,
        Array.from({ length: 5 }, () => click("rl-cmp")),
      );
      accepted += small.body.accepted ?? 0;
      await new Promise((r) => setTimeout(r, 100));
    }
    const elapsedSec = (Date.now() - started) / 1000;
    expect(new Set(bigStatuses)).toEqual(new Set([429]));
    expect(refusal?.retryAfter).not.toBeNull();
    expect(refusal?.body.error).toBe(
      "a request of 1000 events is more than the burst of 20 events (rate limit 10 events/s); send at most 20 events per request",
    );
    // The bucket starts full (20) and refills at 10/s; the small batches take what there is.
    expect(accepted).toBeLessThanOrEqual(Math.ceil(20 + 10 * elapsedSec));
    expect(accepted).toBeGreaterThanOrEqual(20);
  });
});

describe("413: a body over the limit is answered, then the connection closed (C1)", () => {
  const TWENTY_MB = 20 * 1024 * 1024;

  it("a 20 MB POST with a Content-Length gets the 413 every time", async () => {
    const key = await seedPartnerAndCampaigns(stack.config.DATABASE_URL, [], {
      name: "big-declared",
      rateLimitPerSec: 1_000_000,
    });
    const body = Buffer.alloc(TWENTY_MB, 32);
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const res = await postClicks(url, key, body).then(
        (r) => `${r.status} ${r.connection} ${r.body.error}`,
        (err: Error) => `fetch failed: ${(err.cause as Error | undefined)?.message ?? err.message}`,
      );
      outcomes.push(res);
    }
    expect(outcomes).toEqual(
      Array(8).fill("413 close request body is larger than 1048576 bytes; send smaller batches"),
    );
  });

  it("a 20 MB chunked POST (no Content-Length) gets the 413 every time", async () => {
    const key = await seedPartnerAndCampaigns(stack.config.DATABASE_URL, [], {
      name: "big-chunked",
      rateLimitPerSec: 1_000_000,
    });
    const chunk = Buffer.alloc(256 * 1024, 32);
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= TWENTY_MB) controller.close();
          else {
            sent += chunk.length;
            controller.enqueue(chunk);
          }
        },
      });
      const res = await fetch(`${url}/v1/clicks`, {
        method: "POST",
        body: stream,
        duplex: "half",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      } as RequestInit).then(
        async (r) => `${r.status} ${((await r.json()) as { error: string }).error}`,
        (err: Error) => `fetch failed: ${(err.cause as Error | undefined)?.message ?? err.message}`,
      );
      outcomes.push(res);
    }
    expect(outcomes).toEqual(
      Array(5).fill("413 request body is larger than 1048576 bytes; send smaller batches"),
    );
  });
});

describe("concurrent requests per API key", () => {
  it("answers 429 naming the cap to requests past it, before reading their bodies", async () => {
    const key = await seedPartnerAndCampaigns(stack.config.DATABASE_URL, ["cc-cmp"], {
      name: "concurrent",
      rateLimitPerSec: 1_000_000,
    });
    const capped = await startTestIngest(stack.config, { maxConcurrentPerPartner: 2 });
    try {
      // Two requests whose bodies never finish hold both slots.
      [0, 1].map(() => {
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("["));
          },
        });
        return fetch(`${capped.url}/v1/clicks`, {
          method: "POST",
          body: stream,
          duplex: "half",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        } as RequestInit).catch(() => null);
      });
      await new Promise((r) => setTimeout(r, 500));
      const third = await postClicks(capped.url, key, [click("cc-cmp")]);
      expect(third.status).toBe(429);
      expect(third.retryAfter).toBe("1");
      expect(third.body.error).toBe(
        "more than 2 concurrent requests for this API key; wait for answers before sending more",
      );
    } finally {
      await capped.ingest.stop();
    }
  });
});
