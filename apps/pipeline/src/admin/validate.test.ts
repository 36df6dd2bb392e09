import { BlocklistMatcher } from "@adclick/shared";
import { describe, expect, it } from "vitest";
import {
  parseCidr,
  parseCpcMicros,
  parseEmail,
  parseId,
  parseIp,
  parseLandingUrl,
  parsePassword,
  parseRole,
  parseUserAgentPattern,
} from "./validate";

describe("parseId", () => {
  it("accepts plain ids and trims", () => {
    expect(parseId("--id", " acme-2026.q1_x ")).toBe("acme-2026.q1_x");
  });
  it.each(["", "-leading", "has space", "a{b}", "a:b", "x".repeat(65)])("refuses %j", (id) => {
    expect(() => parseId("--id", id)).toThrow(/--id must be 1-64 characters/);
  });
});

describe("parseCpcMicros", () => {
  it("accepts positive integers, with optional underscores", () => {
    expect(parseCpcMicros("250000")).toBe(250_000);
    expect(parseCpcMicros("1_500_000")).toBe(1_500_000);
  });
  it.each(["0", "-5", "1.5", "abc", "", "1e6", "99999999999999999999"])("refuses %j", (v) => {
    expect(() => parseCpcMicros(v)).toThrow(/--cpc-micros must be a positive whole number/);
  });
});

describe("parseLandingUrl", () => {
  it("accepts http and https", () => {
    expect(parseLandingUrl("https://shop.example/spring?utm=ad")).toBe(
      "https://shop.example/spring?utm=ad",
    );
    expect(parseLandingUrl("http://localhost:3000")).toBe("http://localhost:3000/");
  });
  it.each(["not a url", "ftp://x.example/", "javascript:alert(1)", "/relative"])(
    "refuses %j",
    (v) => {
      expect(() => parseLandingUrl(v)).toThrow(/--landing-url must be an absolute http\(s\) URL/);
    },
  );
});

describe("parseEmail / parsePassword / parseRole", () => {
  it("lower-cases emails and refuses malformed ones", () => {
    expect(parseEmail(" Ana@Example.COM ")).toBe("ana@example.com");
    for (const bad of ["ana", "ana@", "@x.io", "a b@x.io", "ana@host"]) {
      expect(() => parseEmail(bad)).toThrow(/--email must be an email address/);
    }
  });
  it("wants passwords of at least 8 characters", () => {
    expect(parsePassword("12345678")).toBe("12345678");
    expect(() => parsePassword("short")).toThrow(/at least 8 characters/);
  });
  it("knows the four roles", () => {
    expect(parseRole("finance")).toBe("finance");
    expect(() => parseRole("root")).toThrow(
      "--role must be one of advertiser|analyst|finance|admin",
    );
  });
});

describe("parseIp", () => {
  it("accepts v4 and canonicalises v6", () => {
    expect(parseIp("203.0.113.7")).toBe("203.0.113.7");
    expect(parseIp("2001:DB8:0:0:0:0:0:1")).toBe("2001:db8::1");
    expect(parseIp("::ffff:192.0.2.1")).toBe("192.0.2.1");
  });
  it.each(["256.1.1.1", "1.2.3", "10.0.0.0/8", "hello", "2001:db8:::1"])("refuses %j", (v) => {
    expect(() => parseIp(v)).toThrow(/--ip must be an IPv4 or IPv6 address/);
  });
});

describe("parseCidr", () => {
  it("accepts network addresses", () => {
    expect(parseCidr("203.0.113.0/24")).toBe("203.0.113.0/24");
    expect(parseCidr("0.0.0.0/0")).toBe("0.0.0.0/0");
    expect(parseCidr("198.51.100.7/32")).toBe("198.51.100.7/32");
    expect(parseCidr("2001:DB8::/32")).toBe("2001:db8::/32");
    expect(parseCidr("2001:db8:0:0:0:0:0:1/128")).toBe("2001:db8::1/128");
    expect(parseCidr("::/0")).toBe("::/0");
  });
  it("suggests the network when host bits are set", () => {
    expect(() => parseCidr("10.1.2.3/8")).toThrow(
      "--cidr 10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?",
    );
    expect(() => parseCidr("2001:db8::1/32")).toThrow("did you mean 2001:db8::/32?");
  });
  it.each([
    "10.0.0.0",
    "10.0.0.0/33",
    "2001:db8::/129",
    "10.0.0.0/-1",
    "x/8",
    "10.0.0.0/8/8",
    "10.0.0.0/",
  ])("refuses %j", (v) => {
    expect(() => parseCidr(v)).toThrow(/--cidr must be an IPv4 or IPv6 block/);
  });
});

describe("parseUserAgentPattern", () => {
  it("trims and refuses empty patterns", () => {
    expect(parseUserAgentPattern("  EvilBot/1.0 ")).toBe("EvilBot/1.0");
    expect(() => parseUserAgentPattern("   ")).toThrow("--user-agent must not be empty");
  });
});

describe("what the CLI stores, the fraud filter matches", () => {
  it("matches IPs, CIDR blocks and user agents as normalised here", () => {
    const matcher = new BlocklistMatcher([
      { kind: "ip", value: parseIp("2001:DB8:0::7") },
      { kind: "ip", value: parseIp("::ffff:198.51.100.66") },
      { kind: "cidr", value: parseCidr("203.0.113.0/24") },
      { kind: "user_agent", value: parseUserAgentPattern(" ClickBot/ ") },
    ]);
    expect(matcher.invalid).toEqual([]);
    expect(matcher.match("2001:db8::7", "Mozilla/5.0")).toBe("blocklist_ip");
    expect(matcher.match("198.51.100.66", "Mozilla/5.0")).toBe("blocklist_ip");
    expect(matcher.match("203.0.113.200", "Mozilla/5.0")).toBe("blocklist_cidr");
    expect(matcher.match("192.0.2.1", "clickbot/2.1")).toBe("blocklist_user_agent");
    expect(matcher.match("192.0.2.1", "Mozilla/5.0")).toBeNull();
  });
});
