import { describe, expect, it } from "vitest";
import { eventHourHint } from "./event-hour-hint";

const HOUR = 3_600_000;
const hint = (json: string) => eventHourHint(Buffer.from(json));

describe("eventHourHint", () => {
  it("reads the hour of the ts key however the JSON is spaced", () => {
    const ts = 1_768_471_234_567;
    const hour = Math.floor(ts / HOUR) * HOUR;
    expect(hint(`{"event_id":"a","ts":${ts},"device":"mobile"}`)).toBe(hour);
    expect(hint(`{"ts": ${ts} }`)).toBe(hour);
    expect(hint(`{"ts":\n${ts}\n}`)).toBe(hour);
    expect(hint(`{"event_id":"a","ts":${ts}}`)).toBe(hour);
  });

  it("floors negative times to the hour before", () => {
    expect(hint(`{"ts":-1}`)).toBe(-HOUR);
  });

  it("gives no hint when ts is not a plain integer or is missing", () => {
    expect(hint(`{"ts":"1768471234567"}`)).toBeNull();
    expect(hint(`{"ts":1768471234.5}`)).toBeNull();
    expect(hint(`{"ts":1.7e12}`)).toBeNull();
    expect(hint(`{"ts":null}`)).toBeNull();
    expect(hint(`{"ts":12345678901234567890}`)).toBeNull();
    expect(hint(`{"ts":`)).toBeNull();
    expect(hint(`{"event_id":"a"}`)).toBeNull();
    expect(hint(`{"ts" : 5}`)).toBeNull();
  });

  it("does not take a key that only ends in ts, or text inside a string", () => {
    expect(hint(`{"counts":5}`)).toBeNull();
    expect(hint(`{"referrer":"x\\"ts\\":5"}`)).toBeNull();
  });
});
