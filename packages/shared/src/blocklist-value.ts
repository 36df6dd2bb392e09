/**
 * The one check of a blocklist entry's value, used by `adclick blocklist add` and
 * the dashboard's blocklist form: each returns the value as the fraud filter
 * matches it, or throws an Error whose message starts with `label` (the CLI
 * passes its flag, the dashboard a field name).
 */
import ipaddr from "ipaddr.js";
import { normaliseIp } from "./fraud/ip";

export const BLOCKLIST_KINDS = ["ip", "cidr", "user_agent"] as const;
export type BlocklistKind = (typeof BLOCKLIST_KINDS)[number];

const isIPv4 = (text: string) => ipaddr.IPv4.isValidFourPartDecimal(text);
const isIPv6 = (text: string) => !text.includes("%") && ipaddr.IPv6.isValid(text);

/**
 * An IPv4 or IPv6 address in the canonical form the fraud filter matches
 * (IPv6 compressed and lower-case, IPv4-mapped IPv6 as plain IPv4).
 */
export function parseBlockedIp(value: string, label = "--ip"): string {
  const ip = value.trim();
  if (isIPv4(ip) || isIPv6(ip)) return normaliseIp(ip);
  throw new Error(`${label} must be an IPv4 or IPv6 address, got "${value}"`);
}

/**
 * A CIDR block such as 203.0.113.0/24 or 2001:db8::/32, returned with its
 * network address. Host bits set (10.1.2.3/8) are refused with a suggestion,
 * since they usually mean a typo.
 */
export function parseBlockedCidr(value: string, label = "--cidr"): string {
  const text = value.trim();
  const bad = () =>
    new Error(`${label} must be an IPv4 or IPv6 block such as 203.0.113.0/24, got "${value}"`);
  const slash = text.indexOf("/");
  if (slash < 0) throw bad();
  const address = text.slice(0, slash);
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) throw bad();
  const bits = Number(bitsText);
  let network: string;
  let given: string;
  if (isIPv4(address)) {
    if (bits > 32) throw bad();
    given = address;
    network = bigIntToIpv4(maskBits(ipv4ToBigInt(address), bits, 32));
  } else if (isIPv6(address)) {
    if (bits > 128) throw bad();
    given = canonicalIpv6(address);
    network = canonicalIpv6(bigIntToIpv6(maskBits(ipv6ToBigInt(given), bits, 128)));
  } else {
    throw bad();
  }
  if (network !== given) {
    throw new Error(`${label} ${text} has host bits set; did you mean ${network}/${bits}?`);
  }
  return `${network}/${bits}`;
}

/** A user-agent pattern: matched by the fraud filter; here only checked for sense. */
export function parseBlockedUserAgent(value: string, label = "--user-agent"): string {
  const pattern = value.trim();
  if (!pattern) throw new Error(`${label} must not be empty`);
  if (pattern.length > 512) throw new Error(`${label} must be at most 512 characters`);
  return pattern;
}

/** The value of an entry of `kind`, checked by the parser for that kind. */
export function parseBlockValue(kind: BlocklistKind, value: string, label?: string): string {
  if (kind === "ip") return parseBlockedIp(value, label);
  if (kind === "cidr") return parseBlockedCidr(value, label);
  return parseBlockedUserAgent(value, label);
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
