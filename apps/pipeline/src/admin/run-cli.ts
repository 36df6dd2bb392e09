/** Test helper: runs the real `adclick` CLI as a child process against a test stack. */
import { type CliRun, runAdclick } from "../../../../test/processes";

export type CliResult = CliRun;

export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runAdclick(args, env);
}
