/**
 * `POST /v1/clicks` (C1). A request goes: API key -> per-partner concurrency ->
 * backpressure -> a bucket this replica knows to be empty (all before the body
 * is read) -> body (size limit) -> signature over the raw body (when the
 * partner uses one) -> parse -> burst -> validate, drop repeats -> campaigns ->
 * one token per event and the claim of the event ids, in one Redis round trip
 * -> produce raw + rejected (acks=all) -> commit the ids -> 202. Anything that fails after the claim releases the claims of events
 * that did not reach Kafka, so the partner's retry is produced, not reported as
 * a duplicate.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { SIGNATURE_HEADER, verifyRequestSignature } from "@adclick/shared/request-signing";
import type { Logger } from "../runtime/logger";
import { awaitAck, withRetries } from "./ack-deadline";
import type { CampaignDirectory } from "./campaign-directory";
import {
  checkCampaigns,
  type Rejection,
  toClickRecord,
  toRejectedRecord,
  validateBatch,
} from "./click-batch";
import { type ClickProducer, deliveredOf, type OutgoingMessage } from "./click-producer";
import { HttpError } from "./http-error";
import type { IngestMetrics } from "./ingest-metrics";
import type { IngestOptions } from "./ingest-options";
import type { AuthenticatedPartner, PartnerDirectory } from "./partner-directory";
import { overBurst, type RateDecision, type RedisGuards } from "./redis-guards";
import { parseBody, readBody } from "./request-body";
import type { TrafficRecorder } from "./traffic-recorder";

export interface ClicksContext {
  options: IngestOptions;
  logger: Logger;
  metrics: IngestMetrics;
  rawTopic: string;
  rejectedTopic: string;
  producer: ClickProducer;
  guards: RedisGuards;
  partners: PartnerDirectory;
  campaigns: CampaignDirectory;
  /** Per-partner traffic by minute, for the admins' partner screen. */
  traffic: TrafficRecorder;
  reply(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void;
}

export type ClicksHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  receipt: string,
) => Promise<number>;

