export { type BatchSchedulerDeps, createBatchScheduler } from "./batch-scheduler";
export { dueDays, latestDueDay, nextRunAt } from "./nightly-schedule";
