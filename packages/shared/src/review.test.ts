import { describe, expect, it } from "vitest";
import { parseBlockValue } from "./blocklist-value";
import { auditChange, BlocklistAdd, FraudRatesInput, ReviewFilter, rateOf } from "./review";

describe("parseBlockValue", () => {
  it("gives addresses and networks the spelling the fraud filter matches", () => {
    expect(parseBlockValue("ip", " 203.0.113.9 ")).toBe("203.0.113.9");
    expect(parseBlockValue("ip", "2001:DB8:0:0:0:0:0:1")).toBe("2001:db8::1");
    expect(parseBlockValue("ip", "::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(parseBlockValue("cidr", "2001:DB8::/32")).toBe("2001:db8::/32");
    expect(parseBlockValue("user_agent", " curl/ ")).toBe("curl/");
  });
  it("names the label it is given in what it refuses", () => {
    expect(() => parseBlockValue("ip", "203.0.113", "The IP address")).toThrow(
      'The IP address must be an IPv4 or IPv6 address, got "203.0.113"',
    );
    expect(() => parseBlockValue("cidr", "10.1.2.3/8", "The network")).toThrow(
      "The network 10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?",
    );
    expect(() => parseBlockValue("cidr", "10.0.0.0")).toThrow(/^--cidr must be an IPv4 or IPv6/);
    expect(() => parseBlockValue("ip", "fe80::1%eth0")).toThrow(/--ip must be/);
    expect(() => parseBlockValue("user_agent", "  ")).toThrow("--user-agent must not be empty");
  });
});

describe("the review inputs", () => {
  const issues = (input: unknown) =>
    BlocklistAdd.safeParse(input).error?.issues.map((i) => [i.path.join("."), i.message]);

  it("normalise a blocklist entry's value", () => {
    expect(BlocklistAdd.parse({ kind: "ip", value: "2001:DB8::7 ", reason: " farm " })).toEqual({
      kind: "ip",
      value: "2001:db8::7",
      reason: "farm",
    });
  });
  it("name the field that is wrong and what to do", () => {
    expect(issues({ kind: "cidr", value: "10.1.2.3/8", reason: "x" })).toEqual([
      ["value", "The network 10.1.2.3/8 has host bits set; did you mean 10.0.0.0/8?"],
    ]);
    expect(issues({ kind: "ip", value: "1.2.3.4", reason: " " })).toEqual([
      ["reason", "Give a reason, for the audit trail"],
    ]);
    expect(issues({ kind: "ip", value: "1.2.3", reason: "", expiresAt: "soon" })).toEqual([
      ["value", 'The IP address must be an IPv4 or IPv6 address, got "1.2.3"'],
      ["reason", "Give a reason, for the audit trail"],
      ["expiresAt", "The expiry must be a date and time"],
    ]);
    expect(
      issues({ kind: "ip", value: "1.2.3.4", reason: "x", expiresAt: "2020-01-01T00:00:00Z" }),
    ).toEqual([["expiresAt", "The expiry must be in the future"]]);
    expect(ReviewFilter.safeParse({ minRisk: 0.6, maxRisk: 0.4 }).success).toBe(false);
  });
});

describe("auditChange", () => {
  it("reads decisions, additions and removals one way: before and after", () => {
    expect(
      auditChange("review.decide", { before: { status: "pending" }, after: { status: "fraud" } }),
    ).toEqual({
      before: { status: "pending" },
      after: { status: "fraud" },
    });
    expect(auditChange("blocklist.add", { kind: "ip", value: "192.0.2.1" })).toEqual({
      before: null,
      after: { kind: "ip", value: "192.0.2.1" },
    });
    expect(auditChange("blocklist.remove", { kind: "ip", value: "192.0.2.1" })).toEqual({
      before: { kind: "ip", value: "192.0.2.1" },
      after: null,
    });
  });
});

describe("the rate charts' inputs", () => {
  it("refuse a reversed or too long range, and give 0 for a day without clicks", () => {
    expect(
      FraudRatesInput.safeParse({ by: "partner", from: "2026-12-01", to: "2026-12-03" }).success,
    ).toBe(true);
    expect(
      FraudRatesInput.safeParse({ by: "partner", from: "2026-12-03", to: "2026-12-01" }).error
        ?.issues[0]?.message,
    ).toBe("the first day must not be after the last");
    expect(
      FraudRatesInput.safeParse({ by: "campaign", from: "2026-01-01", to: "2026-12-01" }).error
        ?.issues[0]?.message,
    ).toBe("choose at most 92 days");
    expect(rateOf(5, 0)).toBe(0);
    expect(rateOf(100, 1000)).toBe(0.1);
  });
});
