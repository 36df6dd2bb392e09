import { connectDb, type DbConnection } from "@adclick/db/client";
import { createAdvertiser, createUser } from "@adclick/db/queries";
import { sessions, users } from "@adclick/db/schema";
import { WEB_DB_ROLE } from "@adclick/db/scope";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestStack, type TestStack } from "../../../../../test/stack";
import { endSession, sessionFromCookie, startSession } from "./session";
import { hashSessionId } from "./session-token";
import { databaseLimiter, databaseVerifier, INVALID_CREDENTIALS, signIn } from "./sign-in";

let stack: TestStack;
let owner: DbConnection;
/** Sign-in and sessions run as the web role, as in production. */
let web: DbConnection;
let advertiserId: number;

const HOUR = 3_600_000;
const t0 = new Date("2026-03-01T08:00:00Z");
const later = (ms: number) => new Date(t0.getTime() + ms);

beforeAll(async () => {
  stack = await createTestStack();
  owner = connectDb(stack.config.DATABASE_URL, { max: 2 });
  web = connectDb(stack.config.DATABASE_URL, { max: 2, role: WEB_DB_ROLE });
  await createAdvertiser(owner.db, { id: "acme", name: "Acme" });
  // The same function `adclick user create` and `adclick seed` call.
  const user = await createUser(owner.db, {
    email: "Advertiser@Demo.adclick",
    password: "demo-password",
    role: "advertiser",
    advertiserId: "acme",
  });
  advertiserId = user!.id;
  await createUser(owner.db, { email: "fin@demo.adclick", password: "pw-fin", role: "finance" });
});
afterAll(async () => {
  await web?.close();
  await owner?.close();
  await stack?.cleanup();
});

describe("sign-in against the users table", () => {
  it("a user written by adclick user create signs in, with any capitalisation of the email", async () => {
    const result = await signIn(
      { email: "advertiser@demo.adclick", password: "demo-password" },
      databaseVerifier(web.db),
    );
    expect(result).toEqual({
      ok: true,
      user: {
        id: advertiserId,
        email: "advertiser@demo.adclick",
        role: "advertiser",
        advertiserId: "acme",
      },
    });
  });

  it("refuses a wrong password and an unknown email alike", async () => {
    const verify = databaseVerifier(web.db);
    expect(await signIn({ email: "advertiser@demo.adclick", password: "nope" }, verify)).toEqual({
      ok: false,
      error: INVALID_CREDENTIALS,
    });
    expect(
      await signIn({ email: "nobody@demo.adclick", password: "demo-password" }, verify),
    ).toEqual({
      ok: false,
      error: INVALID_CREDENTIALS,
    });
  });

  it("blocks an account after 5 failures for the rest of the window, then lets it in again", async () => {
    const limiter = databaseLimiter(web.db);
    const verify = databaseVerifier(web.db);
    const attempt = (password: string, at: Date, ip = "198.51.100.1") =>
      signIn({ email: "fin@demo.adclick", password }, verify, { limiter, ip, now: at });
    for (let i = 0; i < 5; i++) {
      expect(await attempt("wrong", later(i * 60_000))).toEqual({
        ok: false,
        error: INVALID_CREDENTIALS,
      });
    }
    // The right password from another IP is refused too: the limit is the account's.
    expect(await attempt("pw-fin", later(5 * 60_000), "198.51.100.2")).toEqual({
      ok: false,
      error: "Too many sign-in attempts; try again in 10 minutes",
    });
    // The first failure leaves the 15-minute window at 08:15.
    expect((await attempt("pw-fin", later(15 * 60_000 + 1000))).ok).toBe(true);
    // Success forgot the account's failures: four more wrong ones are not yet a block.
    for (let i = 0; i < 4; i++) {
      expect((await attempt("wrong", later(16 * 60_000 + i))).ok).toBe(false);
    }
    expect((await attempt("pw-fin", later(17 * 60_000))).ok).toBe(true);
  });

  it("blocks an IP that tries many accounts", async () => {
    const limiter = databaseLimiter(web.db, { windowMs: 15 * 60_000, perAccount: 5, perIp: 3 });
    const verify = databaseVerifier(web.db);
    const at = later(HOUR);
    for (const email of ["a@x.test", "b@x.test", "c@x.test"]) {
      await signIn({ email, password: "guess" }, verify, { limiter, ip: "203.0.113.50", now: at });
    }
    expect(
      await signIn({ email: "fin@demo.adclick", password: "pw-fin" }, verify, {
        limiter,
        ip: "203.0.113.50",
        now: later(HOUR + 60_000),
      }),
    ).toEqual({ ok: false, error: "Too many sign-in attempts; try again in 14 minutes" });
    expect(
      (
        await signIn({ email: "fin@demo.adclick", password: "pw-fin" }, verify, {
          limiter,
          ip: "203.0.113.51",
          now: later(HOUR + 60_000),
        })
      ).ok,
    ).toBe(true);
  });
});

