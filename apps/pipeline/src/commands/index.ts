import type { Command } from "commander";

type Register = (program: Command) => void;

/**
 * Every top-level command and the module that defines it. Only the invoked
 * command's module is loaded, so `adclick seed` does not pay for Kafka, DuckDB
 * and the AWS SDK; `--help` and unknown commands load them all.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  services: () => import("./services").then((m) => m.registerServicesCommand),
  migrate: () => import("./migrate").then((m) => m.registerMigrateCommand),
  seed: () => import("./seed").then((m) => m.registerSeedCommand),
  run: () => import("./run").then((m) => m.registerRunCommand),
  ingest: () => import("./ingest").then((m) => m.registerIngestCommand),
  aggregate: () => import("./aggregate").then((m) => m.registerAggregateCommand),
  archive: () => import("./archive").then((m) => m.registerArchiveCommand),
  "review-sink": () => import("./review-sink").then((m) => m.registerReviewSinkCommand),
  batch: () => import("./batch").then((m) => m.registerBatchCommand),
  reconcile: () => import("./reconcile").then((m) => m.registerReconcileCommand),
  replay: () => import("./replay").then((m) => m.registerReplayCommand),
  simulate: () => import("./simulate").then((m) => m.registerSimulateCommand),
  bench: () => import("./bench").then((m) => m.registerBenchCommand),
  soak: () => import("./soak").then((m) => m.registerSoakCommand),
  advertiser: () => import("./advertiser").then((m) => m.registerAdvertiserCommand),
  campaign: () => import("./campaign").then((m) => m.registerCampaignCommand),
  partner: () => import("./partner").then((m) => m.registerPartnerCommand),
  blocklist: () => import("./blocklist").then((m) => m.registerBlocklistCommand),
  user: () => import("./user").then((m) => m.registerUserCommand),
  invoice: () => import("./invoice").then((m) => m.registerInvoiceCommand),
  fraud: () => import("./fraud").then((m) => m.registerFraudCommand),
};

export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const invoked = argv.find((arg) => !arg.startsWith("-"));
  const load = invoked ? COMMANDS[invoked] : undefined;
  const loaders = load ? [load] : Object.values(COMMANDS);
  for (const register of await Promise.all(loaders.map((l) => l()))) register(program);
}

/**
 * The command path of `argv` (the operands before the first option) when a
 * name on it is not a command, e.g. "nosuch" or "partner nosuch"; null when
 * every name is known. Commander would print the parent's help for
 * `adclick nosuch --help` and exit 0 (C6 wants a non-zero exit naming it).
 */
export function unknownCommand(program: Command, argv: readonly string[]): string | null {
  const path: string[] = [];
  let current = program;
  for (const arg of argv) {
    if (arg.startsWith("-")) break;
    if (!current.commands.length) break;
    if (arg === "help" && path.length === 0 && current === program) continue;
    const next = current.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    path.push(arg);
    if (!next) return path.join(" ");
    current = next;
  }
  return null;
}
