export * from "./click-event";
export * from "./config";
export * from "./fraud";
export * from "./invoice";
export * from "./money";
export * from "./redis-keys";
export * from "./time-window";
export * from "./topics";