describe("sessions", () => {
  it("store only the SHA-256 of the cookie's id and give back the user", async () => {
    const { id, expiresAt } = await startSession(web.db, advertiserId, t0);
    expect(expiresAt).toEqual(later(7 * 24 * HOUR));
    const rows = await owner.db.select().from(sessions).where(eq(sessions.userId, advertiserId));
    expect(rows.map((r) => r.idHash)).toContain(hashSessionId(id));
    expect(rows.map((r) => r.idHash)).not.toContain(id);
    const session = await sessionFromCookie(web.db, id, later(HOUR));
    expect(session?.user).toEqual({
      id: advertiserId,
      email: "advertiser@demo.adclick",
      role: "advertiser",
      advertiserId: "acme",
    });
    expect(await sessionFromCookie(web.db, `${id}x`, later(HOUR))).toBeNull();
    expect(await sessionFromCookie(web.db, null, later(HOUR))).toBeNull();
  });

  it("end after 12 idle hours, and the expired row is deleted", async () => {
    const { id } = await startSession(web.db, advertiserId, t0);
    expect(await sessionFromCookie(web.db, id, later(12 * HOUR + 1))).toBeNull();
    const left = await owner.db
      .select()
      .from(sessions)
      .where(eq(sessions.idHash, hashSessionId(id)));
    expect(left).toEqual([]);
  });

  it("stay alive while used, and end 7 days after sign-in regardless", async () => {
    const { id } = await startSession(web.db, advertiserId, t0);
    for (let hours = 11; hours < 7 * 24; hours += 11) {
      expect(await sessionFromCookie(web.db, id, later(hours * HOUR))).not.toBeNull();
    }
    expect(await sessionFromCookie(web.db, id, later(7 * 24 * HOUR))).toBeNull();
  });

  it("end at sign-out: the row is gone and the old cookie signs nobody in", async () => {
    const { id } = await startSession(web.db, advertiserId, t0);
    expect(await endSession(web.db, id)).toBe(true);
    expect(await sessionFromCookie(web.db, id, later(60_000))).toBeNull();
    expect(await endSession(web.db, id)).toBe(false);
  });

  it("that ended unseen are swept when someone signs in", async () => {
    const { id: abandoned } = await startSession(web.db, advertiserId, t0);
    const { id: fresh } = await startSession(web.db, advertiserId, later(13 * HOUR));
    const left = await owner.db.select({ idHash: sessions.idHash }).from(sessions);
    expect(left.map((r) => r.idHash)).not.toContain(hashSessionId(abandoned));
    expect(left.map((r) => r.idHash)).toContain(hashSessionId(fresh));
  });

  it("stop working when the user is disabled", async () => {
    const { id } = await startSession(web.db, advertiserId, t0);
    await owner.db.update(users).set({ disabledAt: t0 }).where(eq(users.id, advertiserId));
    try {
      expect(await sessionFromCookie(web.db, id, later(60_000))).toBeNull();
    } finally {
      await owner.db.update(users).set({ disabledAt: null }).where(eq(users.id, advertiserId));
    }
  });
});
