import { connectDb, type DbConnection } from "@adclick/db/client";
import {
  createAdvertiser,
  createCampaign,
  findPartnerByKeyHash,
  hashApiKey,
} from "@adclick/db/queries";
import { WEB_DB_ROLE } from "@adclick/db/scope";
import { verifyClickToken } from "@adclick/shared/click-token";
import { trafficKey } from "@adclick/shared/partner-traffic";
import { TRPCError } from "@trpc/server";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../../test/stack";
import { env } from "../../env";
import type { Session } from "../auth/session-user";
import type { LiveSource } from "../live/live-source";
import { createCallerFactory, createTRPCRouter } from "../trpc";
import { makePartnersRouter } from "./partners";

const NOW = Date.UTC(2026, 11, 3, 7, 10, 30);

let stack: TestStack;
let owner: DbConnection;
let web: DbConnection;
let redis: Redis;
let live: LiveSource;

const staff = (id: number, role: "admin" | "analyst"): Session => ({
  user: { id, email: `${role}@example.com`, role, advertiserId: null },
});
const admin = staff(1, "admin");
const analyst = staff(2, "analyst");

function caller(session: Session | null) {
  const router = createTRPCRouter({
    partners: makePartnersRouter(
      () => live,
      () => NOW,
    ),
  });
  return createCallerFactory(router)({ session, db: web.db, source: "test" }).partners;
}

async function codeOf(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return (error as TRPCError).code;
}

/** Whether the ingest would take this key now (the ingest's own lookup, as the owning role). */
const works = async (apiKey: string) =>
  (await findPartnerByKeyHash(owner.db, hashApiKey(apiKey))) !== null;

beforeAll(async () => {
  stack = await createTestStack();
  owner = connectDb(stack.config.DATABASE_URL, { max: 2 });
  web = connectDb(stack.config.DATABASE_URL, { max: 4, role: WEB_DB_ROLE });
  redis = new Redis(stack.config.REDIS_URL);
  live = { redis, topicPrefix: stack.topicPrefix, numPartitions: 4 };
  await createAdvertiser(owner.db, { id: "acme", name: "Acme" });
  await createCampaign(owner.db, {
    id: "acme-1",
    advertiserId: "acme",
    name: "Acme 1",
    cpcMicros: 100_000,
    landingUrl: "https://example.com/acme",
  });
});

afterAll(async () => {
  await redis?.quit();
  await web?.close();
  await owner?.close();
  await stack?.cleanup();
});

