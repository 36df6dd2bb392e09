/**
 * Country from an IP address, offline, from the GeoLite2-derived country tables
 * that the `geoip-lite` npm package ships (data: CC BY-SA 4.0, MaxMind). We read
 * only its two country files (~14 MB) instead of importing geoip-lite, which
 * loads ~150 MB of city tables into memory at import. Same binary format:
 * IPv4 records are [start u32][end u32][country 2 bytes]; IPv6 records are
 * [start 16 bytes][end 16 bytes][country 2 bytes], compared on the top 64 bits.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isIPv4, isIPv6 } from "node:net";
import { dirname, join } from "node:path";

const V4_RECORD = 10;
const V6_RECORD = 34;

interface Tables {
  v4: Buffer;
  v6: Buffer;
}

let tables: Tables | null | undefined;

function load(): Tables | null {
  if (tables !== undefined) return tables;
  try {
    const dir = join(
      dirname(createRequire(import.meta.url).resolve("geoip-lite/package.json")),
      "data",
    );
    tables = {
      v4: readFileSync(join(dir, "geoip-country.dat")),
      v6: readFileSync(join(dir, "geoip-country6.dat")),
    };
  } catch {
    tables = null;
  }
  return tables;
}

/** Loads the tables now (at start) rather than on the first click. False when the data is missing. */
export function preloadGeo(): boolean {
  return load() !== null;
}

/** ISO 3166-1 alpha-2 code, or null for private, reserved and unknown addresses. */
export function countryFromIp(ip: string): string | null {
  const t = load();
  if (!t) return null;
  if (isIPv4(ip)) return lookupV4(t.v4, ipv4ToInt(ip));
  if (isIPv6(ip)) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    if (mapped?.[1]) return lookupV4(t.v4, ipv4ToInt(mapped[1]));
    const top = ipv6Top64(ip);
    return top === null ? null : lookupV6(t.v6, top);
  }
  return null;
}

function ipv4ToInt(ip: string): number {
  const [a, b, c, d] = ip.split(".").map(Number) as [number, number, number, number];
  return ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
}

function ipv6Top64(ip: string): bigint | null {
  const [head = "", tail] = ip.split("::");
  const h = head ? head.split(":") : [];
  const tl = tail !== undefined && tail !== "" ? tail.split(":") : [];
  if (tl.some((g) => g.includes(".")) || h.some((g) => g.includes("."))) return null;
  const groups =
    tail === undefined ? h : [...h, ...Array(8 - h.length - tl.length).fill("0"), ...tl];
  if (groups.length !== 8) return null;
  let value = 0n;
  for (const g of groups.slice(0, 4))
    value = (value << 16n) | BigInt(Number.parseInt(g || "0", 16));
  return value;
}

function country(buf: Buffer, offset: number): string | null {
  const code = buf.toString("latin1", offset, offset + 2).replace(/\0.*$/, "");
  return /^[A-Z]{2}$/.test(code) ? code : null;
}

function lookupV4(buf: Buffer, ip: number): string | null {
  let lo = 0;
  let hi = buf.length / V4_RECORD - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = mid * V4_RECORD;
    if (ip < buf.readUInt32BE(at)) hi = mid - 1;
    else if (ip > buf.readUInt32BE(at + 4)) lo = mid + 1;
    else return country(buf, at + 8);
  }
  return null;
}

function lookupV6(buf: Buffer, ip: bigint): string | null {
  let lo = 0;
  let hi = buf.length / V6_RECORD - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = mid * V6_RECORD;
    if (ip < buf.readBigUInt64BE(at)) hi = mid - 1;
    else if (ip > buf.readBigUInt64BE(at + 16)) lo = mid + 1;
    else return country(buf, at + 32);
  }
  return null;
}
