/**
 * The ingest role (C1): the server's wiring and lifecycle. `POST /v1/clicks`
 * (clicks-handler.ts) and the click redirect `GET /c/<token>`
 * (redirect-handler.ts) on INGEST_PORT, with /healthz, /readyz and
 * /openapi.json; /metrics belongs on the ops port (`adclick ingest --ops-port`)
 * and is served here only with `publicMetrics`.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { connectDb, type DbConnection } from "@adclick/db/client";
import { type Config, topicName } from "@adclick/shared";
import { createRedisClient, type RedisClient } from "@adclick/shared/redis";
import type { Registry } from "prom-client";
import { createKafka } from "../kafka/client";
import { ensureTopics } from "../kafka/topics";
import type { Component } from "../runtime/component";
import type { Logger } from "../runtime/logger";
import { handleOpsRoute, type OpsState, sendJson } from "../runtime/ops-routes";
import { CampaignDirectory } from "./campaign-directory";
import { ClickProducer, type ProduceTransport } from "./click-producer";
import { type ClicksHandler, createClicksHandler } from "./clicks-handler";
import { parseTrustedProxies } from "./client-ip";
import { answerThenClose } from "./early-refusal";
import { preloadGeo } from "./geo-country";
import { HttpError, isDependencyError } from "./http-error";
import { createIngestMetrics, type IngestMetrics } from "./ingest-metrics";
import { DEFAULT_INGEST_OPTIONS, type IngestOptions } from "./ingest-options";
import { openApiDocument } from "./openapi";
import { PartnerDirectory } from "./partner-directory";
import { newReceipt } from "./receipt";
import { createRedirectHandler, type RedirectHandler } from "./redirect-handler";
import { RedisGuards } from "./redis-guards";
import { BodyError } from "./request-body";
import { TrafficRecorder } from "./traffic-recorder";
import { startTrafficSummary } from "./traffic-summary";

export { DEFAULT_INGEST_OPTIONS, type IngestOptions } from "./ingest-options";

export interface IngestDeps {
  logger: Logger;
  registry: Registry;
  /** The ops state the role runner uses, so /readyz turns false as soon as shutdown starts. */
  ops: OpsState;
  options?: Partial<IngestOptions>;
  /** Fault injection: how the producer performs one produce request (see click-producer.ts). */
  produceTransport?: ProduceTransport;
}

export interface IngestComponent extends Component {
  /** The bound port (useful with port 0 in tests). */
  port(): number;
}

