/**
 * Lua scripts of the aggregator. Each touches keys of one hash tag only, so
 * they run unchanged on Redis Cluster.
 */

/**
 * Applies one campaign's deltas for one partition and records the consumed
 * offset, atomically.
 *
 * KEYS[1]            state hash `aggstate:{c}:<topic>:<partition>` {offset, epoch}
 * KEYS[2k], [2k+1]   counter hash and its HyperLogLog, for each counter k
 * ARGV[1..5]         epoch, fromOffset, toOffset, expectState (1: the caller saw state, so
 *                    missing state means Redis lost it), stateTtlSeconds
 * then per counter   clicks, cost_micros, suspicious, fraud, expireAt (unix s), n, user ids × n
 *
 * Returns {1, to} applied; {0, stored} already applied (stored ≥ from: skip, or
 * re-send the part after `stored`); {-1, stored} fenced: a newer owner (higher
 * epoch) wrote; {-2, -1} state lost.
 */
export const FLUSH_CAMPAIGN = `
local st = redis.call('HMGET', KEYS[1], 'offset', 'epoch')
local epoch = tonumber(ARGV[1])
local from = tonumber(ARGV[2])
local to = tonumber(ARGV[3])
if not st[1] then
  if ARGV[4] == '1' then return {-2, -1} end
else
  local stored = tonumber(st[1])
  if tonumber(st[2]) > epoch then return {-1, stored} end
  if stored >= from then return {0, stored} end
end
redis.call('HSET', KEYS[1], 'offset', ARGV[3], 'epoch', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
local a = 6
local k = 2
while a <= #ARGV do
  local ckey = KEYS[k]
  local hkey = KEYS[k + 1]
  redis.call('HINCRBY', ckey, 'clicks', ARGV[a])
  redis.call('HINCRBY', ckey, 'cost_micros', ARGV[a + 1])
  redis.call('HINCRBY', ckey, 'suspicious', ARGV[a + 2])
  redis.call('HINCRBY', ckey, 'fraud', ARGV[a + 3])
  local expireAt = ARGV[a + 4]
  local n = tonumber(ARGV[a + 5])
  a = a + 6
  local i = 0
  while i < n do
    local j = math.min(n, i + 500)
    redis.call('PFADD', hkey, unpack(ARGV, a + i, a + j - 1))
    i = j
  end
  a = a + n
  local uu = 0
  if redis.call('EXISTS', hkey) == 1 then
    uu = redis.call('PFCOUNT', hkey)
    redis.call('EXPIREAT', hkey, expireAt)
  end
  redis.call('HSET', ckey, 'unique_users', uu)
  redis.call('EXPIREAT', ckey, expireAt)
  k = k + 2
end
return {1, to}
`;

/**
 * Duplicate detection by event id, one campaign and UTC day per call. Records
 * the first position (`partition:offset`) of each id, and answers per id the
 * position that owns it; a click is a duplicate when that is not its own. An
 * earlier offset of the same partition takes over (a replay after Redis loss
 * re-registers originals in order), so the answer is stable under redelivery.
 *
 * KEYS[1] `seen:{c}:<YYYYMMDD>`; ARGV[1] expireAt (unix s); then id, partition, offset triples.
 */
export const SEEN_EVENTS = `
local out = {}
for i = 2, #ARGV, 3 do
  local id = ARGV[i]
  local mine = ARGV[i + 1] .. ':' .. ARGV[i + 2]
  local owner = redis.call('HGET', KEYS[1], id)
  if not owner then
    redis.call('HSET', KEYS[1], id, mine)
    owner = mine
  elseif owner ~= mine then
    local p, o = string.match(owner, '^(%d+):(%d+)$')
    if p == ARGV[i + 1] and tonumber(o) > tonumber(ARGV[i + 2]) then
      redis.call('HSET', KEYS[1], id, mine)
      owner = mine
    end
  end
  out[#out + 1] = owner
end
redis.call('EXPIREAT', KEYS[1], ARGV[1])
return out
`;

/**
 * Per-minute volume by IP and by user, shared by every replica. Each click gets
 * a rank (1, 2, …) in its (IP or user, minute) set when first seen, stored by
 * its position, so a redelivered click gets the same rank back.
 *
 * KEYS: the sorted sets `rate:{<minute>}:ip:<ip>` / `rate:{<minute>}:user:<id>` of one minute.
 * ARGV[1] ttl seconds; then keyIndex, member (`partition:offset`) pairs.
 */
export const RATE_RANKS = `
local out = {}
local touched = {}
for i = 2, #ARGV, 2 do
  local key = KEYS[tonumber(ARGV[i])]
  local rank = redis.call('ZSCORE', key, ARGV[i + 1])
  if not rank then
    rank = redis.call('ZCARD', key) + 1
    redis.call('ZADD', key, rank, ARGV[i + 1])
  end
  out[#out + 1] = tonumber(rank)
  touched[key] = true
end
for key, _ in pairs(touched) do redis.call('EXPIRE', key, ARGV[1]) end
return out
`;