describe("partners admin", () => {
  it("creates a partner whose key is shown once, stored hashed and taken by the ingest", async () => {
    const created = await caller(admin).create({
      name: "Net One",
      id: "net-1",
      rateLimitPerSec: 50,
    });
    expect(created.partnerId).toBe("net-1");
    expect(created.apiKey).toMatch(/^ak_/);
    const rows = await owner.db.execute<{ key_hash: string; key_prefix: string }>(
      sql`select key_hash, key_prefix from partner_api_keys where partner_id = 'net-1'`,
    );
    expect(rows.rows).toEqual([
      { key_hash: hashApiKey(created.apiKey), key_prefix: created.apiKey.slice(0, 11) },
    ]);
    expect(await works(created.apiKey)).toBe(true);
    const [listed] = (await caller(admin).list()).filter((p) => p.id === "net-1");
    expect(listed).toMatchObject({ name: "Net One", rateLimitPerSec: 50, requireSignature: false });
    expect(JSON.stringify(listed)).not.toContain(created.apiKey);
    expect(
      await codeOf(caller(admin).create({ name: "again", id: "net-1", rateLimitPerSec: 1 })),
    ).toBe("CONFLICT");
  });

  it("rotates with two live keys and revokes one key without the other", async () => {
    const first = (await caller(admin).create({ name: "Net Two", id: "net-2", rateLimitPerSec: 5 }))
      .apiKey;
    const second = (await caller(admin).rotateKey({ partnerId: "net-2" })).apiKey;
    expect(await works(first)).toBe(true);
    expect(await works(second)).toBe(true);
    // A second rotation retires the oldest: never more than two live keys.
    const third = await caller(admin).rotateKey({ partnerId: "net-2" });
    expect(third.revokedKeyIds).toHaveLength(1);
    expect(await works(first)).toBe(false);
    expect(await works(second)).toBe(true);
    expect(await works(third.apiKey)).toBe(true);

    const partner = (await caller(admin).list()).find((p) => p.id === "net-2")!;
    const secondKey = partner.keys.find((k) => k.prefix === second.slice(0, 11))!;
    await caller(admin).revokeKey({ partnerId: "net-2", keyId: secondKey.id });
    expect(await works(second)).toBe(false);
    expect(await works(third.apiKey)).toBe(true);
    expect(await codeOf(caller(admin).revokeKey({ partnerId: "net-2", keyId: secondKey.id }))).toBe(
      "NOT_FOUND",
    );
    // Another partner's key id is not this partner's to revoke.
    const other = (await caller(admin).list()).find((p) => p.id === "net-1")!;
    expect(
      await codeOf(caller(admin).revokeKey({ partnerId: "net-2", keyId: other.keys[0]!.id })),
    ).toBe("NOT_FOUND");

    await caller(admin).revoke({ partnerId: "net-2" });
    expect(await works(third.apiKey)).toBe(false);
    expect(await codeOf(caller(admin).rotateKey({ partnerId: "net-2" }))).toBe("BAD_REQUEST");
  });

  it("requires signatures only once a secret exists, and keeps two secrets during a rotation", async () => {
    await caller(admin).create({ name: "Net Three", id: "net-3", rateLimitPerSec: 5 });
    expect(
      await codeOf(caller(admin).setRequireSignature({ partnerId: "net-3", require: true })),
    ).toBe("BAD_REQUEST");
    const { secret } = await caller(admin).issueSigningSecret({ partnerId: "net-3" });
    expect(secret.length).toBeGreaterThan(20);
    await caller(admin).issueSigningSecret({ partnerId: "net-3" });
    await caller(admin).setRequireSignature({ partnerId: "net-3", require: true });
    let p = (await caller(admin).list()).find((x) => x.id === "net-3")!;
    expect(p).toMatchObject({ requireSignature: true, activeSigningSecrets: 2 });
    expect(await caller(admin).retireOldSigningSecrets({ partnerId: "net-3" })).toEqual({
      retired: 1,
    });
    p = (await caller(admin).list()).find((x) => x.id === "net-3")!;
    expect(p.activeSigningSecrets).toBe(1);
    const stored = await owner.db.execute<{ secret_encrypted: string }>(
      sql`select secret_encrypted from partner_signing_secrets where partner_id = 'net-3'`,
    );
    expect(stored.rows.map((r) => r.secret_encrypted)).not.toContain(secret);
  });

  it("charts what the ingest recorded per minute, with rejection reasons", async () => {
    const minute = Date.UTC(2026, 11, 3, 7, 9);
    await redis.hset(trafficKey("net-1", minute), {
      accepted: 7,
      rejected: 2,
      "reason:unknown_campaign": 2,
      throttled: 3,
    });
    const traffic = await caller(admin).traffic({ minutes: 5 });
    const net1 = traffic.find((t) => t.partnerId === "net-1")!;
    expect(net1.minutes.map((m) => m.minuteStartMs)).toEqual(
      [6, 7, 8, 9, 10].map((m) => Date.UTC(2026, 11, 3, 7, m)),
    );
    expect(net1.minutes[3]).toMatchObject({
      accepted: 7,
      rejected: 2,
      throttled: 3,
      reasons: { unknown_campaign: 2 },
    });
    expect(net1.minutes[4]).toMatchObject({ accepted: 0, rejected: 0, throttled: 0 });
  });

  it("builds a signed redirect link the ingest verifies, and refuses a bad landing URL", async () => {
    const link = await caller(admin).redirectLink({
      partnerId: "net-1",
      campaignId: "acme-1",
      adId: "ad-9",
      landingUrl: "https://example.com/landing?x=1",
      validDays: 30,
    });
    const token = link.path.replace(/^\/c\//, "");
    const check = verifyClickToken(env.APP_SECRET, token, Math.floor(NOW / 1000));
    expect(check).toMatchObject({
      ok: true,
      token: { campaignId: "acme-1", adId: "ad-9", partnerId: "net-1" },
    });
    expect(
      await codeOf(
        caller(admin).redirectLink({
          partnerId: "net-1",
          campaignId: "acme-1",
          adId: "ad-9",
          landingUrl: "javascript:alert(1)",
          validDays: 30,
        }),
      ),
    ).toBe("BAD_REQUEST");
    expect(
      await codeOf(
        caller(admin).redirectLink({
          partnerId: "net-1",
          campaignId: "nope",
          adId: "ad-9",
          landingUrl: "https://example.com/",
          validDays: 30,
        }),
      ),
    ).toBe("NOT_FOUND");
  });

  it("refuses non-admins in the procedures", async () => {
    expect(await codeOf(caller(analyst).list())).toBe("FORBIDDEN");
    expect(await codeOf(caller(analyst).rotateKey({ partnerId: "net-1" }))).toBe("FORBIDDEN");
  });
});

describe("the database backs the partner screens", () => {
  /** Runs `statement` as the web role under the given settings, in a rolled-back transaction. */
  async function asWeb(settings: Record<string, string>, statement: string) {
    const client = await web.pool.connect();
    try {
      await client.query("begin");
      for (const [k, v] of Object.entries(settings))
        await client.query("select set_config($1, $2, true)", [k, v]);
      return await client.query(statement);
    } finally {
      await client.query("rollback");
      client.release();
    }
  }

  it("shows key hashes and signing secrets to admins only", async () => {
    const keys = "select key_hash from partner_api_keys";
    const secrets = "select secret_encrypted from partner_signing_secrets";
    expect((await asWeb({ "adclick.role": "admin" }, keys)).rowCount).toBeGreaterThan(0);
    const others: Array<Record<string, string>> = [
      { "adclick.role": "analyst" },
      { "adclick.role": "finance" },
      { "adclick.advertiser_id": "acme" },
      {},
    ];
    for (const settings of others) {
      expect((await asWeb(settings, keys)).rowCount).toBe(0);
      expect((await asWeb(settings, secrets)).rowCount).toBe(0);
    }
    // Partner names stay readable to a scoped advertiser (its per-partner breakdown), not to no one.
    expect(
      (await asWeb({ "adclick.advertiser_id": "acme" }, "select id from partners")).rowCount,
    ).toBeGreaterThan(0);
    expect((await asWeb({}, "select id from partners")).rowCount).toBe(0);
  });

  it("lets only admins create partners, issue keys and revoke them", async () => {
    const insertPartner = "insert into partners (id, name) values ('sneaky', 'Sneaky')";
    await expect(asWeb({ "adclick.role": "analyst" }, insertPartner)).rejects.toThrow(
      /row-level security/,
    );
    await expect(asWeb({ "adclick.role": "admin" }, insertPartner)).resolves.toBeDefined();
    const insertKey =
      "insert into partner_api_keys (partner_id, key_prefix, key_hash) values ('net-1', 'ak_x', 'x')";
    await expect(asWeb({ "adclick.role": "finance" }, insertKey)).rejects.toThrow(
      /row-level security/,
    );
    const revoke = "update partner_api_keys set revoked_at = now() where partner_id = 'net-1'";
    expect((await asWeb({ "adclick.role": "analyst" }, revoke)).rowCount).toBe(0);
    expect((await asWeb({ "adclick.role": "admin" }, revoke)).rowCount).toBeGreaterThan(0);
    // The hash itself is never rewritable from the web.
    await expect(
      asWeb({ "adclick.role": "admin" }, "update partner_api_keys set key_hash = 'x'"),
    ).rejects.toThrow(/permission denied/);
  });
});
