import type { Command } from "commander";
import { registerMigrateCommand } from "./migrate";

/** Each command module adds its sub-commands here, one line each. */
export function registerCommands(program: Command): void {
  registerMigrateCommand(program);
}
