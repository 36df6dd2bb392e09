import { describe, expect, it } from "vitest";
import { normaliseIp } from "./fraud/ip";
import { BlocklistAdd, normaliseBlockValue, ReviewFilter } from "./review";

describe("normaliseBlockValue", () => {
  it("accepts addresses and networks in their normal spelling", () => {
    expect(normaliseBlockValue("ip", " 203.0.113.9 ")).toBe("203.0.113.9");
    expect(normaliseBlockValue("ip", "2001:DB8::1")).toBe(normaliseIp("2001:db8::1"));
    expect(normaliseBlockValue("cidr", "198.51.100.0/24")).toBe("198.51.100.0/24");
    expect(normaliseBlockValue("user_agent", " curl/ ")).toBe("curl/");
  });
  it("refuses what is not one, and networks with host bits set", () => {
    expect(normaliseBlockValue("ip", "203.0.113")).toBeNull();
    expect(normaliseBlockValue("cidr", "10.1.2.3/8")).toBeNull();
    expect(normaliseBlockValue("cidr", "10.0.0.0")).toBeNull();
    expect(normaliseBlockValue("user_agent", "  ")).toBeNull();
  });
});

describe("the review inputs", () => {
  it("name the field that is wrong", () => {
    const bad = BlocklistAdd.safeParse({ kind: "cidr", value: "10.1.2.3/8", reason: "x" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(["value"]);
    expect(ReviewFilter.safeParse({ minRisk: 0.6, maxRisk: 0.4 }).success).toBe(false);
  });
});
