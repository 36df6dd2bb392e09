import { BlockList, isIP } from "node:net";

/** Trusted reverse proxies as IPs or CIDRs, e.g. "10.0.0.0/8,127.0.0.1". */
export function parseTrustedProxies(list: readonly string[]): BlockList {
  const blocks = new BlockList();
  for (const entry of list) {
    const [address = "", bits] = entry.trim().split("/");
    const family = isIP(address);
    if (!family) throw new Error(`trusted proxy "${entry}" is not an IP address or CIDR`);
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) blocks.addAddress(address, type);
    else blocks.addSubnet(address, Number(bits), type);
  }
  return blocks;
}

function normalise(ip: string): string {
  return ip.startsWith("::ffff:") && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

function isTrusted(blocks: BlockList, ip: string): boolean {
  const family = isIP(ip);
  return family !== 0 && blocks.check(ip, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The client's address: the socket peer, or, when the peer is a trusted proxy,
 * the right-most X-Forwarded-For entry that is not itself a trusted proxy.
 */
export function clientIp(
  socketIp: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: BlockList,
): string {
  let ip = normalise(socketIp ?? "");
  if (!isTrusted(trusted, ip) || !forwardedFor) return ip;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map((h) => normalise(h.trim()))
    .filter((h) => isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    ip = hops[i]!;
    if (!isTrusted(trusted, ip)) return ip;
  }
  return ip;
}
