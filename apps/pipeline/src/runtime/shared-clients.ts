/**
 * The composition root's clients: one Postgres pool, one Redis connection and
 * one kafkajs client per process, shared by the roles that run in it (`adclick
 * run` runs several). Each is made on first use. As a component it is placed
 * first, so the role runner stops it last: the clients close only after every
 * role has stopped and handed back its work.
 */
import { connectDb, type Database } from "@adclick/db/client";
import type { Config } from "@adclick/shared";
import { createRedisClient, type RedisClient } from "@adclick/shared/redis";
import type { Kafka } from "kafkajs";
import { createKafka } from "../kafka/client";
import type { Component } from "./component";
import type { Logger } from "./logger";

export interface SharedClients extends Component {
  /** The process's Postgres pool (drizzle handle). */
  db(): Database;
  /** The process's Redis connection (REDIS_URL, or the cluster of REDIS_CLUSTER_NODES). */
  redis(): RedisClient;
  /** The process's kafkajs client; roles make their own consumers and producers from it. */
  kafka(): Kafka;
}

export interface SharedClientsOptions {
  config: Config;
  logger: Logger;
  /** Names the process in Postgres (application_name) and Kafka (clientId). */
  name: string;
  /** Postgres pool size (default 10). */
  dbPoolMax?: number;
}

export function createSharedClients(options: SharedClientsOptions): SharedClients {
  const { config, logger, name } = options;
  let pg: ReturnType<typeof connectDb> | null = null;
  let redis: RedisClient | null = null;
  let kafka: Kafka | null = null;
  let closed = false;
  const open = (what: string) => {
    if (closed) throw new Error(`shared ${what} requested after the clients were closed`);
  };

  return {
    name: "clients",
    async start() {},
    ready: () => !closed,
    db() {
      open("Postgres pool");
      pg ??= connectDb(config.DATABASE_URL, {
        max: options.dbPoolMax ?? 10,
        applicationName: name,
      });
      return pg.db;
    },
    redis() {
      open("Redis connection");
      if (!redis) {
        redis = createRedisClient(config, { maxRetriesPerRequest: null });
        redis.on("error", (err) => logger.warn({ err: err.message }, "redis error"));
      }
      return redis;
    },
    kafka() {
      open("Kafka client");
      kafka ??= createKafka(config, name, logger);
      return kafka;
    },
    async stop() {
      closed = true;
      const failures: string[] = [];
      if (pg) await pg.close().catch((err: Error) => failures.push(`postgres: ${err.message}`));
      if (redis) await redis.quit().catch((err: Error) => failures.push(`redis: ${err.message}`));
      pg = null;
      redis = null;
      kafka = null;
      if (failures.length) throw new Error(`closing shared clients: ${failures.join("; ")}`);
    },
  };
}
