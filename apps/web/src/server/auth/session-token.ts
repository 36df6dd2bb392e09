import { createHash, randomBytes } from "node:crypto";

/** The session cookie: a random opaque id; the database keeps only its SHA-256. */
export const SESSION_COOKIE = "adclick_session";

/** A session ends after 12 h without a request… */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** …and 7 days after sign-in, however active. */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** `last_seen_at` is written at most this often, not on every request. */
export const SESSION_TOUCH_MS = 60 * 1000;

/** 256 random bits, URL-safe. */
export function newSessionId(): string {
  return randomBytes(32).toString("base64url");
}

export function hashSessionId(id: string): string {
  return createHash("sha256").update(id, "utf8").digest("hex");
}

export interface SessionTimes {
  lastSeenAt: Date;
  expiresAt: Date;
}

/** Whether a stored session still signs its holder in at `now`. */
export function isSessionLive(session: SessionTimes, now: Date): boolean {
  return (
    now.getTime() < session.expiresAt.getTime() &&
    now.getTime() - session.lastSeenAt.getTime() < SESSION_IDLE_MS
  );
}

export function needsTouch(session: SessionTimes, now: Date): boolean {
  return now.getTime() - session.lastSeenAt.getTime() >= SESSION_TOUCH_MS;
}

/**
 * Whether the request reached us over TLS: directly (an https URL) or through a
 * proxy that says so (`x-forwarded-proto: https`). The cookie is `Secure` then.
 */
export function isSecureRequest(headers: Headers, url?: string): boolean {
  const forwarded = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  if (forwarded) return forwarded === "https";
  return url?.startsWith("https:") ?? false;
}

export interface SessionCookieOptions {
  httpOnly: true;
  sameSite: "lax";
  secure: boolean;
  path: "/";
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
}

export function sessionCookieOptions(secure: boolean, maxAgeMs: number): SessionCookieOptions {
  return {
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: "/",
    maxAge: Math.max(0, Math.floor(maxAgeMs / 1000)),
  };
}

/** One cookie's value from a `Cookie` header, or null. */
export function readCookie(headers: Headers, name: string): string | null {
  const header = headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(value) || null;
      } catch {
        return null;
      }
    }
  }
  return null;
}
