export { type BatchSchedulerDeps, createBatchScheduler } from "./batch-scheduler";
export { decideDay, dueDays, latestDueDay, nextRunAt, oldestOpenDay } from "./nightly-schedule";
