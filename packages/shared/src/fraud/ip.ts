import ipaddr from "ipaddr.js";

/** An address range as inclusive bounds; IPv4 as numbers, IPv6 as bigints. */
export type IpRange = { v: 4; first: number; last: number } | { v: 6; first: bigint; last: bigint };

/**
 * Parses dotted-quad IPv4 to an unsigned 32-bit number without allocating;
 * returns -1 for anything else. This is the hot path for every click.
 */
export function ipv4ToNumber(ip: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

function ipv6ToBigInt(ip: string): bigint | null {
  try {
    const addr = ipaddr.parse(ip);
    if (addr.kind() === "ipv4") return null;
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return null;
    let n = 0n;
    for (const part of v6.parts) n = (n << 16n) | BigInt(part);
    return n;
  } catch {
    return null;
  }
}

/** `1.2.3.0/24` or `2600:1f00::/24` to inclusive bounds; throws with a readable message. */
export function parseCidr(cidr: string): IpRange {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(cidr.trim());
  } catch {
    throw new Error(`not a CIDR range: "${cidr}" (expected e.g. 203.0.113.0/24)`);
  }
  const [addr, bits] = parsed;
  if (addr.kind() === "ipv4") {
    const base = ipv4ToNumber(addr.toString());
    const size = 2 ** (32 - bits);
    const first = base - (base % size);
    return { v: 4, first, last: first + size - 1 };
  }
  const base = ipv6ToBigInt(addr.toString()) ?? 0n;
  const size = 1n << BigInt(128 - bits);
  const first = base - (base % size);
  return { v: 6, first, last: first + size - 1n };
}

/** IPv4 (or IPv4-mapped IPv6) as a number, IPv6 as a bigint, null when not an address. */
export function ipKey(ip: string): number | bigint | null {
  const v4 = ipv4ToNumber(ip);
  if (v4 >= 0) return v4;
  if (!ip.includes(":")) return null;
  try {
    const addr = ipaddr.parse(ip);
    if (addr.kind() === "ipv6" && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
      return ipv4ToNumber((addr as ipaddr.IPv6).toIPv4Address().toString());
    }
  } catch {
    return null;
  }
  return ipv6ToBigInt(ip);
}

/** Canonical text of an address (so `::ffff:1.2.3.4`, `2001:DB8::1` and friends compare equal). */
export function normaliseIp(ip: string): string {
  if (ipv4ToNumber(ip) >= 0) return ip;
  try {
    const addr = ipaddr.process(ip.trim());
    return addr.toString();
  } catch {
    return ip.trim().toLowerCase();
  }
}

/**
 * A set of ranges answering "does this address fall in any of them" by binary
 * search over merged, sorted bounds.
 */
export class IpRangeSet {
  private readonly v4First: Float64Array;
  private readonly v4Last: Float64Array;
  private readonly v6: Array<{ first: bigint; last: bigint }>;

  constructor(ranges: readonly IpRange[]) {
    const v4 = merge(
      ranges
        .filter((r): r is Extract<IpRange, { v: 4 }> => r.v === 4)
        .map((r) => ({ first: r.first, last: r.last })),
    );
    this.v4First = Float64Array.from(v4.map((r) => r.first));
    this.v4Last = Float64Array.from(v4.map((r) => r.last));
    this.v6 = ranges
      .filter((r): r is Extract<IpRange, { v: 6 }> => r.v === 6)
      .map((r) => ({ first: r.first, last: r.last }))
      .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  }

  get size(): number {
    return this.v4First.length + this.v6.length;
  }

  has(ip: string): boolean {
    const key = ipKey(ip);
    if (key === null) return false;
    if (typeof key === "number") {
      let lo = 0;
      let hi = this.v4First.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (key < this.v4First[mid]!) hi = mid - 1;
        else if (key > this.v4Last[mid]!) lo = mid + 1;
        else return true;
      }
      return false;
    }
    return this.v6.some((r) => key >= r.first && key <= r.last);
  }
}

function merge(
  ranges: Array<{ first: number; last: number }>,
): Array<{ first: number; last: number }> {
  const sorted = [...ranges].sort((a, b) => a.first - b.first);
  const out: Array<{ first: number; last: number }> = [];
  for (const r of sorted) {
    const prev = out[out.length - 1];
    if (prev && r.first <= prev.last + 1) prev.last = Math.max(prev.last, r.last);
    else out.push({ ...r });
  }
  return out;
}
