import { describe, expect, it } from "vitest";
import {
  generateSigningSecret,
  openSigningSecret,
  sealSigningSecret,
  signRequest,
  verifyRequestSignature,
} from "./request-signing";

const body = '{"event_id":"e1"}';
const now = 1_800_000_000;

describe("request signing", () => {
  const secret = generateSigningSecret();

  it("accepts a fresh signature over the exact body", () => {
    const header = signRequest(secret, body, now);
    expect(
      verifyRequestSignature({ header, body, secrets: [secret], nowSeconds: now + 10 }),
    ).toEqual({ ok: true });
    expect(
      verifyRequestSignature({
        header,
        body: Buffer.from(body),
        secrets: [secret],
        nowSeconds: now,
      }),
    ).toEqual({ ok: true });
  });

  it("rejects a changed body, a wrong secret, or a missing header", () => {
    const header = signRequest(secret, body, now);
    expect(
      verifyRequestSignature({ header, body: `${body} `, secrets: [secret], nowSeconds: now }).ok,
    ).toBe(false);
    expect(
      verifyRequestSignature({ header, body, secrets: [generateSigningSecret()], nowSeconds: now })
        .ok,
    ).toBe(false);
    expect(
      verifyRequestSignature({ header: undefined, body, secrets: [secret], nowSeconds: now }).ok,
    ).toBe(false);
    expect(verifyRequestSignature({ header, body, secrets: [], nowSeconds: now }).ok).toBe(false);
  });

  it("enforces the 300 s tolerance both ways", () => {
    const header = signRequest(secret, body, now);
    expect(
      verifyRequestSignature({ header, body, secrets: [secret], nowSeconds: now + 300 }).ok,
    ).toBe(true);
    expect(
      verifyRequestSignature({ header, body, secrets: [secret], nowSeconds: now + 301 }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining("300 s") });
    expect(
      verifyRequestSignature({ header, body, secrets: [secret], nowSeconds: now - 301 }).ok,
    ).toBe(false);
  });

  it("a replayed signature with a forged timestamp fails", () => {
    const header = signRequest(secret, body, now).replace(`t=${now}`, `t=${now + 100}`);
    expect(
      verifyRequestSignature({ header, body, secrets: [secret], nowSeconds: now + 100 }).ok,
    ).toBe(false);
  });

  it("accepts either of two secrets during a rotation", () => {
    const next = generateSigningSecret();
    expect(
      verifyRequestSignature({
        header: signRequest(secret, body, now),
        body,
        secrets: [next, secret],
        nowSeconds: now,
      }).ok,
    ).toBe(true);
    expect(
      verifyRequestSignature({
        header: signRequest(next, body, now),
        body,
        secrets: [next, secret],
        nowSeconds: now,
      }).ok,
    ).toBe(true);
    expect(
      verifyRequestSignature({
        header: signRequest([secret, next], body, now),
        body,
        secrets: [next],
        nowSeconds: now,
      }).ok,
    ).toBe(true);
  });

  it("rejects malformed headers without throwing", () => {
    for (const header of [
      "",
      "t=abc,v1=00",
      "v1=zz",
      `t=${now}`,
      `t=${now},v1=${"0".repeat(64)}`,
      "garbage",
      ",,,=",
    ]) {
      expect(verifyRequestSignature({ header, body, secrets: [secret], nowSeconds: now }).ok).toBe(
        false,
      );
    }
  });

  it("seals and opens a secret under APP_SECRET; another APP_SECRET cannot open it", () => {
    const sealed = sealSigningSecret("app-secret-0123456789", secret);
    expect(sealed).not.toContain(secret);
    expect(openSigningSecret("app-secret-0123456789", sealed)).toBe(secret);
    expect(() => openSigningSecret("another-secret-0123456789", sealed)).toThrow();
    expect(() => openSigningSecret("app-secret-0123456789", `${sealed.slice(0, -2)}AA`)).toThrow();
  });
});
