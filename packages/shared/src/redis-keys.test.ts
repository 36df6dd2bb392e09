import { describe, expect, it } from "vitest";
import { dayCounterKey, dimensionsOf, uniqueUsersKey, windowCounterKey } from "./redis-keys";

describe("C3 counter keys", () => {
  const ts = Date.UTC(2026, 10, 27, 10, 7, 30);
  it("spell windows, days and dimensions as the contract says", () => {
    expect(windowCounterKey("c-9", Date.UTC(2026, 10, 27, 10, 5), "all")).toBe(
      "counter:{c-9}:202611271005:all",
    );
    expect(dayCounterKey("c-9", ts, "country:DE")).toBe("counter:{c-9}:20261127:country:DE");
    expect(uniqueUsersKey("counter:{c-9}:20261127:all")).toBe("hll:{c-9}:20261127:all");
  });

  it("count a click in all, device, partner and (when known) country", () => {
    expect(dimensionsOf({ country: "FR", device: "mobile", partner_id: "p1" })).toEqual([
      "all",
      "device:mobile",
      "partner:p1",
      "country:FR",
    ]);
    expect(dimensionsOf({ country: null, device: "other", partner_id: "p1" })).toEqual([
      "all",
      "device:other",
      "partner:p1",
    ]);
  });
});
