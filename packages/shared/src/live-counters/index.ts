export * from "./campaign-views";
export * from "./counter-values";
export * from "./daily-history";
export * from "./kafka-partition";
export * from "./live-counter-reader";
