import { Command, CommanderError } from "commander";
import { registerCommands, unknownCommand } from "./commands";
import { ConfigError } from "./config";

const program = new Command("adclick")
  .description("Ad click aggregator: ingest, live counters, lake, billing and their operations.")
  .exitOverride();

await registerCommands(program, process.argv.slice(2));

/**
 * Every failure ends as one line on stderr and a non-zero exit (C6): 1, or the
 * `exitCode` an error carries (e.g. 3 for `reconcile` without live data).
 */
function fail(err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`adclick: ${message.split("\n")[0]}\n`);
  if (process.env.ADCLICK_DEBUG && err instanceof Error && !(err instanceof ConfigError)) {
    process.stderr.write(`${err.stack}\n`);
  }
  const code = (err as { exitCode?: unknown } | null)?.exitCode;
  process.exit(typeof code === "number" && code > 0 ? code : 1);
}

const unknown = unknownCommand(program, process.argv.slice(2));
if (unknown) fail(new Error(`unknown command '${unknown}' (see adclick --help)`));

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode);
  }
  fail(err);
}
