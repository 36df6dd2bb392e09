export * from "./key-slot";
export * from "./redis-client";
export * from "./slot-pipeline";
