/**
 * `GET /c/<signed token>` (C1): records the click and redirects the browser to
 * the ad's landing URL; a tampered token gets 400 and records nothing. The
 * response headers are built and checked before anything is recorded, so a
 * click is never recorded for a redirect that then fails. HEAD (link checkers,
 * prefetchers) follows the redirect without counting a click.
 */
import { type IncomingMessage, type ServerResponse, validateHeaderValue } from "node:http";
import type { BlockList } from "node:net";
import { ClickEventInput, type ClickRecord } from "@adclick/shared";
import { normaliseLandingUrl, verifyClickToken } from "@adclick/shared/click-token";
import type { Logger } from "../runtime/logger";
import type { CampaignDirectory } from "./campaign-directory";
import { toClickRecord, toRejectedRecord } from "./click-batch";
import type { ClickProducer } from "./click-producer";
import { clientIp } from "./client-ip";
import { HttpError } from "./http-error";
import type { IngestMetrics } from "./ingest-metrics";
import { newReceipt } from "./receipt";
import type { BodyItem } from "./request-body";

export interface RedirectContext {
  appSecret: string;
  maxInFlightBytes: number;
  trusted: BlockList;
  logger: Logger;
  metrics: IngestMetrics;
  rawTopic: string;
  rejectedTopic: string;
  producer: ClickProducer;
  campaigns: CampaignDirectory;
}

export type RedirectHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  token: string,
  receipt: string,
) => Promise<number>;

const USER_COOKIE = "adclick_uid";

export function createRedirectHandler(ctx: RedirectContext): RedirectHandler {
  const { logger, metrics, producer } = ctx;

  /** Sends the click to Kafka (raw, or rejected for a campaign not taking clicks); false if it could not. */
  async function record(
    req: IncomingMessage,
    t: { campaignId: string; adId: string; partnerId: string; publisherId?: string },
    userId: string,
    receipt: string,
  ): Promise<boolean> {
    if (!producer.connected || producer.inFlightBytes >= ctx.maxInFlightBytes) return false;
    const parsed = ClickEventInput.safeParse({
      event_id: receipt,
      campaign_id: t.campaignId,
      ad_id: t.adId,
      user_id: userId,
      ip: clientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"], ctx.trusted),
      user_agent: (req.headers["user-agent"] ?? "").slice(0, 1024),
      ts: Date.now(),
      ...(t.publisherId ? { publisher_id: t.publisherId } : {}),
      ...(req.headers.referer ? { referrer: req.headers.referer.slice(0, 2048) } : {}),
    });
    if (!parsed.success) return false;
    try {
      const campaign = (await ctx.campaigns.lookup([t.campaignId])).get(t.campaignId) ?? null;
      const receivedAt = Date.now();
      if (campaign && campaign.status === "active") {
        const click: ClickRecord = toClickRecord(parsed.data, campaign, t.partnerId, receivedAt);
        await producer.send([
          {
            topic: ctx.rawTopic,
            key: click.campaign_id,
            value: JSON.stringify(click),
            headers: { receipt },
          },
        ]);
        metrics.events.inc({ partner: t.partnerId, outcome: "accepted" });
      } else {
        const error = campaign
          ? `campaign "${campaign.id}" is ${campaign.status}`
          : `campaign_id "${t.campaignId}" is unknown`;
        const item: BodyItem = { value: parsed.data };
        const rejected = toRejectedRecord(
          item,
          { index: 0, error },
          t.partnerId,
          receipt,
          receivedAt,
        );
        await producer.send([
          { topic: ctx.rejectedTopic, key: t.partnerId, value: JSON.stringify(rejected) },
        ]);
        metrics.events.inc({ partner: t.partnerId, outcome: "rejected" });
      }
      return true;
    } catch (err) {
      logger.warn({ err, receipt }, "redirect click not recorded");
      return false;
    }
  }

  return async (req, res, token, receipt) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(token);
    } catch {
      throw new HttpError(400, "invalid click link: malformed token");
    }
    const check = verifyClickToken(ctx.appSecret, decoded, Math.floor(Date.now() / 1000));
    if (!check.ok) throw new HttpError(400, `invalid click link: ${check.reason}`);
    const t = check.token;
    const cookies = parseCookies(req.headers.cookie);
    const known = cookies[USER_COOKIE];
    const userId = known && /^[A-Za-z0-9_-]{8,64}$/.test(known) ? known : newReceipt();
    const headers = redirectHeaders(t.landingUrl, receipt);
    if (userId !== known)
      headers["set-cookie"] =
        `${USER_COOKIE}=${userId}; Max-Age=31536000; Path=/; HttpOnly; SameSite=Lax`;

    if (req.method === "HEAD") {
      res.writeHead(302, headers);
      res.end();
      return 302;
    }
    // The user always gets to the landing page; a click we could not record is counted, not hidden.
    if (!(await record(req, t, userId, receipt))) metrics.redirectsUnrecorded.inc();
    res.writeHead(302, headers);
    res.end();
    return 302;
  };
}

/** The redirect's headers, each checked as Node will check it, or a 400 (nothing recorded yet). */
function redirectHeaders(landingUrl: string, receipt: string): Record<string, string> {
  let location: string;
  try {
    // Tokens signed before landing URLs were normalised may still carry raw non-ASCII.
    location = normaliseLandingUrl(landingUrl);
    validateHeaderValue("location", location);
  } catch {
    throw new HttpError(400, "invalid click link: the landing URL cannot be redirected to");
  }
  return { location, "cache-control": "no-store", "x-request-id": receipt };
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
