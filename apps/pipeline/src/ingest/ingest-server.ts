/**
 * The ingest role (C1): `POST /v1/clicks` into Kafka, the click redirect
 * `GET /c/<token>`, and the ops routes, on INGEST_PORT.
 *
 * A request goes: API key -> body (size limit) -> signature (when the partner
 * uses one) -> parse -> backpressure -> rate limit -> validate, drop repeats ->
 * campaigns -> claim event ids (Redis) -> produce raw + rejected (acks=all) ->
 * commit the ids -> 202. Anything that fails after the claim releases it, so the
 * partner's retry is produced, not reported as a duplicate.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { connectDb, type DbConnection } from "@adclick/db/client";
import { ClickEventInput, type ClickRecord, type Config, topicName } from "@adclick/shared";
import { verifyClickToken } from "@adclick/shared/click-token";
import { SIGNATURE_HEADER, verifyRequestSignature } from "@adclick/shared/request-signing";
import { Redis } from "ioredis";
import type { Kafka } from "kafkajs";
import type { Registry } from "prom-client";
import { createKafka } from "../kafka/client";
import { ensureTopics } from "../kafka/topics";
import type { Component } from "../runtime/component";
import type { Logger } from "../runtime/logger";
import { handleOpsRoute, type OpsState, sendJson } from "../runtime/ops-routes";
import { awaitAck, withRetries } from "./ack-deadline";
import { CampaignDirectory } from "./campaign-directory";
import {
  checkCampaigns,
  type Rejection,
  toClickRecord,
  toRejectedRecord,
  validateBatch,
} from "./click-batch";
import { ClickProducer, type OutgoingMessage } from "./click-producer";
import { clientIp, parseTrustedProxies } from "./client-ip";
import { answerThenClose } from "./early-refusal";
import { preloadGeo } from "./geo-country";
import { createIngestMetrics, type IngestMetrics } from "./ingest-metrics";
import { openApiDocument } from "./openapi";
import { type AuthenticatedPartner, PartnerDirectory } from "./partner-directory";
import { newReceipt } from "./receipt";
import { type RateDecision, RedisGuards, SEND_DEADLINE_MS } from "./redis-guards";
import { BodyError, type BodyItem, parseBody, readBody } from "./request-body";

export interface IngestOptions {
  port: number;
  host: string;
  maxBodyBytes: number;
  maxEventsPerRequest: number;
  /** Producer linger (C2 issue: at most 10 ms). */
  lingerMs: number;
  maxBatchBytes: number;
  /** Above this many unacknowledged bytes, requests get 503 instead of queueing. */
  maxInFlightBytes: number;
  /** A request waits this long for Kafka's acknowledgement, then answers 503 (see SEND_DEADLINE_MS). */
  sendDeadlineMs: number;
  keyCacheTtlMs: number;
  campaignCacheTtlMs: number;
  trustedProxies: string[];
  compression: "lz4" | "gzip" | "none";
}

export const DEFAULT_INGEST_OPTIONS: Omit<IngestOptions, "port"> = {
  host: "0.0.0.0",
  maxBodyBytes: 1024 * 1024,
  maxEventsPerRequest: 1000,
  lingerMs: 5,
  maxBatchBytes: 1024 * 1024,
  maxInFlightBytes: 64 * 1024 * 1024,
  sendDeadlineMs: SEND_DEADLINE_MS,
  keyCacheTtlMs: 5_000,
  campaignCacheTtlMs: 10_000,
  trustedProxies: [],
  compression: "lz4",
};

export interface IngestDeps {
  logger: Logger;
  registry: Registry;
  /** The ops state the role runner uses, so /readyz turns false as soon as shutdown starts. */
  ops: OpsState;
  options?: Partial<IngestOptions>;
}

export interface IngestComponent extends Component {
  /** The bound port (useful with port 0 in tests). */
  port(): number;
}

