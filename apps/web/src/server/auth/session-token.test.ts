import { describe, expect, it } from "vitest";
import {
  hashSessionId,
  isSecureRequest,
  isSessionLive,
  needsTouch,
  newSessionId,
  readCookie,
  SESSION_ABSOLUTE_MS,
  sessionCookieOptions,
} from "./session-token";

const HOUR = 3_600_000;
const signedInAt = new Date("2026-03-01T08:00:00Z");
const at = (hours: number) => new Date(signedInAt.getTime() + hours * HOUR);

describe("session ids", () => {
  it("are 256 random bits, URL-safe, stored only as a SHA-256 hex", () => {
    const id = newSessionId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSessionId()).not.toBe(id);
    expect(hashSessionId("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});

describe("isSessionLive", () => {
  const session = {
    lastSeenAt: at(0),
    expiresAt: new Date(signedInAt.getTime() + SESSION_ABSOLUTE_MS),
  };

  it("ends after 12 idle hours", () => {
    expect(isSessionLive(session, at(11.9))).toBe(true);
    expect(isSessionLive(session, at(12))).toBe(false);
  });

  it("ends 7 days after sign-in however recently it was used", () => {
    const busy = { ...session, lastSeenAt: at(7 * 24 - 0.5) };
    expect(isSessionLive(busy, at(7 * 24 - 0.1))).toBe(true);
    expect(isSessionLive(busy, at(7 * 24))).toBe(false);
  });

  it("is touched at most once a minute", () => {
    expect(needsTouch(session, new Date(signedInAt.getTime() + 59_000))).toBe(false);
    expect(needsTouch(session, new Date(signedInAt.getTime() + 60_000))).toBe(true);
  });
});

describe("cookies", () => {
  it("are HttpOnly, SameSite=Lax, whole-site, Secure only behind TLS", () => {
    expect(sessionCookieOptions(false, SESSION_ABSOLUTE_MS)).toEqual({
      httpOnly: true,
      sameSite: "lax",
      secure: false,
      path: "/",
      maxAge: 604_800,
    });
    expect(sessionCookieOptions(true, 0).secure).toBe(true);
    expect(sessionCookieOptions(true, 0).maxAge).toBe(0);
  });

  it("count as TLS from x-forwarded-proto or an https URL", () => {
    expect(isSecureRequest(new Headers({ "x-forwarded-proto": "https" }))).toBe(true);
    expect(isSecureRequest(new Headers({ "x-forwarded-proto": "http" }), "https://x/")).toBe(false);
    expect(isSecureRequest(new Headers(), "https://dash.example.com/login")).toBe(true);
    expect(isSecureRequest(new Headers(), "http://127.0.0.1:3000/login")).toBe(false);
  });

  it("are read by name from the Cookie header", () => {
    const headers = new Headers({ cookie: "theme=dark; adclick_session=abc%2Dd; x=1" });
    expect(readCookie(headers, "adclick_session")).toBe("abc-d");
    expect(readCookie(headers, "missing")).toBeNull();
    expect(readCookie(new Headers(), "adclick_session")).toBeNull();
  });
});
