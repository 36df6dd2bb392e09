import { describe, expect, it } from "vitest";
import { invoiceCsv, microsDecimal } from "./invoice-csv";

describe("invoiceCsv", () => {
  it("prints exact decimals and a total row equal to the sum of the amounts", () => {
    expect(microsDecimal(-670_000)).toBe("-0.670000");
    const csv = invoiceCsv(
      {
        number: 7,
        advertiserId: "acme",
        month: "2026-11-01",
        status: "issued",
        totalMicros: 2_660_000,
      },
      [
        {
          kind: "usage",
          campaignId: "a",
          day: null,
          cause: null,
          clicks: 10,
          invalidClicks: 1,
          pricePerClickMicros: 333_333,
          amountMicros: 3_330_000,
        },
        {
          kind: "credit",
          campaignId: "a",
          day: "2026-10-06",
          cause: "invalid activity: 2, removed",
          clicks: -2,
          invalidClicks: 2,
          pricePerClickMicros: 333_333,
          amountMicros: -670_000,
        },
      ],
    );
    const rows = csv.trimEnd().split("\r\n");
    expect(rows).toHaveLength(4);
    expect(rows[2]).toContain('"invalid activity: 2, removed"');
    expect(rows[3]).toBe("7,acme,2026-11,total,,,,,,,2.660000");
    const amounts = rows.slice(1, 3).map((r) => Number(r.split(",").at(-1)));
    expect(amounts.reduce((s, a) => s + a, 0).toFixed(6)).toBe("2.660000");
  });
});
