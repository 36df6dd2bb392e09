import { describe, expect, it } from "vitest";
import { clickIdentity, SeenWindow } from "./seen-window";

const click = (fields: Record<string, unknown>) => Buffer.from(JSON.stringify(fields));

describe("clickIdentity", () => {
  it("reads partner_id and event_id from a plain JSON click", () => {
    expect(
      clickIdentity(click({ event_id: "e-1", partner_id: "p-1", campaign_id: "c", ts: 1 })),
    ).toBe("p-1\ne-1");
  });

  it("tells apart the same event id from two partners", () => {
    expect(clickIdentity(click({ event_id: "e", partner_id: "a" }))).not.toBe(
      clickIdentity(click({ event_id: "e", partner_id: "b" })),
    );
  });

  it("parses values the byte scan cannot read (escapes, spacing)", () => {
    expect(clickIdentity(click({ event_id: 'e"1\\', partner_id: "p" }))).toBe('p\ne"1\\');
    expect(clickIdentity(Buffer.from('{ "partner_id" : "p", "event_id" : "e" }'))).toBe("p\ne");
  });

  it("is null for what is not a click with both ids", () => {
    expect(clickIdentity(null)).toBeNull();
    expect(clickIdentity(Buffer.alloc(0))).toBeNull();
    expect(clickIdentity(Buffer.from("not json"))).toBeNull();
    expect(clickIdentity(click({ event_id: "e" }))).toBeNull();
    expect(clickIdentity(click({ event_id: 7, partner_id: "p" }))).toBeNull();
  });
});

describe("SeenWindow", () => {
  it("remembers pairs of the last `size` offsets and forgets older ones", () => {
    const w = new SeenWindow(10, 0n);
    w.add("a", 0);
    w.add("b", 5);
    expect(w.has("a")).toBe(true);
    w.add("c", 10);
    expect(w.has("a")).toBe(true); // 10 - 10 = 0: still inside
    w.add("d", 11);
    expect(w.has("a")).toBe(false);
    expect([w.has("b"), w.has("c"), w.has("d")]).toEqual([true, true, true]);
    expect(w.count).toBe(3);
  });

  it("keeps a pair at its first offset: a later copy does not extend it", () => {
    const w = new SeenWindow(3, 0n);
    w.add("a", 0);
    w.add("a", 3);
    w.add("x", 4);
    expect(w.has("a")).toBe(false);
  });

  it("holds at most `size` + 1 pairs however many are added", () => {
    const w = new SeenWindow(100, 0n);
    for (let i = 0; i < 10_000; i++) w.add(`k${i}`, i);
    expect(w.count).toBe(101);
    expect(w.has("k9899")).toBe(true);
    expect(w.has("k9898")).toBe(false);
  });
});
