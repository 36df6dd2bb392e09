/**
 * Checks for what an operator types into the admin commands. Each returns the
 * normalised value or throws an Error whose message is the one line the CLI prints.
 */

/** Ids appear in Redis keys (C3) and URLs, so they stay plain: no braces, colons or spaces. */
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function parseId(what: string, value: string): string {
  const id = value.trim();
  if (!ID_RE.test(id)) {
    throw new Error(
      `${what} must be 1-64 characters of A-Z a-z 0-9 _ . - starting with a letter or digit, got "${value}"`,
    );
  }
  return id;
}

export function parseName(what: string, value: string): string {
  const name = value.trim();
  if (!name) throw new Error(`${what} must not be empty`);
  if (name.length > 200) throw new Error(`${what} must be at most 200 characters`);
  return name;
}

/** A price per click in integer micros (1 USD = 1,000,000). */
export function parseCpcMicros(value: string): number {
  const text = value.trim().replaceAll("_", "");
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1) {
    throw new Error(
      `--cpc-micros must be a positive whole number of micros (e.g. 250000 for $0.25), got "${value}"`,
    );
  }
  return n;
}

export function parseLandingUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`--landing-url must be an absolute http(s) URL, got "${value}"`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname) {
    throw new Error(`--landing-url must be an absolute http(s) URL, got "${value}"`);
  }
  return url.toString();
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function parseEmail(value: string): string {
  const email = value.trim().toLowerCase();
  if (!EMAIL_RE.test(email) || email.length > 254) {
    throw new Error(`--email must be an email address like name@example.com, got "${value}"`);
  }
  return email;
}

export const MIN_PASSWORD_LENGTH = 8;

export function parsePassword(value: string): string {
  if (value.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`--password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (value.length > 1024) throw new Error("--password must be at most 1024 characters");
  return value;
}

export const ROLES = ["advertiser", "analyst", "finance", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function parseRole(value: string): Role {
  const role = ROLES.find((r) => r === value.trim());
  if (!role) throw new Error(`--role must be one of ${ROLES.join("|")}, got "${value}"`);
  return role;
}

/** The blocklist's values share one check with the dashboard's form (packages/shared). */
export {
  parseBlockedCidr as parseCidr,
  parseBlockedIp as parseIp,
  parseBlockedUserAgent as parseUserAgentPattern,
} from "@adclick/shared/blocklist-value";
