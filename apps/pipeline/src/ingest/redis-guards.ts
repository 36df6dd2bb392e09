/**
 * The ingest's two Redis guards, shared by every replica: a per-partner token
 * bucket (rate limit) and per-partner event-id idempotency marks. Keys carry
 * the partner as a Redis Cluster hash tag, so one request's keys share a slot
 * and its admission (take the tokens, claim the event ids) is one script call,
 * one round trip; committing the marks after Kafka's acknowledgement is the
 * other.
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
import { type RedisClient, SlotPipeline, waitForReplicas } from "@adclick/shared/redis";

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
 * One request's admission, atomic in the partner's slot: takes ARGV[3] tokens
 * (one per event, C1) when the bucket holds them, and only then claims each of
 * KEYS[2..] (the request's idempotency marks) as ARGV[4] with a TTL of ARGV[5]
 * ms. A refused request changes nothing (refilling is a function of the stored
 * tokens and time, so it need not be written back). Returns {allowed, retry_ms,
 * next_ms, codes...}: retry_ms until the request's tokens are there (when
 * refused), next_ms until the bucket holds one token again (0: it does), and
 * per mark 1 = claimed by us, 0 = already done (duplicate), 2 = pending in
 * another request.
 */
const ADMIT = `
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
if tokens < cost then
  local next_ms = 0
  if tokens < 1 then next_ms = math.ceil((1 - tokens) * 1000 / rate) end
  return {0, math.ceil((cost - tokens) * 1000 / rate), next_ms}
end
tokens = tokens - cost
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
local out = {1, 0, 0}
if tokens < 1 then out[3] = math.ceil((1 - tokens) * 1000 / rate) end
for i = 2, #KEYS do
  local k = KEYS[i]
  if redis.call('SET', k, ARGV[4], 'NX', 'PX', ARGV[5]) then
    out[i + 2] = 1
  elseif redis.call('GET', k) == 'd' then
    out[i + 2] = 0
  else
    out[i + 2] = 2
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

type ScriptCommand = "adclickAdmit" | "adclickCommit" | "adclickRelease";

export type ClaimOutcome = "claimed" | "duplicate" | "pending";

/** What the rate limit and the idempotency marks make of a request. */
export type Admission =
  /** Tokens taken; `outcomes[i]` is what became of `eventIds[i]`'s mark. */
  | { kind: "admitted"; outcomes: ClaimOutcome[] }
  /** Not enough tokens: nothing taken, nothing claimed. */
  | { kind: "limited"; retryMs: number }
  /** More events than the burst: can never pass, refused without asking Redis. */
  | { kind: "over-burst"; burst: number; retryMs: number };

export type RateDecision = Exclude<Admission, { kind: "admitted" }>;

/** A partner's bucket holds two seconds of its rate. */
export const burstFor = (ratePerSec: number): number => Math.max(1, ratePerSec) * 2;

/** The refusal of a request of more events than the partner's burst (it could never pass), else null. */
export function overBurst(ratePerSec: number, events: number): RateDecision | null {
  const rate = Math.max(1, ratePerSec);
  const burst = burstFor(rate);
  return events > burst
    ? { kind: "over-burst", burst, retryMs: Math.ceil((burst * 1000) / rate) }
    : null;
}

interface QueuedCall {
  command: ScriptCommand;
  /** numkeys, the keys (the first places the call in a cluster), then the arguments. */
  args: Array<string | number>;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

type PipelineCommands = Record<ScriptCommand, (...args: Array<string | number>) => unknown>;

const OUTCOMES: readonly ClaimOutcome[] = ["duplicate", "claimed", "pending"];

export class RedisGuards {
  private readonly redis: RedisClient;
  /**
   * Guard calls of concurrent requests wait for the end of the event loop turn
   * and go out as one pipeline: one write and one round trip for all of them
   * (ioredis's auto-pipelining only joins commands of the same tick, i.e. of
   * one request). Each script stays atomic; only the transport is shared.
   */
  private queue: QueuedCall[] = [];
  /** Commits waiting for the next flush, by partner. */
  private readonly commits = new Map<
    string,
    { ids: string[]; waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> }
  >();
  private flushScheduled = false;
  /**
   * When each partner's bucket, as this replica last saw it, holds a token
   * again (epoch ms). Other replicas only ever take tokens, so until then the
   * bucket is surely empty and a request can be refused before its body is
   * read, without asking Redis.
   */
  private readonly emptyUntil = new Map<string, number>();

  constructor(redis: RedisClient) {
    redis.defineCommand("adclickAdmit", { lua: ADMIT });
    redis.defineCommand("adclickCommit", { lua: COMMIT });
    redis.defineCommand("adclickRelease", { lua: RELEASE });
    this.redis = redis;
  }

  private call<T>(command: ScriptCommand, args: Array<string | number>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ command, args, resolve: resolve as (value: unknown) => void, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flush);
    }
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    // The commits of one partner's requests are one script call (one slot: the partner's tag).
    for (const [partnerId, group] of this.commits) {
      const args: Array<string | number> = [group.ids.length];
      for (const id of group.ids) args.push(seenKey(partnerId, id));
      args.push(IDEMPOTENCY_TTL_SECONDS);
      this.queue.push({
        command: "adclickCommit",
        args,
        resolve: () => {
          for (const w of group.waiters) w.resolve();
        },
        reject: (err) => {
          for (const w of group.waiters) w.reject(err);
        },
      });
    }
    this.commits.clear();
    const calls = this.queue;
    this.queue = [];
    // One pipeline on a node; on a Redis Cluster one per partner's slot.
    const pipeline = new SlotPipeline(this.redis);
    for (const c of calls)
      pipeline.add(String(c.args[1]), (pipe) => {
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
   * Milliseconds until the partner's bucket holds a token, as far as this
   * replica knows from its own last admission (0: it may hold one now). Asks
   * nothing of Redis: a bucket emptied by another replica is found out by
   * `admit`.
   */
  knownWaitMs(partnerId: string, nowMs = Date.now()): number {
    const until = this.emptyUntil.get(partnerId);
    if (until === undefined) return 0;
    if (until > nowMs) return until - nowMs;
    this.emptyUntil.delete(partnerId);
    return 0;
  }

  /**
   * In one round trip: takes `events` tokens from the partner's bucket
   * (refilling `ratePerSec`, holding at most the burst) and, only if they were
   * there, claims the (partner, event id) marks of `eventIds` as `claimToken`'s,
   * pending for PENDING_TTL_MS. A request of more events than the burst can
   * never pass and is refused whole without touching Redis.
   */
  async admit(
    partnerId: string,
    ratePerSec: number,
    events: number,
    eventIds: readonly string[],
    claimToken: string,
  ): Promise<Admission> {
    const refusal = overBurst(ratePerSec, events);
    if (refusal) return refusal;
    const rate = Math.max(1, ratePerSec);
    const args: Array<string | number> = [1 + eventIds.length, rateLimitKey(partnerId)];
    for (const id of eventIds) args.push(seenKey(partnerId, id));
    args.push(rate, burstFor(rate), Math.max(1, events), claimToken, PENDING_TTL_MS);
    const reply = await this.call<number[]>("adclickAdmit", args);
    const nextMs = reply[2]!;
    if (nextMs > 0) this.emptyUntil.set(partnerId, Date.now() + nextMs);
    else this.emptyUntil.delete(partnerId);
    if (reply[0] !== 1) return { kind: "limited", retryMs: Math.max(1, reply[1]!) };
    const outcomes = new Array<ClaimOutcome>(eventIds.length);
    for (let i = 0; i < eventIds.length; i++) outcomes[i] = OUTCOMES[reply[i + 3]!]!;
    return { kind: "admitted", outcomes };
  }

  /** Marks the pairs done for IDEMPOTENCY_TTL_SECONDS (their events are in Kafka). */
  async commit(partnerId: string, eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await new Promise<void>((resolve, reject) => {
      let group = this.commits.get(partnerId);
      if (!group) {
        group = { ids: [], waiters: [] };
        this.commits.set(partnerId, group);
      }
      for (const id of eventIds) group.ids.push(id);
      group.waiters.push({ resolve, reject });
      this.scheduleFlush();
    });
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
