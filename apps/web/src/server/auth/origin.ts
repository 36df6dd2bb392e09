import { readCookie, SESSION_COOKIE } from "./session-token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Why a request must be refused as cross-site (403), or null when it may pass.
 *
 * A state-changing request (tRPC POST, a server action, a form) is refused when
 * its `Origin` names another host than the one it was sent to, or when it
 * carries the session cookie but no `Origin` at all (browsers always send one on
 * POST; a request without it that relies on the cookie is not a same-site page).
 * The host is compared, not the scheme: a TLS-terminating proxy changes the scheme.
 */
export function foreignOriginReason(request: { method: string; headers: Headers }): string | null {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return null;
  const host = (request.headers.get("x-forwarded-host") ?? request.headers.get("host"))
    ?.split(",")[0]
    ?.trim()
    .toLowerCase();
  const origin = request.headers.get("origin");
  if (origin === null) {
    if (request.headers.get("sec-fetch-site") === "cross-site") return "cross-site request";
    return readCookie(request.headers, SESSION_COOKIE)
      ? "a signed-in request without an Origin header"
      : null;
  }
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return `unreadable Origin "${origin}"`;
  }
  if (!host || originHost !== host) return `Origin ${origin} is not this site`;
  return null;
}
