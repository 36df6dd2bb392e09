import { describe, expect, it } from "vitest";
import {
  BillingExportQuery,
  buildInvoice,
  IssueInvoiceInput,
  monthNotEndedReason,
  monthRange,
} from "./invoice";
import { roundMicrosToCents } from "./money";

const day = (
  d: string,
  campaignId: string,
  clicks: number,
  costMicros: number,
  fraudClicks = 0,
) => ({
  day: d,
  campaignId,
  clicks,
  costMicros,
  fraudClicks,
});

describe("roundMicrosToCents", () => {
  it("rounds half away from zero to whole cents", () => {
    expect(roundMicrosToCents(12_345)).toBe(10_000);
    expect(roundMicrosToCents(15_000)).toBe(20_000);
    expect(roundMicrosToCents(14_999)).toBe(10_000);
    expect(roundMicrosToCents(-15_000)).toBe(-20_000);
    expect(roundMicrosToCents(-4_999)).toBe(0);
    expect(Object.is(roundMicrosToCents(-4_999), -0)).toBe(false);
  });
});

describe("monthRange", () => {
  it("knows month lengths and refuses nonsense", () => {
    expect(monthRange("2024-02")).toEqual({ from: "2024-02-01", to: "2024-02-29" });
    expect(monthRange("2026-12")).toEqual({ from: "2026-12-01", to: "2026-12-31" });
    expect(() => monthRange("2026-13")).toThrow(/YYYY-MM/);
  });
});

describe("buildInvoice", () => {
  it("makes one usage line per campaign whose exact micros equal the billed sum", () => {
    const inv = buildInvoice(
      [
        day("2026-11-01", "b", 3, 1_503_333, 1),
        day("2026-11-02", "b", 2, 1_002_222),
        day("2026-11-01", "a", 1, 250_000),
      ],
      [],
      [],
    );
    expect(inv.lines.map((l) => l.campaignId)).toEqual(["a", "b"]);
    const b = inv.lines[1];
    expect(b).toMatchObject({
      kind: "usage",
      clicks: 5,
      invalidClicks: 1,
      costMicros: 2_505_555,
      amountMicros: 2_510_000,
    });
    expect(inv.totalMicros).toBe(250_000 + 2_510_000);
    expect(inv.totalMicros).toBe(inv.lines.reduce((s, l) => s + l.amountMicros, 0));
    expect(inv.clicks).toBe(6);
    expect(inv.basis).toHaveLength(3);
  });

  it("credits a verdict after issue once, and a re-bill with the same result adds nothing", () => {
    const issued = [day("2026-10-05", "a", 10, 5_000_000)];
    const after = [day("2026-10-05", "a", 8, 4_000_000, 2)];
    const first = buildInvoice([], after, issued);
    expect(first.lines).toHaveLength(1);
    expect(first.lines[0]).toMatchObject({
      kind: "credit",
      day: "2026-10-05",
      campaignId: "a",
      clicks: -2,
      amountMicros: -1_000_000,
    });
    expect(first.lines[0]?.cause).toMatch(/invalid activity/);
    // The next invoice sees both the original and the adjustment as covered.
    const again = buildInvoice([], after, [...issued, ...first.basis]);
    expect(again.lines).toEqual([]);
    expect(again.totalMicros).toBe(0);
  });

  it("debits late valid clicks, naming the day", () => {
    const inv = buildInvoice(
      [],
      [day("2026-10-31", "c", 12, 6_000_000)],
      [day("2026-10-31", "c", 10, 5_000_000)],
    );
    expect(inv.lines).toEqual([
      expect.objectContaining({
        kind: "debit",
        day: "2026-10-31",
        campaignId: "c",
        clicks: 2,
        amountMicros: 1_000_000,
      }),
    ]);
    expect(inv.lines[0]?.cause).toMatch(/late/);
  });
});

describe("IssueInvoiceInput", () => {
  it("takes an advertiser and a real month, and names what is wrong otherwise", () => {
    expect(IssueInvoiceInput.parse({ advertiserId: " acme ", month: "2026-11" })).toEqual({
      advertiserId: "acme",
      month: "2026-11",
    });
    const bad = IssueInvoiceInput.safeParse({ advertiserId: "", month: "2026-13" });
    expect(bad.error?.issues.map((i) => i.message)).toEqual([
      "advertiser is required",
      "month must be YYYY-MM, e.g. 2026-11",
    ]);
  });
});

describe("BillingExportQuery", () => {
  const problems = (q: Record<string, string>) =>
    BillingExportQuery.safeParse(q).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`);

  it("accepts an inclusive range of calendar days, leap day included", () => {
    expect(problems({ from: "2024-02-29", to: "2024-02-29", advertiser: "acme" })).toBeUndefined();
    expect(problems({ from: "2026-01-01", to: "2027-01-01" })).toBeUndefined();
  });

  it("names the parameter of a missing, impossible or reversed date and a too long range", () => {
    expect(problems({ to: "2026-11-30" })).toEqual(["from: from is required (YYYY-MM-DD)"]);
    expect(problems({ from: "2026-02-30", to: "2026-03-01" })).toEqual([
      "from: from must be a calendar date YYYY-MM-DD, e.g. 2026-11-01",
    ]);
    expect(problems({ from: "2026-11-30", to: "2026-11-01" })).toEqual([
      "to: to must not be before from",
    ]);
    expect(problems({ from: "2026-01-01", to: "2027-01-02" })).toEqual([
      "to: the range may cover at most 366 days",
    ]);
  });
});

describe("monthNotEndedReason", () => {
  it("refuses a month until its last UTC day is over, and names the day it opens", () => {
    const at = (iso: string) => Date.parse(iso);
    expect(monthNotEndedReason("2026-11", at("2026-11-30T23:59:59.999Z"))).toBe(
      "2026-11 has not ended yet; it can be invoiced from 2026-12-01 (UTC)",
    );
    expect(monthNotEndedReason("2026-11", at("2026-12-01T00:00:00Z"))).toBeNull();
    expect(monthNotEndedReason("2026-12", at("2026-12-03T07:00:00Z"))).toBe(
      "2026-12 has not ended yet; it can be invoiced from 2027-01-01 (UTC)",
    );
    expect(monthNotEndedReason("2027-03", at("2026-12-03T07:00:00Z"))).toMatch(/not ended/);
  });
});
