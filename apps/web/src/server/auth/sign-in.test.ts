import { describe, expect, it } from "vitest";
import type { SessionUser } from "./session-user";
import { landingPathFor } from "./session-user";
import { INVALID_CREDENTIALS, signIn, type VerifyUser, verifyUser } from "./sign-in";

const finance: SessionUser = {
  id: 1,
  email: "fin@example.com",
  role: "finance",
  advertiserId: null,
};
const onlyFinance: VerifyUser = async (email, password) =>
  email === "fin@example.com" && password === "right" ? finance : null;

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

  it("matches nobody while no user store is connected", async () => {
    expect(await signIn({ email: "admin@example.com", password: "admin" }, verifyUser)).toEqual({
      ok: false,
      error: "Invalid email or password",
    });
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
