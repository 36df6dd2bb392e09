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

/**
 * kafkajs warnings we mean to cause, dropped by namespace and exact text; any
 * other message of the same namespace or level still reaches the log.
 */
const DELIBERATE_WARNINGS: ReadonlyArray<{ namespace: string; message: string }> = [
  // The ingest bounds its idempotent producer's retries on purpose, so a dead broker
  // becomes a 503 in bounded time; it replaces the producer (a fresh producer id) after a
  // send that exhausts them, which keeps the guarantee this warning is about
  // (ingest/click-producer.ts). Logged at every producer's creation, it only misleads.
  {
    namespace: "Producer",
    message: "Limiting retries for the idempotent producer may invalidate EoS guarantees",
  },
];

function isDeliberate(level: logLevel, namespace: string, message: string): boolean {
  return (
    level === logLevel.WARN &&
    DELIBERATE_WARNINGS.some((w) => w.namespace === namespace && w.message === message)
  );
}

function logCreatorFor(logger: Logger): KafkaConfig["logCreator"] {
  const child = logger.child({ lib: "kafkajs" });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      if (isDeliberate(level, namespace, message)) return;
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
