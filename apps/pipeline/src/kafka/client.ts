/**
 * The one way the pipeline makes a kafkajs client: brokers from the config (C7),
 * kafkajs's own logging routed into our pino logger at the matching level, or
 * silenced when no logger is given.
 */
import type { Config } from "@adclick/shared";
import { Kafka, type KafkaConfig, type LogEntry, logLevel } from "kafkajs";
import type { Logger } from "../runtime/logger";
import { usePooledEncoderBuffers } from "./pooled-encoder";

// At import, not per client: kafkajs loads its record encoders on the first produce of the
// process, whichever client makes it, and only those loaded after this see the pooled encoder.
usePooledEncoderBuffers();

const kafkaLevelFor: Record<string, logLevel> = {
  trace: logLevel.DEBUG,
  debug: logLevel.DEBUG,
  info: logLevel.INFO,
  warn: logLevel.WARN,
  error: logLevel.ERROR,
  fatal: logLevel.ERROR,
  silent: logLevel.NOTHING,
};

function logCreatorFor(logger: Logger): KafkaConfig["logCreator"] {
  const child = logger.child({ lib: "kafkajs" });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      const fields = { namespace, ...extra };
      if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
      else if (level === logLevel.INFO) child.info(fields, message);
      else child.debug(fields, message);
    };
}

/**
 * A kafkajs client for `clientId` (for example `adclick-ingest`). Pass `logger`
 * to see kafkajs's own messages at the logger's level; without it kafkajs is
 * quiet. `overrides` adjusts timeouts and retries where a caller needs to.
 */
export function createKafka(
  config: Config,
  clientId: string,
  logger?: Logger,
  overrides: Partial<KafkaConfig> = {},
): Kafka {
  return new Kafka({
    clientId,
    brokers: config.KAFKA_BROKERS,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    ...(logger
      ? {
          logLevel: kafkaLevelFor[logger.level] ?? logLevel.INFO,
          logCreator: logCreatorFor(logger),
        }
      : { logLevel: logLevel.NOTHING }),
    ...overrides,
  });
}
