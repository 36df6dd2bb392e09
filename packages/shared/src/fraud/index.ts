export * from "./blocklist";
export * from "./bloom-filter";
export * from "./bots";
export * from "./data-centres";
export { type IpRange, IpRangeSet, ipv4ToNumber, normaliseIp, parseCidr } from "./ip";
export * from "./score";
