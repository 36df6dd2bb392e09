import { describe, expect, it } from "vitest";
import { signClickToken, verifyClickToken } from "./click-token";

const secret = "test-app-secret-0123456789";
const now = 1_800_000_000;
const fields = {
  campaignId: "cmp-1",
  adId: "ad-9",
  partnerId: "p-1",
  landingUrl: "https://example.com/landing?x=1",
  expiresAtSeconds: now + 3600,
};

describe("click tokens", () => {
  it("round-trips the fields", () => {
    const token = signClickToken(secret, { ...fields, publisherId: "pub-3" });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(verifyClickToken(secret, token, now)).toEqual({
      ok: true,
      token: { ...fields, publisherId: "pub-3" },
    });
  });

  it("rejects a token whose payload or signature was changed", () => {
    const token = signClickToken(secret, fields);
    const [payload, sig] = token.split(".") as [string, string];
    const forged = Buffer.from(
      Buffer.from(payload, "base64url").toString().replace("cmp-1", "cmp-2"),
    ).toString("base64url");
    expect(verifyClickToken(secret, `${forged}.${sig}`, now)).toEqual({
      ok: false,
      reason: "bad token signature",
    });
    const flipped = sig.startsWith("A") ? `B${sig.slice(1)}` : `A${sig.slice(1)}`;
    expect(verifyClickToken(secret, `${payload}.${flipped}`, now).ok).toBe(false);
    expect(verifyClickToken("another-secret-0123456789", token, now).ok).toBe(false);
  });

  it("rejects an expired token and garbage", () => {
    const token = signClickToken(secret, fields);
    expect(verifyClickToken(secret, token, now + 3601)).toEqual({
      ok: false,
      reason: "token expired",
    });
    for (const junk of ["", ".", "a.b.c", "abc", `${"x".repeat(5000)}.y`, "%%%.%%%"]) {
      expect(verifyClickToken(secret, junk, now).ok).toBe(false);
    }
  });

  it("refuses to mint a token for a non-http landing URL", () => {
    expect(() =>
      signClickToken(secret, { ...fields, landingUrl: "javascript:alert(1)" }),
    ).toThrow();
  });
});

describe("landing URLs at signing", () => {
  const base = {
    campaignId: "c",
    adId: "a",
    partnerId: "p",
    expiresAtSeconds: 4_000_000_000,
  };
  it("percent-encodes non-Latin-1 characters so the URL can be a Location header", () => {
    const token = signClickToken("secret-secret-secret", {
      ...base,
      landingUrl: "https://example.com/spring/Ünï?q=日本",
    });
    const check = verifyClickToken("secret-secret-secret", token, 1);
    expect(check.ok && check.token.landingUrl).toBe(
      "https://example.com/spring/%C3%9Cn%C3%AF?q=%E6%97%A5%E6%9C%AC",
    );
  });
  it("refuses a landing URL with CR, LF or other control characters", () => {
    for (const bad of ["https://example.com/a\r\nSet-Cookie: x=1", "https://example.com/\u0000"])
      expect(() => signClickToken("secret-secret-secret", { ...base, landingUrl: bad })).toThrow(
        /control characters/,
      );
  });
});
