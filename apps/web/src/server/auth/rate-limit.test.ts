import { describe, expect, it } from "vitest";
import { decideSignInLimit, tooManyAttemptsMessage } from "./rate-limit";

const limits = { windowMs: 15 * 60_000, perAccount: 5, perIp: 30 };
const now = new Date("2026-03-01T12:00:00Z");
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const none = { count: 0, oldestAt: null };

describe("decideSignInLimit", () => {
  it("allows attempts below both limits", () => {
    expect(
      decideSignInLimit({ account: { count: 4, oldestAt: minutesAgo(3) }, ip: none }, now, limits),
    ).toEqual({ allowed: true });
  });

  it("blocks an account at its limit until its oldest failure leaves the window", () => {
    expect(
      decideSignInLimit({ account: { count: 5, oldestAt: minutesAgo(3) }, ip: none }, now, limits),
    ).toEqual({ allowed: false, retryAfterMs: 12 * 60_000 });
  });

  it("blocks an IP at its limit, and takes the later of two blocks", () => {
    expect(
      decideSignInLimit(
        {
          account: { count: 5, oldestAt: minutesAgo(14) },
          ip: { count: 30, oldestAt: minutesAgo(10) },
        },
        now,
        limits,
      ),
    ).toEqual({ allowed: false, retryAfterMs: 5 * 60_000 });
  });
});

describe("tooManyAttemptsMessage", () => {
  it("rounds up to whole minutes, with the right plural", () => {
    expect(tooManyAttemptsMessage(12 * 60_000)).toBe(
      "Too many sign-in attempts; try again in 12 minutes",
    );
    expect(tooManyAttemptsMessage(61_000)).toBe(
      "Too many sign-in attempts; try again in 2 minutes",
    );
    expect(tooManyAttemptsMessage(1_000)).toBe("Too many sign-in attempts; try again in 1 minute");
  });
});
