/**
 * The ingest's two Redis guards, shared by every replica: a per-partner token
 * bucket (rate limit) and per-partner event-id idempotency marks. Keys carry
 * the partner as a Redis Cluster hash tag, so one request's keys share a slot
 * and each guard is one script call (one round trip) per request.
 *
 * Idempotency marks have two states. A request first claims its new event ids
 * as "pending" with a short TTL; only after Kafka acknowledged them are they
 * committed as "done" for 24 h. If the produce fails the claims are released,
 * so the retry is produced rather than reported as a duplicate; if the process
 * dies between claim and produce, the pending mark expires and the retry then
 * goes through. A request that meets another request's pending claim gets a
 * 503 (retry) rather than a false "duplicate".
 *
 * Exact keys cost ~90 bytes per event id per day. At the seed design's
 * sustained rates a Bloom filter would be cheaper, but every false positive
 * would silently drop a billable click; we keep exact keys (Redis memory is the
 * budget to watch: `adclick_ingest_events_total` x 24 h x ~90 B).
 */
import { type RedisClient as Redis, SlotPipeline, waitForReplicas } from "@adclick/shared/redis";

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/**
 * How long a request waits for Kafka's acknowledgement before answering 503, by
 * default (the ingest's `sendDeadlineMs`); its claims stay pending until the
 * send settles (see the ingest server).
 */
export const SEND_DEADLINE_MS = 30_000;
/**
 * Far longer than the deadline, so a claim outlives a slow send; short enough
 * that a crash blocks a retry only briefly. Should a send outlive even this, a
 * retry can reach Kafka twice, and the aggregator and the batch drop the copy.
 */
export const PENDING_TTL_MS = 180_000;

export const rateLimitKey = (partnerId: string) => `ingest:rate:{${partnerId}}`;
export const seenKey = (partnerId: string, eventId: string) =>
  `ingest:seen:{${partnerId}}:${eventId}`;

/**
 * Takes ARGV[3] tokens (one per event, C1) when the bucket holds them; with
 * ARGV[3] = 0 it only reports how long until one token is there (the check made
 * before a request's body is read). Returns {allowed, retry_ms}.
 */
const TOKEN_BUCKET = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
if tokens == nil or ts == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
if cost == 0 then
  if tokens >= 1 then return {1, 0} end
  return {0, math.ceil((1 - tokens) * 1000 / rate)}
end
local allowed = 0
local retry_ms = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry_ms = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, retry_ms}
`;

/** 1 = claimed by us, 0 = already done (duplicate), 2 = pending in another request. */
const CLAIM = `
local out = {}
for i, k in ipairs(KEYS) do
  if redis.call('SET', k, ARGV[1], 'NX', 'PX', ARGV[2]) then
    out[i] = 1
  elseif redis.call('GET', k) == 'd' then
    out[i] = 0
  else
    out[i] = 2
  end
end
return out
`;

const COMMIT = `
for i, k in ipairs(KEYS) do redis.call('SET', k, 'd', 'EX', ARGV[1]) end
return #KEYS
`;

const RELEASE = `
local n = 0
for i, k in ipairs(KEYS) do
  if redis.call('GET', k) == ARGV[1] then redis.call('DEL', k); n = n + 1 end
