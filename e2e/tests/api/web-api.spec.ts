import { expect, test } from "@playwright/test";

test("the tRPC endpoint answers health.ping as JSON", async ({ request }) => {
  const res = await request.get("/api/trpc/health.ping");
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.result.data.json.status).toBe("ok");
});

test("an unknown tRPC procedure is a 404, not a crash", async ({ request }) => {
  const res = await request.get("/api/trpc/nope.nothing");
  expect(res.status()).toBe(404);
});
