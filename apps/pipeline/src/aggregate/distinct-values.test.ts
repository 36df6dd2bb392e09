import { describe, expect, it } from "vitest";
import { DistinctValues, scriptField } from "./distinct-values";

describe("scriptField", () => {
  it("never yields a newline or an empty field, and keeps different values apart", () => {
    const values = ["u1", "", "\\e", "a\nb", "a\\nb", "a\\\nb", "\\", "\n", "198.51.100.7"];
    const fields = values.map(scriptField);
    for (const f of fields) {
      expect(f).not.toContain("\n");
      expect(f.length).toBeGreaterThan(0);
    }
    expect(new Set(fields).size).toBe(values.length);
    expect(scriptField("u1")).toBe("u1");
  });
});

describe("DistinctValues", () => {
  it("indexes values in first-seen order, counts them and packs one line each", () => {
    const d = new DistinctValues();
    const idx = ["u1", "u2", "u1", "", "x\ny", "u2", "u1"].map((v) => d.add(v));
    expect(idx).toEqual([0, 1, 0, 2, 3, 1, 0]);
    expect(d.counts).toEqual([3, 2, 1, 1]);
    expect(d.packed.split("\n")).toEqual(["u1", "u2", "\\e", "x\\ny"]);
  });
});