export function createIngestComponent(config: Config, deps: IngestDeps): IngestComponent {
  const options: IngestOptions = {
    ...DEFAULT_INGEST_OPTIONS,
    port: config.INGEST_PORT,
    trustedProxies: config.INGEST_TRUSTED_PROXIES,
    ...deps.options,
  };
  const { logger } = deps;
  const rawTopic = topicName(config.KAFKA_TOPIC_PREFIX, "raw");
  const rejectedTopic = topicName(config.KAFKA_TOPIC_PREFIX, "rejected");
  const openApi = JSON.stringify(
    openApiDocument(options.maxBodyBytes, options.maxEventsPerRequest),
  );

  let producer: ClickProducer | null = null;
  let redis: RedisClient | null = null;
  let traffic: TrafficRecorder | null = null;
  let db: DbConnection | null = null;
  let clicks: ClicksHandler | null = null;
  let redirect: RedirectHandler | null = null;
  let server: Server | null = null;
  let stopping = false;
  let stopSummary: () => void = () => undefined;
  let activeRequests = 0;
  let idle: (() => void) | null = null;
  const metrics: IngestMetrics = createIngestMetrics(
    deps.registry,
    () => producer?.inFlightBytes ?? 0,
  );

  function reply(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    if (stopping) headers = { ...headers, connection: "close" };
    sendJson(res, status, body, headers);
  }

  const shuttingDown = () =>
    new HttpError(503, "ingest is shutting down; retry", { "retry-after": "1" });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const receipt = newReceipt();
    let routeName = "other";
    let status = 500;
    try {
      if (path === "/v1/clicks") {
        routeName = "clicks";
        if (req.method !== "POST") throw new HttpError(405, "use POST", { allow: "POST" });
        if (stopping) throw shuttingDown();
        status = await clicks!(req, res, receipt);
      } else if (path.startsWith("/c/") && (req.method === "GET" || req.method === "HEAD")) {
        routeName = "redirect";
        if (stopping) throw shuttingDown();
        status = await redirect!(req, res, path.slice(3), receipt);
      } else if (path === "/openapi.json" && req.method === "GET") {
        routeName = "openapi";
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        res.end(openApi);
        status = 200;
      } else if (
        (options.publicMetrics || path !== "/metrics") &&
        (await handleOpsRoute(deps.ops, req, res))
      ) {
        routeName = "ops";
        status = res.statusCode;
      } else {
        throw new HttpError(404, "not found");
      }
    } catch (err) {
      status = answerError(req, res, err, receipt);
    } finally {
      metrics.requests.inc({ route: routeName, status: String(status) });
      if (status === 503 && routeName !== "ops") metrics.backpressure.inc({ route: routeName });
      metrics.requestSeconds.observe(
        { route: routeName },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    }
  }

  function answerError(
    req: IncomingMessage,
    res: ServerResponse,
    err: unknown,
    receipt: string,
  ): number {
    if (err instanceof HttpError || err instanceof BodyError) {
      const headers = err instanceof HttpError ? err.headers : {};
      if (req.complete) reply(res, err.status, { error: err.message, receipt }, headers);
      // An early refusal (401, 413, 429 before the body is read): answer, then close.
      else answerThenClose(req, res, err.status, { error: err.message, receipt }, headers, options);
      return err.status;
    }
    if (isDependencyError(err)) {
      logger.warn({ err, receipt }, "dependency unavailable");
      const body = {
        error: "a backing service is unavailable; nothing was accepted, retry shortly",
        receipt,
      };
      if (req.complete) reply(res, 503, body, { "retry-after": "2" });
      else answerThenClose(req, res, 503, body, { "retry-after": "2" }, options);
      return 503;
    }
    logger.error({ err, receipt }, "request failed");
    if (!res.headersSent)
      reply(res, 500, { error: "internal error; quote the receipt to support", receipt });
    else res.destroy();
    return 500;
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    activeRequests++;
    res.once("close", () => {
      activeRequests--;
      if (activeRequests === 0 && idle) idle();
    });
    route(req, res).catch((err) => {
      logger.error({ err }, "unhandled ingest error");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
    });
  }

  return {
    name: "ingest",
    port: () => (server?.address() as AddressInfo | null)?.port ?? options.port,
    async start() {
      preloadGeo();
      db = connectDb(config.DATABASE_URL, { max: 10, applicationName: "adclick-ingest" });
      redis = createRedisClient(config, {
        enableAutoPipelining: true,
        maxRetriesPerRequest: 2,
        lazyConnect: true,
      });
      redis.on("error", (err) => logger.warn({ err: err.message }, "redis error"));
      await redis.connect();
      const guards = new RedisGuards(redis);
      const partners = new PartnerDirectory(db.db, config.APP_SECRET, options.keyCacheTtlMs);
      const campaigns = new CampaignDirectory(db.db, options.campaignCacheTtlMs);
      const kafka = createKafka(config, "adclick-ingest", logger);
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, config, ["raw", "rejected"]);
      } finally {
        await admin.disconnect();
      }
      producer = new ClickProducer(
        kafka,
        {
          lingerMs: options.lingerMs,
          maxBatchBytes: options.maxBatchBytes,
          compression: options.compression,
          onBatch: ({ seconds }) => metrics.produceSeconds.observe(seconds),
          ...(deps.produceTransport ? { transport: deps.produceTransport } : {}),
        },
        logger,
      );
      await producer.connect();
      traffic = new TrafficRecorder(redis, logger);
      clicks = createClicksHandler({
        options,
        logger,
        metrics,
        rawTopic,
        rejectedTopic,
        producer,
        guards,
        partners,
        campaigns,
        traffic,
        reply,
      });
      redirect = createRedirectHandler({
        appSecret: config.APP_SECRET,
        maxInFlightBytes: options.maxInFlightBytes,
        trusted: parseTrustedProxies(options.trustedProxies),
        logger,
        metrics,
        rawTopic,
        rejectedTopic,
        producer,
        campaigns,
      });
      server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 60_000 }, onRequest);
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(options.port, options.host, () => resolve());
      });
      logger.info({ port: (server.address() as AddressInfo).port }, "ingest listening");
      stopSummary = startTrafficSummary(metrics.events, logger, options.summaryIntervalMs);
    },
    ready() {
      return !stopping && server !== null && (producer?.ready ?? false);
    },
    async stop() {
      stopping = true;
      stopSummary();
      if (server) {
        // For a grace period the listener stays open and every new request is answered 503
        // (Connection: close): closing it at once would reset connections still in the accept
        // queue, requests their clients sent before the SIGTERM. Then stop accepting. Node's
        // close() would also destroy connections accepted a moment ago whose request is on its
        // way; they get a short while to deliver it before the idle ones are closed.
        await new Promise((r) => setTimeout(r, options.shutdownGraceMs));
        const closeIdle = server.closeIdleConnections.bind(server);
        server.closeIdleConnections = () => undefined;
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeIdleConnections = closeIdle;
        await new Promise((r) => setTimeout(r, 200));
        server.closeIdleConnections();
        // In-flight requests finish (a client stalling its body is cut off after 10 s).
        if (activeRequests > 0) {
          await Promise.race([
            new Promise<void>((resolve) => {
              idle = resolve;
            }),
            new Promise((resolve) => setTimeout(resolve, 10_000)),
          ]);
        }
        server.closeIdleConnections();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000))]);
        server.closeAllConnections();
      }
      await producer?.close();
      await traffic?.flush();
      await redis?.quit().catch(() => undefined);
      await db?.close();
    },
  };
}
