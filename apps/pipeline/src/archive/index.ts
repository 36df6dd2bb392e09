import type { Config } from "@adclick/shared";
import type { Kafka } from "kafkajs";
import type { Registry } from "prom-client";
import { openLake } from "../lake";
import type { Component } from "../runtime/component";
import type { Logger } from "../runtime/logger";
import { Archiver } from "./archiver";

export { Archiver, type ArchiverOptions } from "./archiver";

export interface ArchiverDeps {
  config: Config;
  logger: Logger;
  registry: Registry;
  /** Working directory that a relative `file://./…` LAKE_URL is resolved against. */
  cwd: string;
  maxSegmentEvents?: number;
  maxSegmentAgeMs?: number;
  /** The process's shared Kafka client (composition root); one of its own otherwise. */
  kafka?: Kafka;
}

/** The archiver role as a component, for `adclick archive` and `adclick run`. */
export function createArchiverComponent(deps: ArchiverDeps): Component {
  const lake = openLake(deps.config, deps.cwd);
  const archiver = new Archiver({
    config: deps.config,
    lake,
    logger: deps.logger.child({ role: "archiver" }),
    registry: deps.registry,
    maxSegmentEvents: deps.maxSegmentEvents,
    maxSegmentAgeMs: deps.maxSegmentAgeMs,
    kafka: deps.kafka,
  });
  return {
    name: archiver.name,
    start: () => archiver.start(),
    ready: () => archiver.ready(),
    stop: async () => {
      try {
        await archiver.stop();
      } finally {
        await lake.close();
      }
    },
  };
}
