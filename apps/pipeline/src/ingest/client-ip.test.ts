import { describe, expect, it } from "vitest";
import { clientIp, parseTrustedProxies } from "./client-ip";
import { newReceipt } from "./receipt";

describe("clientIp", () => {
  const trusted = parseTrustedProxies(["10.0.0.0/8", "127.0.0.1"]);
  it("uses the socket peer unless it is a trusted proxy", () => {
    expect(clientIp("203.0.113.9", "1.2.3.4", trusted)).toBe("203.0.113.9");
    expect(clientIp("::ffff:203.0.113.9", undefined, trusted)).toBe("203.0.113.9");
  });
  it("walks X-Forwarded-For from the right past trusted hops", () => {
    expect(clientIp("127.0.0.1", "198.51.100.7, 10.1.1.1", trusted)).toBe("198.51.100.7");
    expect(clientIp("10.2.2.2", "6.6.6.6, 198.51.100.7", trusted)).toBe("198.51.100.7");
    expect(clientIp("10.2.2.2", "garbage", trusted)).toBe("10.2.2.2");
  });
  it("rejects bad proxy entries", () => {
    expect(() => parseTrustedProxies(["nope"])).toThrow(/not an IP/);
  });
});

describe("newReceipt", () => {
  it("is a time-ordered UUIDv7", () => {
    const a = newReceipt(1_700_000_000_000);
    const b = newReceipt(1_700_000_000_001);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
  });
});
