import { type Config, loadConfig } from "@adclick/shared";

/**
 * The web app's configuration: the C7 settings, validated once when the server
 * starts. This is the only module in apps/web that reads process.env; everything
 * else imports `env` (server code only: it holds secrets).
 */
export type WebEnv = Config & { NODE_ENV: "development" | "production" | "test" };

function readEnv(): WebEnv {
  const nodeEnv = process.env.NODE_ENV;
  return {
    ...loadConfig(process.env),
    NODE_ENV: nodeEnv === "production" || nodeEnv === "test" ? nodeEnv : "development",
  };
}

export const env: WebEnv = readEnv();
