import { FEATURE_NAMES } from "@adclick/shared";
import { describe, expect, it } from "vitest";
import { createLogger } from "../runtime/logger";
import { ModelSource } from "./model-source";

const params = (intercept: number) => ({
  kind: "logistic_regression",
  features: [...FEATURE_NAMES],
  weights: FEATURE_NAMES.map(() => 0),
  intercept,
});

describe("ModelSource", () => {
  it("swaps in the active model on refresh, keeps the current one on a bad read, and drops it when none is active", async () => {
    let stored: { version: number; params: Record<string, unknown> } | null = null;
    const changes: Array<number | null> = [];
    const source = new ModelSource(
      async () => stored,
      createLogger("silent"),
      1000,
      (v) => changes.push(v),
    );
    await source.refresh();
    expect(source.current).toBeUndefined();

    stored = { version: 3, params: params(5) };
    await source.refresh();
    expect(source.current?.name).toBe("v3");
    const v3 = source.current;
    await source.refresh();
    expect(source.current).toBe(v3); // same version: not rebuilt

    stored = { version: 4, params: { kind: "gbm" } };
    await expect(source.refresh()).rejects.toThrow("model version 4 is not a logistic regression");
    expect(source.current?.name).toBe("v3");

    stored = { version: 5, params: { ...params(0), features: ["old_feature"], weights: [1] } };
    await expect(source.refresh()).rejects.toThrow("train a new model");
    expect(source.version).toBe(3);

    stored = null;
    await source.refresh();
    expect(source.current).toBeUndefined();
    expect(changes).toEqual([3, null]);
    expect(() => new ModelSource(async () => null, createLogger("silent"), 60_000)).toThrow("30 s");
  });
});