const USER_COOKIE = "adclick_uid";

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function createIngestComponent(config: Config, deps: IngestDeps): IngestComponent {
  const options: IngestOptions = {
    ...DEFAULT_INGEST_OPTIONS,
    port: config.INGEST_PORT,
    trustedProxies: config.INGEST_TRUSTED_PROXIES,
    ...deps.options,
  };
  const { logger } = deps;
  const trusted = parseTrustedProxies(options.trustedProxies);
  const rawTopic = topicName(config.KAFKA_TOPIC_PREFIX, "raw");
  const rejectedTopic = topicName(config.KAFKA_TOPIC_PREFIX, "rejected");
  const openApi = JSON.stringify(
    openApiDocument(options.maxBodyBytes, options.maxEventsPerRequest),
  );

  let kafka: Kafka | null = null;
  let producer: ClickProducer | null = null;
  let redis: Redis | null = null;
  let db: DbConnection | null = null;
  let guards: RedisGuards;
  let partners: PartnerDirectory;
  let campaigns: CampaignDirectory;
  let server: Server | null = null;
  let stopping = false;
  let activeRequests = 0;
  let idle: (() => void) | null = null;
  const metrics: IngestMetrics = createIngestMetrics(
    deps.registry,
    () => producer?.inFlightBytes ?? 0,
  );

  function finish(route: string, status: number, started: bigint): void {
    metrics.requests.inc({ route, status: String(status) });
    metrics.requestSeconds.observe({ route }, Number(process.hrtime.bigint() - started) / 1e9);
  }

  function reply(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    if (stopping) headers = { ...headers, connection: "close" };
    sendJson(res, status, body, headers);
  }

  async function handleClicks(
    req: IncomingMessage,
    res: ServerResponse,
    receipt: string,
  ): Promise<number> {
    const receivedAt = Date.now();
    const auth = req.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!match)
      throw new HttpError(401, "missing API key: send Authorization: Bearer <api key>", {
        "www-authenticate": "Bearer",
      });
    const partner = await partners.authenticate(match[1]!);
    if (!partner)
      throw new HttpError(401, "unknown or revoked API key", { "www-authenticate": "Bearer" });

    const body = await readBody(req, options.maxBodyBytes);
    checkSignature(req, body, partner);
    const items = parseBody(body, req.headers["content-type"], options.maxEventsPerRequest);

    const p = producer!;
    if (!p.connected || p.inFlightBytes >= options.maxInFlightBytes) {
      throw new HttpError(503, "ingest is overloaded; retry shortly", { "retry-after": "1" });
    }
    const rate = await guards.takeTokens(partner.partnerId, partner.rateLimitPerSec, items.length);
    if (rate.kind !== "allowed") throw rateLimited(rate, items.length, partner.rateLimitPerSec);

    const batch = validateBatch(items, receivedAt);
    const campaignMap = await campaigns.lookup(batch.valid.map((v) => v.event.campaign_id));
    const { billable, rejected: campaignRejections } = checkCampaigns(batch.valid, campaignMap);
    const rejected: Rejection[] =
      campaignRejections.length === 0
        ? batch.rejected
        : [...batch.rejected, ...campaignRejections].sort((a, b) => a.index - b.index);

    const claimToken = `p:${receipt}`;
    const outcomes = await guards.claim(
      partner.partnerId,
      billable.map((b) => b.event.event_id),
      claimToken,
    );
    const fresh = billable.filter((_, i) => outcomes[i] === "claimed");
    const freshIds = fresh.map((b) => b.event.event_id);
    if (outcomes.includes("pending")) {
      await guards.release(partner.partnerId, freshIds, claimToken);
      throw new HttpError(
        503,
        "some event_ids are being written by another request right now; retry shortly",
        { "retry-after": "1" },
      );
    }
    const duplicates = batch.repeats + outcomes.filter((o) => o === "duplicate").length;

    const messages: OutgoingMessage[] = [];
    // One headers object for the request's messages (kafkajs only reads it).
    const headers = { receipt };
    for (const b of fresh) {
      const record = toClickRecord(b.event, b.campaign, partner.partnerId, receivedAt);
      messages.push({
        topic: rawTopic,
        key: record.campaign_id,
        value: JSON.stringify(record),
        headers,
      });
    }
    for (const r of rejected) {
      const record = toRejectedRecord(items[r.index], r, partner.partnerId, receipt, receivedAt);
      messages.push({
        topic: rejectedTopic,
        key: partner.partnerId,
        value: JSON.stringify(record),
      });
    }
    const release = () =>
      guards.release(partner.partnerId, freshIds, claimToken).catch((err) => {
        logger.error({ err, receipt }, "could not release idempotency claims");
      });
    // Once the events are in Kafka their marks must be committed, or a retry would be produced again.
    const commitMarks = () =>
      withRetries(() => guards.commit(partner.partnerId, freshIds)).catch((err) =>
        logger.error({ err, receipt }, "could not commit idempotency marks"),
      );
    const sent = p.send(messages);
    const ack = await awaitAck(sent, options.sendDeadlineMs);
    if (ack.kind === "failed") {
      await release();
      logger.warn(
        { err: ack.error, receipt, partner: partner.partnerId },
        "produce failed; answering 503",
      );
      throw new HttpError(503, "could not write to Kafka; nothing was accepted, retry shortly", {
        "retry-after": "2",
      });
    }
    if (ack.kind === "late") {
      // Still in flight: the claims stay pending (a retry meanwhile gets 503) and are settled
      // when Kafka answers, so a retry after that is either a duplicate or produced afresh.
      sent.then(commitMarks, release);
      logger.warn({ receipt, partner: partner.partnerId }, "produce too slow; answering 503");
      throw new HttpError(
        503,
        "Kafka did not acknowledge in time; retry later (events that were written are then reported as duplicates)",
        { "retry-after": "10" },
      );
    }
    await commitMarks();

    metrics.events.inc({ partner: partner.partnerId, outcome: "accepted" }, fresh.length);
    if (duplicates)
      metrics.events.inc({ partner: partner.partnerId, outcome: "duplicate" }, duplicates);
    if (rejected.length)
      metrics.events.inc({ partner: partner.partnerId, outcome: "rejected" }, rejected.length);
    logger.info(
      {
        receipt,
        partner: partner.partnerId,
        accepted: fresh.length,
        duplicates,
        rejected: rejected.length,
      },
      "clicks accepted",
    );
    reply(
      res,
      202,
      { receipt, accepted: fresh.length, duplicates, rejected },
      { "x-request-id": receipt },
    );
    return 202;
  }

  function checkSignature(req: IncomingMessage, body: Buffer, partner: AuthenticatedPartner): void {
    const header = req.headers[SIGNATURE_HEADER];
    const value = Array.isArray(header) ? header[0] : header;
    if (!partner.requireSignature && value === undefined) return;
    const check = verifyRequestSignature({
      header: value,
      body,
      secrets: partner.signingSecrets,
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    if (!check.ok) throw new HttpError(401, check.reason);
  }

  async function handleRedirect(
    req: IncomingMessage,
    res: ServerResponse,
    token: string,
    receipt: string,
  ): Promise<number> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(token);
    } catch {
      throw new HttpError(400, "invalid click link: malformed token");
    }
    const check = verifyClickToken(config.APP_SECRET, decoded, Math.floor(Date.now() / 1000));
    if (!check.ok) throw new HttpError(400, `invalid click link: ${check.reason}`);
    const t = check.token;
    const cookies = parseCookies(req.headers.cookie);
    const known = cookies[USER_COOKIE];
    const userId = known && /^[A-Za-z0-9_-]{8,64}$/.test(known) ? known : newReceipt();
    const headers: Record<string, string> = {
      location: t.landingUrl,
      "cache-control": "no-store",
      "x-request-id": receipt,
    };
    if (userId !== known)
      headers["set-cookie"] =
        `${USER_COOKIE}=${userId}; Max-Age=31536000; Path=/; HttpOnly; SameSite=Lax`;

    const p = producer!;
    let recorded = false;
    // HEAD (link checkers, prefetchers) follows the redirect without counting a click.
    if (req.method === "HEAD") {
      res.writeHead(302, headers);
      res.end();
      return 302;
    }
    if (p.connected && p.inFlightBytes < options.maxInFlightBytes) {
      const parsed = ClickEventInput.safeParse({
        event_id: receipt,
        campaign_id: t.campaignId,
        ad_id: t.adId,
        user_id: userId,
        ip: clientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"], trusted),
        user_agent: (req.headers["user-agent"] ?? "").slice(0, 1024),
        ts: Date.now(),
        ...(t.publisherId ? { publisher_id: t.publisherId } : {}),
        ...(req.headers.referer ? { referrer: req.headers.referer.slice(0, 2048) } : {}),
      });
      try {
        if (parsed.success) {
          const campaign = (await campaigns.lookup([t.campaignId])).get(t.campaignId) ?? null;
          const receivedAt = Date.now();
          if (campaign && campaign.status === "active") {
            const record: ClickRecord = toClickRecord(
              parsed.data,
              campaign,
              t.partnerId,
              receivedAt,
            );
            await p.send([
              {
                topic: rawTopic,
                key: record.campaign_id,
                value: JSON.stringify(record),
                headers: { receipt },
              },
            ]);
            metrics.events.inc({ partner: t.partnerId, outcome: "accepted" });
          } else {
            const error = campaign
              ? `campaign "${campaign.id}" is ${campaign.status}`
              : `campaign_id "${t.campaignId}" is unknown`;
            const item: BodyItem = { value: parsed.data };
            const rejectedRecord = toRejectedRecord(
              item,
              { index: 0, error },
              t.partnerId,
              receipt,
              receivedAt,
            );
            await p.send([
              { topic: rejectedTopic, key: t.partnerId, value: JSON.stringify(rejectedRecord) },
            ]);
            metrics.events.inc({ partner: t.partnerId, outcome: "rejected" });
          }
          recorded = true;
        }
      } catch (err) {
        logger.warn({ err, receipt }, "redirect click not recorded");
      }
    }
    // The user always gets to the landing page; a click we could not record is counted, not hidden.
    if (!recorded) metrics.redirectsUnrecorded.inc();
    res.writeHead(302, headers);
    res.end();
    return 302;
  }

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
        if (stopping)
          throw new HttpError(503, "ingest is shutting down; retry", { "retry-after": "1" });
        status = await handleClicks(req, res, receipt);
      } else if (path.startsWith("/c/") && (req.method === "GET" || req.method === "HEAD")) {
        routeName = "redirect";
        if (stopping)
          throw new HttpError(503, "ingest is shutting down; retry", { "retry-after": "1" });
        status = await handleRedirect(req, res, path.slice(3), receipt);
      } else if (path === "/openapi.json" && req.method === "GET") {
        routeName = "openapi";
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        res.end(openApi);
        status = 200;
      } else if (await handleOpsRoute(deps.ops, req, res)) {
        routeName = "ops";
        status = res.statusCode;
      } else {
        throw new HttpError(404, "not found");
      }
    } catch (err) {
      if (err instanceof HttpError || err instanceof BodyError) {
        status = err.status;
        const headers = err instanceof HttpError ? err.headers : {};
        if (req.complete) reply(res, status, { error: err.message, receipt }, headers);
        // An early refusal (401, 413, 429 before the body is read): answer, then close.
        else answerThenClose(req, res, status, { error: err.message, receipt }, headers);
      } else if (isDependencyError(err)) {
        status = 503;
        logger.warn({ err, receipt }, "dependency unavailable");
        reply(
          res,
          503,
          {
            error: "a backing service is unavailable; nothing was accepted, retry shortly",
            receipt,
          },
          { "retry-after": "2" },
        );
      } else {
        status = 500;
        logger.error({ err, receipt }, "request failed");
        if (!res.headersSent)
          reply(res, 500, { error: "internal error; quote the receipt to support", receipt });
        else res.destroy();
      }
    } finally {
      finish(routeName, status, started);
    }
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
      redis = new Redis(config.REDIS_URL, {
        enableAutoPipelining: true,
        maxRetriesPerRequest: 2,
        lazyConnect: true,
      });
      redis.on("error", (err) => logger.warn({ err: err.message }, "redis error"));
      await redis.connect();
      guards = new RedisGuards(redis);
      partners = new PartnerDirectory(db.db, config.APP_SECRET, options.keyCacheTtlMs);
      campaigns = new CampaignDirectory(db.db, options.campaignCacheTtlMs);
      kafka = createKafka(config, "adclick-ingest", logger);
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
        },
        logger,
      );
      await producer.connect();
      server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 60_000 }, onRequest);
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(options.port, options.host, () => resolve());
      });
      logger.info({ port: (server.address() as AddressInfo).port }, "ingest listening");
    },
    ready() {
      return !stopping && server !== null && (producer?.connected ?? false);
    },
    async stop() {
      stopping = true;
      if (server) {
        // Stop accepting; idle keep-alive sockets close now, busy ones after their response.
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
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
      await redis?.quit().catch(() => undefined);
      await db?.close();
    },
  };
}

function rateLimited(
  decision: Exclude<RateDecision, { kind: "allowed" }>,
  events: number,
  ratePerSec: number,
): HttpError {
  const retryAfter = { "retry-after": String(Math.max(1, Math.ceil(decision.retryMs / 1000))) };
  if (decision.kind === "over-burst")
    return new HttpError(
      429,
      `a request of ${events} events is more than the burst of ${decision.burst} events (rate limit ${ratePerSec} events/s); send at most ${decision.burst} events per request`,
      retryAfter,
    );
  return new HttpError(429, `rate limit of ${ratePerSec} events/s exceeded`, retryAfter);
}

/** Errors from Redis, Postgres or Kafka being unreachable (drizzle wraps pg errors in `cause`). */
function isDependencyError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = String((e as { code?: unknown }).code ?? "");
    if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|57P01|57P03|53300|08\d{3})$/.test(code))
      return true;
    if (
      /MaxRetriesPerRequestError|Connection is closed|Redis|KafkaJS/i.test(`${e.name} ${e.message}`)
    )
      return true;
    if (/timeout exceeded when trying to connect|Connection terminated/i.test(e.message))
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}
