import { type Command, InvalidArgumentError, Option } from "commander";
import { benchAggregate } from "../bench/aggregate-bench";
import { benchBatch, DEFAULT_BENCH_THREADS } from "../bench/batch-bench";
import { figureReporter } from "../bench/figures";
import { benchIngest } from "../bench/ingest-bench";
import { benchModel } from "../bench/model-bench";
import { runSuite } from "../bench/suite";
import { readConfig } from "../config";

/** `adclick bench <what>`: throughput and memory figures, printed only (never asserted in tests). */
export function registerBenchCommand(program: Command): void {
  const bench = program
    .command("bench")
    .description("Measure throughput and memory of the pipeline's parts; prints figures only.");
  bench
    .command("batch")
    .description(
      "Archiver events/s per core, Parquet bytes per event, and batch events/s per core and peak memory for a generated day.",
    )
    .option("--events <n>", "events in the generated day", positiveInt, 10_000_000)
    .option("--memory-limit <size>", "DuckDB memory limit before it spills to disk", "512MB")
    .option("--threads <n>", "DuckDB threads", positiveInt, DEFAULT_BENCH_THREADS)
    .option("--segment-events <n>", "events per archiver segment", positiveInt, 250_000)
    .option("--model", "bill the day with a trained fraud model active")
    .option("--figures <file>", FIGURES_HELP)
    .action(
      async (opts: {
        events: number;
        memoryLimit: string;
        threads: number;
        segmentEvents: number;
        model?: boolean;
        figures?: string;
      }) => {
        await benchBatch(
          readConfig(),
          opts,
          (line) => process.stdout.write(`${line}\n`),
          figureReporter(opts.figures),
        );
      },
    );
  bench
    .command("aggregate")
    .description(
      "Aggregator events/s over a pre-filled topic, the raw kafkajs consume ceiling, and click-to-counter p50/p99 at half the peak.",
    )
    .option("--events <n>", "clicks to pre-fill", positiveInt, 200_000)
    .option("--campaigns <n>", "campaigns the clicks spread over", positiveInt, 100)
    .option("--latency-seconds <n>", "how long to hold each sustained rate", positiveInt, 15)
    .addOption(
      new Option(
        "--peer <name>",
        "then run the same window count on this peer (Apache Flink in one JVM, built with Maven on first use)",
      ).choices(["flink"]),
    )
    .option("--figures <file>", FIGURES_HELP)
    .action(
      async (opts: {
        events: number;
        campaigns: number;
        latencySeconds: number;
        peer?: "flink";
        figures?: string;
      }) => {
        await benchAggregate(
          readConfig(),
          opts,
          (line) => process.stdout.write(`${line}\n`),
          figureReporter(opts.figures),
        );
      },
    );
  bench
    .command("model")
    .description(
      "Fraud model inference cost per click: behaviour tracker, feature vector and model, and scoring with and without the model, over simulated labelled traffic.",
    )
    .option("--hours <n>", "hours of simulated traffic", positiveInt, 2)
    .option("--rounds <n>", "timed passes over the clicks", positiveInt, 3)
    .action((opts: { hours: number; rounds: number }) => {
      benchModel(opts, (line) => process.stdout.write(`${line}\n`));
    });
  bench
    .command("ingest")
    .description(
      "Ingest events/s per core and p50/p99 for batches of 100 and single events, with the raw kafkajs and @platformatic/kafka producer ceilings.",
    )
    .option("--seconds <n>", "seconds per phase (at most 60)", positiveInt, 10)
    .option("--campaigns <n>", "campaigns the clicks spread over", positiveInt, 100)
    .option("--figures <file>", FIGURES_HELP)
    .action(async (opts: { seconds: number; campaigns: number; figures?: string }) => {
      await benchIngest(
        readConfig(),
        opts,
        (line) => process.stdout.write(`${line}\n`),
        figureReporter(opts.figures),
      );
    });
  bench
    .command("suite")
    .description(
      "Run every bench, each in its own process, and print one table of the figures against their same-run ceilings and targets; writes it as JSON under bench/results/.",
    )
    .option("--quick", "smaller sizes, same table (a few minutes)", false)
    .option("--peer <name>", "also run the aggregator's peer (flink)")
    .action(async (opts: { quick: boolean; peer?: string }) => {
      const ok = await runSuite(opts, (line) => process.stdout.write(`${line}\n`));
      if (!ok) process.exitCode = 1;
    });
}

const FIGURES_HELP = "also append each figure as a JSON line to this file (the suite reads it)";

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return Number(value);
}
