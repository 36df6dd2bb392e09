import {
  type ClickRecord,
  dayCounterKey,
  dimensionsOf,
  WINDOW_TTL_AFTER_END_S,
  windowCounterKey,
  windowStartMs,
} from "@adclick/shared";
import { describe, expect, it } from "vitest";
import { clickRecord } from "../../../../test/click-record";
import { campaignDelta, type ScoredClick } from "./counter-deltas";
import { decodeClick } from "./decode-click";

const T = Date.UTC(2026, 2, 1, 10, 7, 30);
const click = (over: Partial<ClickRecord> = {}): ClickRecord => clickRecord(T, over);
const scored = (c: ClickRecord, verdict: ScoredClick["verdict"], offset: number): ScoredClick => ({
  click: c,
  offset,
  verdict,
  risk: 0,
  reasons: [],
});

describe("campaignDelta", () => {
  it("counts clean and suspicious clicks in every dimension of window and day, fraud only as fraud", () => {
    const d = campaignDelta(
      "c1",
      [
        scored(click(), "clean", 5),
        scored(click({ user_id: "u2", country: null }), "suspicious", 6),
        scored(click(), "fraud", 9),
      ],
      T / 1000,
    );
    expect(d.fromOffset).toBe(5);
    expect(d.toOffset).toBe(9);
    const all = d.counters.get("counter:{c1}:202603011005:all")!;
    expect({
      clicks: all.clicks,
      cost: all.costMicros,
      suspicious: all.suspicious,
      fraud: all.fraud,
      users: [...all.users],
    }).toEqual({ clicks: 2, cost: 200, suspicious: 1, fraud: 1, users: ["u1", "u2"] });
    expect(all.hllKey).toBe("hll:{c1}:202603011005:all");
    expect(d.counters.get("counter:{c1}:20260301:country:US")!.clicks).toBe(1);
    expect(d.counters.get("counter:{c1}:20260301:device:mobile")!.clicks).toBe(2);
    expect(d.counters.get("counter:{c1}:202603011005:partner:p1")!.fraud).toBe(1);
    expect(all.expireAtS).toBe(Date.UTC(2026, 2, 1, 10, 10) / 1000 + WINDOW_TTL_AFTER_END_S);
    expect(d.counters.get("counter:{c1}:20260301:all")!.expireAtS).toBe(
      Date.UTC(2026, 2, 2) / 1000 + 72 * 3600,
    );
  });

  it("writes exactly the window and day keys of every dimension dimensionsOf names", () => {
    const clicks = [
      click(),
      click({ country: null, device: "tablet", partner_id: "p2" }),
      click({ country: "DE", ts: T + 5 * 60_000 }),
    ];
    const d = campaignDelta(
      "c1",
      clicks.map((c, i) => scored(c, "clean", i)),
      T / 1000,
    );
    const want = new Set(
      clicks.flatMap((c) =>
        dimensionsOf(c).flatMap((dim) => [
          windowCounterKey("c1", windowStartMs(c.ts), dim),
          dayCounterKey("c1", c.ts, dim),
        ]),
      ),
    );
    expect(new Set(d.counters.keys())).toEqual(want);
  });

  it("skips keys that have already expired and counts them", () => {
    const now = T / 1000 + 30 * 3600; // window key gone, day key alive
    const d = campaignDelta("c1", [scored(click(), "clean", 1)], now);
    expect(d.expiredWindows).toBe(1);
    expect(d.expiredDays).toBe(0);
    expect([...d.counters.keys()].every((k) => /:20260301:/.test(k))).toBe(true);
  });
});

describe("decodeClick", () => {
  it("accepts a click record and rejects anything else", () => {
    const c = click();
    expect(decodeClick(Buffer.from(JSON.stringify(c)))).toEqual(c);
    const { country: _country, ...noCountry } = c;
    expect(decodeClick(Buffer.from(JSON.stringify(noCountry)))?.country).toBeNull();
    expect(decodeClick(Buffer.from("{"))).toBeNull();
    expect(decodeClick(Buffer.from(JSON.stringify({ ...c, ts: "x" })))).toBeNull();
    expect(decodeClick(Buffer.from(JSON.stringify({ ...c, device: "fridge" })))).toBeNull();
    expect(decodeClick(null)).toBeNull();
  });
});