export function createClicksHandler(ctx: ClicksContext): ClicksHandler {
  const { options, logger, metrics, producer, guards } = ctx;
  const active = new Map<string, number>();

  async function authenticate(req: IncomingMessage): Promise<AuthenticatedPartner> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    if (!match)
      throw new HttpError(401, "missing API key: send Authorization: Bearer <api key>", {
        "www-authenticate": "Bearer",
      });
    const partner = await ctx.partners.authenticate(match[1]!);
    if (!partner)
      throw new HttpError(401, "unknown or revoked API key", { "www-authenticate": "Bearer" });
    return partner;
  }

  /** Refusals that need no body: the body of a request we would refuse is never read. */
  function admit(partner: AuthenticatedPartner): void {
    if (!producer.connected || producer.inFlightBytes >= options.maxInFlightBytes)
      throw new HttpError(503, "ingest is overloaded; retry shortly", { "retry-after": "1" });
    const waitMs = guards.knownWaitMs(partner.partnerId);
    if (waitMs > 0)
      throw rateLimited({ kind: "limited", retryMs: waitMs }, 0, partner.rateLimitPerSec);
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    receipt: string,
  ): Promise<number> {
    const receivedAt = Date.now();
    const partner = await authenticate(req);
    const running = active.get(partner.partnerId) ?? 0;
    if (running >= options.maxConcurrentPerPartner) {
      ctx.traffic.record(partner.partnerId, { throttled: true });
      throw new HttpError(
        429,
        `more than ${options.maxConcurrentPerPartner} concurrent requests for this API key; wait for answers before sending more`,
        { "retry-after": "1" },
      );
    }
    active.set(partner.partnerId, running + 1);
    try {
      admit(partner);
      return await accept(req, res, receipt, partner, receivedAt);
    } catch (error) {
      if (error instanceof HttpError && (error.status === 429 || error.status === 401))
        ctx.traffic.record(partner.partnerId, {
          throttled: error.status === 429,
          unauthorized: error.status === 401,
        });
      throw error;
    } finally {
      const left = (active.get(partner.partnerId) ?? 1) - 1;
      if (left > 0) active.set(partner.partnerId, left);
      else active.delete(partner.partnerId);
    }
  }

  async function accept(
    req: IncomingMessage,
    res: ServerResponse,
    receipt: string,
    partner: AuthenticatedPartner,
    receivedAt: number,
  ): Promise<number> {
    const body = await readBody(req, options.maxBodyBytes);
    checkSignature(req, body.raw, partner);
    const items = parseBody(body.decoded, req.headers["content-type"], options.maxEventsPerRequest);
    const tooMany = overBurst(partner.rateLimitPerSec, items.length);
    if (tooMany) throw rateLimited(tooMany, items.length, partner.rateLimitPerSec);

    const batch = validateBatch(items, receivedAt);
    const campaignMap = await ctx.campaigns.lookup(batch.valid.map((v) => v.event.campaign_id));
    const { billable, rejected: campaignRejections } = checkCampaigns(batch.valid, campaignMap);
    const rejected: Rejection[] =
      campaignRejections.length === 0
        ? batch.rejected
        : [...batch.rejected, ...campaignRejections].sort((a, b) => a.index - b.index);

    // Every event costs a token, valid or not; only billable ones are claimed.
    const claimToken = `p:${receipt}`;
    const admission = await guards.admit(
      partner.partnerId,
      partner.rateLimitPerSec,
      items.length,
      billable.map((b) => b.event.event_id),
      claimToken,
    );
    if (admission.kind !== "admitted")
      throw rateLimited(admission, items.length, partner.rateLimitPerSec);
    const fresh: typeof billable = [];
    const freshIds: string[] = [];
    let duplicates = batch.repeats;
    let pending = false;
    admission.outcomes.forEach((outcome, i) => {
      if (outcome === "claimed") {
        fresh.push(billable[i]!);
        freshIds.push(billable[i]!.event.event_id);
      } else if (outcome === "duplicate") duplicates++;
      else pending = true;
    });
    if (pending) {
      await guards.release(partner.partnerId, freshIds, claimToken);
      throw new HttpError(
        503,
        "some event_ids are being written by another request right now; retry shortly",
        { "retry-after": "1" },
      );
    }

    const messages: OutgoingMessage[] = [];
    // One headers object for the request's messages (kafkajs only reads it).
    const headers = { receipt };
    for (const b of fresh) {
      const record = toClickRecord(b.event, b.campaign, partner.partnerId, receivedAt);
      messages.push({
        topic: ctx.rawTopic,
        key: record.campaign_id,
        value: JSON.stringify(record),
        headers,
      });
    }
    for (const r of rejected) {
      const record = toRejectedRecord(items[r.index], r, partner.partnerId, receipt, receivedAt);
      messages.push({
        topic: ctx.rejectedTopic,
        key: partner.partnerId,
        value: JSON.stringify(record),
      });
    }
    const release = (ids: readonly string[]) =>
      guards.release(partner.partnerId, ids, claimToken).catch((err) => {
        logger.error({ err, receipt }, "could not release idempotency claims");
      });
    // Once events are in Kafka their marks must be committed, or a retry would be produced again.
    const commitMarks = (ids: readonly string[]) =>
      withRetries(() => guards.commit(partner.partnerId, ids)).catch((err) =>
        logger.error({ err, receipt }, "could not commit idempotency marks"),
      );
    /**
     * After a failed send some partitions may have taken their messages: those
     * events' marks are committed (a retry is a duplicate), only the others'
     * claims are released (a retry is produced).
     */
    const settleFailure = async (error: unknown) => {
      const landed = deliveredOf(error);
      const acked: string[] = [];
      const lost: string[] = [];
      // messages[i] is fresh[i]'s raw record.
      fresh.forEach((b, i) => {
        (landed.has(messages[i]!) ? acked : lost).push(b.event.event_id);
      });
      await Promise.all([commitMarks(acked), release(lost)]);
    };
    const sent = producer.send(messages);
    const ack = await awaitAck(sent, options.sendDeadlineMs);
    if (ack.kind === "failed") {
      await settleFailure(ack.error);
      logger.warn(
        { err: ack.error, receipt, partner: partner.partnerId },
        "produce failed; answering 503",
      );
      throw new HttpError(
        503,
        "could not write to Kafka; retry shortly (events that were written are then reported as duplicates)",
        { "retry-after": "2" },
      );
    }
    if (ack.kind === "late") {
      // Still in flight: the claims stay pending (a retry meanwhile gets 503) and are settled
      // when Kafka answers, so a retry after that is either a duplicate or produced afresh.
      sent.then(() => commitMarks(freshIds), settleFailure);
      logger.warn({ receipt, partner: partner.partnerId }, "produce too slow; answering 503");
      throw new HttpError(
        503,
        "Kafka did not acknowledge in time; retry later (events that were written are then reported as duplicates)",
        { "retry-after": "10" },
      );
    }
    await commitMarks(freshIds);

    metrics.events.inc({ partner: partner.partnerId, outcome: "accepted" }, fresh.length);
    if (duplicates)
      metrics.events.inc({ partner: partner.partnerId, outcome: "duplicate" }, duplicates);
    if (rejected.length)
      metrics.events.inc({ partner: partner.partnerId, outcome: "rejected" }, rejected.length);
    ctx.traffic.record(partner.partnerId, {
      accepted: fresh.length,
      duplicate: duplicates,
      rejections: rejected.map((r) => r.error),
    });
    logger.debug(
      {
        receipt,
        partner: partner.partnerId,
        accepted: fresh.length,
        duplicates,
        rejected: rejected.length,
      },
      "clicks accepted",
    );
    ctx.reply(
      res,
      202,
      { receipt, accepted: fresh.length, duplicates, rejected },
      { "x-request-id": receipt },
    );
    return 202;
  }

  return handle;
}

/** The signature covers the raw body as sent (gzip bytes when gzipped), as the docs say. */
function checkSignature(req: IncomingMessage, raw: Buffer, partner: AuthenticatedPartner): void {
  const header = req.headers[SIGNATURE_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  if (!partner.requireSignature && value === undefined) return;
  const check = verifyRequestSignature({
    header: value,
    body: raw,
    secrets: partner.signingSecrets,
    nowSeconds: Math.floor(Date.now() / 1000),
  });
  if (!check.ok) throw new HttpError(401, check.reason);
}

function rateLimited(decision: RateDecision, events: number, ratePerSec: number): HttpError {
  const retryAfter = { "retry-after": String(Math.max(1, Math.ceil(decision.retryMs / 1000))) };
  if (decision.kind === "over-burst")
    return new HttpError(
      429,
      `a request of ${events} events is more than the burst of ${decision.burst} events (rate limit ${ratePerSec} events/s); send at most ${decision.burst} events per request`,
      retryAfter,
    );
  return new HttpError(429, `rate limit of ${ratePerSec} events/s exceeded`, retryAfter);
}
