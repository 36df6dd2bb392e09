export * from "./billing-partitions";
export * from "./advertisers";
export * from "./audit";
export * from "./blocklist-admin";
export * from "./campaigns-admin";
export * from "./review-queue";
export * from "./tokens";
export * from "./users";
