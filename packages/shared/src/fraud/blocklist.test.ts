import { describe, expect, it } from "vitest";
import { BlocklistMatcher } from "./blocklist";
import { BloomFilter } from "./bloom-filter";
import { IpRangeSet, ipv4ToNumber, parseCidr } from "./ip";

describe("BloomFilter", () => {
  it("never answers no for an added item and rarely yes for others", () => {
    const f = new BloomFilter(10_000, 0.001);
    for (let i = 0; i < 10_000; i++) f.add(`10.0.${i >> 8}.${i & 255}`);
    for (let i = 0; i < 10_000; i++) expect(f.mightContain(`10.0.${i >> 8}.${i & 255}`)).toBe(true);
    let falsePositives = 0;
    for (let i = 0; i < 100_000; i++)
      if (f.mightContain(`172.16.${i >> 8}.${i & 255}x`)) falsePositives++;
    expect(falsePositives / 100_000).toBeLessThan(0.005);
  });
});

describe("ip helpers", () => {
  it("parses IPv4 strictly", () => {
    expect(ipv4ToNumber("0.0.0.0")).toBe(0);
    expect(ipv4ToNumber("255.255.255.255")).toBe(2 ** 32 - 1);
    for (const bad of ["1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "a.b.c.d", "", "1.2.3.4 "])
      expect(ipv4ToNumber(bad)).toBe(-1);
  });

  it("answers range membership at the edges, v4 and v6", () => {
    const set = new IpRangeSet([
      parseCidr("10.0.0.0/8"),
      parseCidr("192.168.1.0/24"),
      parseCidr("2001:db8::/32"),
    ]);
    expect(set.has("10.0.0.0")).toBe(true);
    expect(set.has("10.255.255.255")).toBe(true);
    expect(set.has("11.0.0.0")).toBe(false);
    expect(set.has("192.168.1.77")).toBe(true);
    expect(set.has("192.168.2.1")).toBe(false);
    expect(set.has("2001:db8:ffff::1")).toBe(true);
    expect(set.has("2001:db9::1")).toBe(false);
    expect(set.has("::ffff:10.1.2.3")).toBe(true);
    expect(set.has("not an ip")).toBe(false);
  });

  it("rejects malformed CIDRs with a readable message", () => {
    expect(() => parseCidr("10.0.0.0/33")).toThrow(/not a CIDR range/);
  });
});

describe("BlocklistMatcher", () => {
  const m = new BlocklistMatcher([
    { kind: "ip", value: "2001:DB8::1" },
    { kind: "ip", value: "203.0.113.9" },
    { kind: "cidr", value: "198.51.100.0/25" },
    { kind: "cidr", value: "garbage" },
    { kind: "user_agent", value: "Bad.Agent (x)" },
  ]);

  it("matches exact IPs in canonical form", () => {
    expect(m.match("203.0.113.9", "x")).toBe("blocklist_ip");
    expect(m.match("2001:db8:0:0::1", "x")).toBe("blocklist_ip");
    expect(m.match("203.0.113.90", "x")).toBeNull();
  });

  it("matches CIDRs and skips entries that do not parse", () => {
    expect(m.match("198.51.100.127", "x")).toBe("blocklist_cidr");
    expect(m.match("198.51.100.128", "x")).toBeNull();
    expect(m.invalid).toEqual([{ kind: "cidr", value: "garbage" }]);
    expect(m.size).toBe(4);
  });

  it("matches user agents as case-insensitive literal substrings", () => {
    expect(m.match("1.1.1.1", "Mozilla bad.agent (X) 1.0")).toBe("blocklist_user_agent");
    expect(m.match("1.1.1.1", "Mozilla badXagent (x)")).toBeNull();
  });

  it("an empty list matches nothing", () => {
    expect(new BlocklistMatcher().match("203.0.113.9", "curl/8")).toBeNull();
  });
});