end
return n
`;

type Scripted = Redis & {
  adclickTokenBucket(
    key: string,
    rate: number,
    burst: number,
    cost: number,
  ): Promise<[number, number]>;
  adclickClaim(numKeys: number, ...args: Array<string | number>): Promise<number[]>;
  adclickCommit(numKeys: number, ...args: Array<string | number>): Promise<number>;
  adclickRelease(numKeys: number, ...args: Array<string | number>): Promise<number>;
};

export type ClaimOutcome = "claimed" | "duplicate" | "pending";

export type RateDecision =
  | { kind: "allowed" }
  | { kind: "limited"; retryMs: number }
  | { kind: "over-burst"; burst: number; retryMs: number };

/** A partner's bucket holds two seconds of its rate. */
export const burstFor = (ratePerSec: number): number => Math.max(1, ratePerSec) * 2;

interface QueuedCall {
  command: "adclickTokenBucket" | "adclickClaim" | "adclickCommit" | "adclickRelease";
  args: Array<string | number>;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

type PipelineCommands = Record<QueuedCall["command"], (...args: Array<string | number>) => unknown>;

/** The key that places a guard call: the bucket of a rate-limit call, else the first of its keys. */
function slotKeyOf(call: QueuedCall): string {
  return String(call.command === "adclickTokenBucket" ? call.args[0] : call.args[1]);
}

export class RedisGuards {
  private readonly redis: Scripted;
  /**
   * Guard calls of concurrent requests wait for the end of the event loop turn
   * and go out as one pipeline: one write and one round trip for all of them
   * (ioredis's auto-pipelining only joins commands of the same tick, i.e. of
   * one request). Each script stays atomic; only the transport is shared.
   */
  private queue: QueuedCall[] = [];

  constructor(redis: Redis) {
    redis.defineCommand("adclickTokenBucket", { numberOfKeys: 1, lua: TOKEN_BUCKET });
    redis.defineCommand("adclickClaim", { lua: CLAIM });
    redis.defineCommand("adclickCommit", { lua: COMMIT });
    redis.defineCommand("adclickRelease", { lua: RELEASE });
    this.redis = redis as Scripted;
  }

  private call<T>(command: QueuedCall["command"], args: Array<string | number>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ command, args, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length === 1) setImmediate(this.flush);
    });
  }

  private readonly flush = (): void => {
    const calls = this.queue;
    this.queue = [];
    // One pipeline on a node; on a Redis Cluster one per partner's slot.
    const pipeline = new SlotPipeline(this.redis);
    for (const c of calls)
      pipeline.add(slotKeyOf(c), (pipe) => {
        (pipe as unknown as PipelineCommands)[c.command](...c.args);
      });
    pipeline.exec().then(
      (results) => {
        calls.forEach((c, i) => {
          const result = results[i];
          if (!result) c.reject(new Error("Redis pipeline returned no result"));
          else if (result[0]) c.reject(result[0]);
          else c.resolve(result[1]);
        });
      },
      (err: Error) => {
        for (const c of calls) c.reject(err);
      },
    );
  };

  /**
   * Takes `events` tokens from the partner's bucket (refilling `ratePerSec`,
   * holding at most the burst). A request of more events than the burst can
   * never pass and is refused whole without touching the bucket.
   */
  async takeTokens(partnerId: string, ratePerSec: number, events: number): Promise<RateDecision> {
    const rate = Math.max(1, ratePerSec);
    const burst = burstFor(rate);
    if (events > burst)
      return { kind: "over-burst", burst, retryMs: Math.ceil((burst * 1000) / rate) };
    const [allowed, retryMs] = await this.call<[number, number]>("adclickTokenBucket", [
      rateLimitKey(partnerId),
      rate,
      burst,
      Math.max(1, events),
    ]);
    return allowed === 1 ? { kind: "allowed" } : { kind: "limited", retryMs: Math.max(1, retryMs) };
  }

  /** Milliseconds until the partner's bucket holds a token (0: now); takes nothing. */
  async waitForToken(partnerId: string, ratePerSec: number): Promise<number> {
    const rate = Math.max(1, ratePerSec);
    const [allowed, retryMs] = await this.call<[number, number]>("adclickTokenBucket", [
      rateLimitKey(partnerId),
      rate,
      burstFor(rate),
      0,
    ]);
    return allowed === 1 ? 0 : Math.max(1, retryMs);
  }

  async claim(
    partnerId: string,
    eventIds: readonly string[],
    claimToken: string,
  ): Promise<ClaimOutcome[]> {
    if (eventIds.length === 0) return [];
    const args: Array<string | number> = [eventIds.length];
    for (const id of eventIds) args.push(seenKey(partnerId, id));
    args.push(claimToken, PENDING_TTL_MS);
    const codes = await this.call<number[]>("adclickClaim", args);
    return codes.map((c) => (c === 1 ? "claimed" : c === 0 ? "duplicate" : "pending"));
  }

  async commit(partnerId: string, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    const args: Array<string | number> = [eventIds.length];
    for (const id of eventIds) args.push(seenKey(partnerId, id));
    args.push(IDEMPOTENCY_TTL_SECONDS);
    await this.call<number>("adclickCommit", args);
    // On a cluster the marks must outlive a failover, or a client's retry would be a second click.
    await waitForReplicas(this.redis, 500);
  }

  /** Removes our own pending claims (never another request's, never a committed mark). */
  async release(partnerId: string, eventIds: readonly string[], claimToken: string): Promise<void> {
    if (eventIds.length === 0) return;
    const args: Array<string | number> = [eventIds.length];
    for (const id of eventIds) args.push(seenKey(partnerId, id));
    args.push(claimToken);
    await this.call<number>("adclickRelease", args);
  }
}
