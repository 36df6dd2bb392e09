/**
 * Checks for what an operator types into the admin commands. Each returns the
 * normalised value or throws an Error whose message is the one line the CLI prints.
 */
import { isIPv4, isIPv6 } from "node:net";
import { normaliseIp } from "@adclick/shared";

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

/**
 * An IPv4 or IPv6 address in the canonical form the fraud filter matches
 * (IPv6 compressed and lower-case, IPv4-mapped IPv6 as plain IPv4).
 */
export function parseIp(value: string): string {
  const ip = value.trim();
  if (isIPv4(ip) || isIPv6(ip)) return normaliseIp(ip);
  throw new Error(`--ip must be an IPv4 or IPv6 address, got "${value}"`);
}

/**
 * A CIDR block such as 203.0.113.0/24 or 2001:db8::/32, returned with its
 * network address. Host bits set (10.1.2.3/8) are refused with a suggestion,
 * since they usually mean a typo.
 */
export function parseCidr(value: string): string {
  const text = value.trim();
  const bad = () =>
    new Error(`--cidr must be an IPv4 or IPv6 block such as 203.0.113.0/24, got "${value}"`);
  const slash = text.indexOf("/");
  if (slash < 0) throw bad();
  const address = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) throw bad();
  const bits = Number(bitsText);
  let network: string;
  if (isIPv4(address)) {
    if (bits > 32) throw bad();
    network = bigIntToIpv4(maskBits(ipv4ToBigInt(address), bits, 32));
    if (network !== address) {
      throw new Error(`--cidr ${text} has host bits set; did you mean ${network}/${bits}?`);
    }
  } else if (isIPv6(address)) {
    if (bits > 128) throw bad();
    const canonical = canonicalIpv6(address);
    network = canonicalIpv6(bigIntToIpv6(maskBits(ipv6ToBigInt(canonical), bits, 128)));
    if (network !== canonical) {
      throw new Error(`--cidr ${text} has host bits set; did you mean ${network}/${bits}?`);
    }
  } else {
    throw bad();
  }
  return `${network}/${bits}`;
}

/** A user-agent pattern: matched by the fraud filter; here only checked for sense. */
export function parseUserAgentPattern(value: string): string {
  const pattern = value.trim();
  if (!pattern) throw new Error("--user-agent must not be empty");
  if (pattern.length > 512) throw new Error("--user-agent must be at most 512 characters");
  return pattern;
}

function maskBits(n: bigint, bits: number, width: number): bigint {
  const hostBits = BigInt(width - bits);
  return (n >> hostBits) << hostBits;
}

function ipv4ToBigInt(ip: string): bigint {
  return ip.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function bigIntToIpv4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((n >> shift) & 0xffn)).join(".");
}

/** The WHATWG URL parser already canonicalises IPv6 (RFC 5952), embedded IPv4 included. */
function canonicalIpv6(ip: string): string {
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
}

function ipv6ToBigInt(canonical: string): bigint {
  const [head = "", tail] = canonical.split("::");
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? 0 : 8 - headParts.length - tailParts.length;
  const parts = [...headParts, ...Array<string>(zeros).fill("0"), ...tailParts];
  return parts.reduce((acc, part) => (acc << 16n) | BigInt(Number.parseInt(part, 16)), 0n);
}

function bigIntToIpv6(n: bigint): string {
  const parts: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n)
    parts.push(((n >> shift) & 0xffffn).toString(16));
  return parts.join(":");
}
