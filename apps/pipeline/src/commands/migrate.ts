import { runMigrations } from "@adclick/db/migrate";
import type { Command } from "commander";
import { readConfig } from "../config";

export function registerMigrateCommand(program: Command): void {
  program
    .command("migrate")
    .description("Create the database if missing and apply every pending migration (idempotent).")
    .action(async () => {
      const config = readConfig();
      await runMigrations(config.DATABASE_URL);
      process.stdout.write(`migrations applied to ${redactUrl(config.DATABASE_URL)}\n`);
    });
}

function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}
