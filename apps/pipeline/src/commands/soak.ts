import { type Command, InvalidArgumentError } from "commander";
import { readConfig } from "../config";
import { runSoak } from "../soak/soak";

/** `adclick soak`: a steady open-model rate through the whole pipeline; prints figures only. */
export function registerSoakCommand(program: Command): void {
  program
    .command("soak")
    .description(
      "Hold a steady open-model rate through ingest, aggregator and archiver (each its own process), then report sustained events/s, ack latency, errors, consumer lag, drain time, memory growth and lost/duplicated clicks; writes JSON under bench/results/.",
    )
    .option("--minutes <n>", "how long to hold the rate", positiveInt, 10)
    .option("--rate <n>", "events per second (the simulator's retries included)", positiveInt, 1000)
    .option("--batch <n>", "events per request", positiveInt, 20)
    .option("--campaigns <n>", "campaigns the clicks spread over", positiveInt, 50)
    .option("--seed <n>", "the simulator's seed", positiveInt, 19)
    .action(
      async (opts: {
        minutes: number;
        rate: number;
        batch: number;
        campaigns: number;
        seed: number;
      }) => {
        const ok = await runSoak(readConfig(), opts, (line) => process.stdout.write(`${line}\n`));
        if (!ok) {
          process.stderr.write("soak: clicks lost or duplicated, or the pipeline did not drain\n");
          process.exitCode = 1;
        }
      },
    );
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return Number(value);
}
