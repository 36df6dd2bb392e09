/** The composition root's shared clients against the local Postgres and Redis. */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { createLogger } from "./logger";
import { createSharedClients } from "./shared-clients";

describe("createSharedClients", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await createTestStack();
  });

  afterAll(async () => {
    await stack?.cleanup();
  });

  it("hands every role the same clients and closes them when stopped", async () => {
    const clients = createSharedClients({
      config: stack.config,
      logger: createLogger("silent"),
      name: "adclick-clients-test",
    });
    await clients.start();
    const db = clients.db();
    const redis = clients.redis();
    expect(clients.db()).toBe(db);
    expect(clients.redis()).toBe(redis);
    expect(clients.kafka()).toBe(clients.kafka());
    const rows = await db.execute(sql`select current_setting('application_name') as name`);
    expect(rows.rows).toEqual([{ name: "adclick-clients-test" }]);
    expect(await redis.ping()).toBe("PONG");
    expect(clients.ready()).toBe(true);

    await clients.stop();
    expect(clients.ready()).toBe(false);
    await expect(redis.ping()).rejects.toThrow("Connection is closed.");
    await expect(db.execute(sql`select 1`)).rejects.toThrow("Failed query: select 1");
    expect(() => clients.db()).toThrow(
      "shared Postgres pool requested after the clients were closed",
    );
  });
});
