import { type Config, ConfigError, loadConfig } from "@adclick/shared";

/** The only place the pipeline reads process.env: once, at start. */
export function readConfig(): Config {
  return loadConfig(process.env);
}

export type { Config };
export { ConfigError };
