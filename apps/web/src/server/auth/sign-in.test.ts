import { describe, expect, it } from "vitest";
import type { SessionUser } from "./session-user";
import { landingPathFor } from "./session-user";
import {
  clientIp,
  INVALID_CREDENTIALS,
  type SignInLimiter,
  signIn,
  type VerifyUser,
} from "./sign-in";

const finance: SessionUser = {
  id: 1,
  email: "fin@example.com",
  role: "finance",
  advertiserId: null,
};
const onlyFinance: VerifyUser = async (email, password) =>
  email === "fin@example.com" && password === "right" ? finance : null;

/** A limiter that records what it was asked and refuses after `allow` attempts. */
function countingLimiter(allow: number) {
  const calls: Array<{ account: string; ip: string }> = [];
  let succeeded = 0;
  const limiter: SignInLimiter = {
    async attempt(account, ip) {
      calls.push({ account, ip });
      if (calls.length > allow) return { allowed: false, retryAfterMs: 4 * 60_000 + 1 };
      return {
        allowed: true,
        succeeded: async () => {
          succeeded++;
        },
      };
    },
  };
  return { limiter, calls, succeeded: () => succeeded };
}

describe("signIn", () => {
  it("asks for missing fields", async () => {
    expect(await signIn({ email: " ", password: "x" }, onlyFinance)).toEqual({
      ok: false,
      error: "Enter your email address",
    });
    expect(await signIn({ email: "a@b.c", password: "" }, onlyFinance)).toEqual({
      ok: false,
      error: "Enter your password",
    });
    expect((await signIn({ email: null, password: null }, onlyFinance)).ok).toBe(false);
  });

  it("gives the same answer for a wrong password and an unknown email", async () => {
    const wrongPassword = await signIn({ email: "fin@example.com", password: "nope" }, onlyFinance);
    const unknownEmail = await signIn({ email: "who@example.com", password: "right" }, onlyFinance);
    expect(wrongPassword).toEqual({ ok: false, error: INVALID_CREDENTIALS });
    expect(unknownEmail).toEqual(wrongPassword);
  });

  it("returns the user the verifier matched, with the email trimmed", async () => {
    expect(await signIn({ email: " fin@example.com ", password: "right" }, onlyFinance)).toEqual({
      ok: true,
      user: finance,
    });
  });

  it("asks the limiter with the normalised email and the IP, and reports success to it", async () => {
    const { limiter, calls, succeeded } = countingLimiter(10);
    const result = await signIn({ email: " Fin@Example.com ", password: "nope" }, onlyFinance, {
      limiter,
      ip: "203.0.113.9",
    });
    expect(result).toEqual({ ok: false, error: INVALID_CREDENTIALS });
    expect(calls).toEqual([{ account: "fin@example.com", ip: "203.0.113.9" }]);
    expect(succeeded()).toBe(0);
    await signIn({ email: "fin@example.com", password: "right" }, onlyFinance, { limiter });
    expect(succeeded()).toBe(1);
  });

  it("refuses without checking the password once the limiter says so, even the right one", async () => {
    const { limiter } = countingLimiter(0);
    let verified = 0;
    const counting: VerifyUser = async (email, password) => {
      verified++;
      return onlyFinance(email, password);
    };
    const result = await signIn({ email: "fin@example.com", password: "right" }, counting, {
      limiter,
    });
    expect(result).toEqual({
      ok: false,
      error: "Too many sign-in attempts; try again in 5 minutes",
    });
    expect(verified).toBe(0);
  });
});

describe("clientIp", () => {
  it("takes the first forwarded address, then x-real-ip, else unknown", () => {
    expect(clientIp(new Headers({ "x-forwarded-for": "198.51.100.7, 10.0.0.1" }))).toBe(
      "198.51.100.7",
    );
    expect(clientIp(new Headers({ "x-real-ip": "2001:db8::1" }))).toBe("2001:db8::1");
    expect(clientIp(new Headers())).toBe("unknown");
  });
});

describe("landingPathFor", () => {
  it("sends each role to its C10 page", () => {
    expect(landingPathFor("advertiser")).toBe("/campaigns");
    expect(landingPathFor("analyst")).toBe("/review");
    expect(landingPathFor("finance")).toBe("/invoices");
    expect(landingPathFor("admin")).toBe("/partners");
  });
});
