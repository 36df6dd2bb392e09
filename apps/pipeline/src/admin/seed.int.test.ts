import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectDb, type DbConnection } from "@adclick/db/client";
import {
  findPartnerByKeyHash,
  hashApiKey,
  revokeApiKey,
  verifyUserPassword,
} from "@adclick/db/queries";
import * as schema from "@adclick/db/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../test/stack";
import { DEMO_CAMPAIGNS, DEMO_PASSWORD, DEMO_USERS } from "./demo-data";
import { type DemoPartnerKeys, readDemoPartnerKeys } from "./demo-partner-keys";
import { runCli } from "./run-cli";

let stack: TestStack;
let conn: DbConnection;
let dir: string;
let keysFile: string;

const seed = async () => {
  const result = await runCli(["seed", "--keys-file", keysFile], stack.env);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout;
};

/** Every table seed writes, in full, in a stable order. */
async function snapshot() {
  const { db } = conn;
  return {
    advertisers: await db.select().from(schema.advertisers).orderBy(schema.advertisers.id),
    campaigns: await db.select().from(schema.campaigns).orderBy(schema.campaigns.id),
    partners: await db.select().from(schema.partners).orderBy(schema.partners.id),
    keys: await db.select().from(schema.partnerApiKeys).orderBy(schema.partnerApiKeys.id),
    users: await db.select().from(schema.users).orderBy(schema.users.id),
    blocklist: await db.select().from(schema.blocklist).orderBy(schema.blocklist.id),
    audit: await db.select().from(schema.auditLog).orderBy(schema.auditLog.id),
    file: await readFile(keysFile, "utf8"),
  };
}

async function expectKeysWork(keys: DemoPartnerKeys | null) {
  expect(keys?.partners.map((p) => p.partner_id)).toEqual(["demo-network", "demo-publisher"]);
  for (const p of keys!.partners) {
    expect((await findPartnerByKeyHash(conn.db, hashApiKey(p.api_key)))?.partnerId).toBe(
      p.partner_id,
    );
  }
}

beforeAll(async () => {
  stack = await createTestStack();
  conn = connectDb(stack.config.DATABASE_URL, { max: 2 });
  dir = await mkdtemp(join(tmpdir(), "adclick-seed-test-"));
  keysFile = join(dir, "data", "demo-partner-keys.json");
});

afterAll(async () => {
  await conn?.close();
  await stack?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("adclick seed", () => {
  it("creates the demo world, prints the logins and writes working partner keys", async () => {
    const stdout = await seed();
    for (const user of DEMO_USERS) expect(stdout).toContain(user.email);
    expect(stdout).toContain(`password "${DEMO_PASSWORD}"`);

    const snap = await snapshot();
    expect(snap.advertisers).toHaveLength(3);
    expect(snap.campaigns.map((c) => c.id).sort()).toEqual(DEMO_CAMPAIGNS.map((c) => c.id).sort());
    expect(snap.campaigns.every((c) => c.status === "active" && c.cpcMicros > 0)).toBe(true);
    expect(snap.partners.map((p) => p.id)).toEqual(["demo-network", "demo-publisher"]);
    expect(snap.blocklist.length).toBeGreaterThanOrEqual(2);
    expect(snap.audit.filter((a) => a.action === "blocklist.add")).toHaveLength(
      snap.blocklist.length,
    );

    const keys = await readDemoPartnerKeys(keysFile);
    await expectKeysWork(keys);
    expect(JSON.stringify(snap.keys)).not.toContain(keys!.partners[0]!.api_key);

    for (const user of DEMO_USERS) {
      expect(await verifyUserPassword(conn.db, user.email, DEMO_PASSWORD)).toMatchObject({
        role: user.role,
        advertiserId: user.advertiserId,
      });
    }
  });

  it("changes nothing when run again", async () => {
    const before = await snapshot();
    const stdout = await seed();
    expect(stdout).toMatch(
      /^seeded demo data: 0 advertisers, 0 campaigns, 0 partners, 0 API keys, 0 users, 0 blocklist entries new/,
    );
    expect(await snapshot()).toEqual(before);
  });

  it("replaces only keys that no longer work", async () => {
    const before = (await readDemoPartnerKeys(keysFile))!;
    const [network, publisher] = before.partners;
    await revokeApiKey(conn.db, hashApiKey(network!.api_key));
    await seed();
    const after = (await readDemoPartnerKeys(keysFile))!;
    await expectKeysWork(after);
    expect(after.partners[0]!.api_key).not.toBe(network!.api_key);
    expect(after.partners[1]!.api_key).toBe(publisher!.api_key);

    await rm(keysFile);
    await seed();
    await expectKeysWork(await readDemoPartnerKeys(keysFile));
  });
});
