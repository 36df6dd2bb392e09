/**
 * Lua scripts of the aggregator. Each touches keys of one hash tag only, so
 * they run unchanged on Redis Cluster.
 */

/**
 * Applies one campaign's deltas for one partition and records the consumed
 * offset, atomically; also registers the batch's original event ids for
 * duplicate detection, so "seen" moves together with the counters.
 *
 * KEYS[1]            state hash `aggstate:{c}:<topic>:<partition>` {offset, epoch}
 * KEYS[2..1+S]       `seen:{c}:<YYYYMMDD>` hashes (event id → `partition:offset` of its first copy)
 * then pairs         counter hash and its HyperLogLog, for each counter
 * ARGV[1..6]         epoch, fromOffset, toOffset, expectedOffset (the stored offset the
 *                    caller last knew, '' for none: missing state, or state behind it, means
 *                    Redis lost or rolled back the campaign), stateTtlSeconds, S
 * per seen key       expireAt (unix s), `id,position;id,position;…` (event ids are
 *                    `[A-Za-z0-9_-]`)
 * per counter        clicks, cost_micros, suspicious, fraud, expireAt (unix s), the user ids
 *                    joined by newlines (packed: one argument, not one per user)
 *
 * Per counter the script does only the work that changes something: a new counter gets
 * all five fields in one HSET and its EXPIREATs (expiry is a pure function of the window,
 * so an existing counter already has the right one); an existing one gets HINCRBY of its
 * non-zero deltas, and PFCOUNT + HSET unique_users only when PFADD changed the HLL.
 *
 * Returns {1, to} applied; {0, stored} already applied (stored ≥ from: skip, or
 * re-send the part after `stored`); {-1, stored} fenced: a newer owner (higher
 * epoch) wrote; {-2, -1} state lost or rolled back.
 */
export const FLUSH_CAMPAIGN = `
local st = redis.call('HMGET', KEYS[1], 'offset', 'epoch')
local epoch = tonumber(ARGV[1])
local from = tonumber(ARGV[2])
local to = tonumber(ARGV[3])
if not st[1] then
  if ARGV[4] ~= '' then return {-2, -1} end
else
  local stored = tonumber(st[1])
  if tonumber(st[2]) > epoch then return {-1, stored} end
  if ARGV[4] ~= '' and stored < tonumber(ARGV[4]) then return {-2, -1} end
  if stored >= from then return {0, stored} end
end
redis.call('HSET', KEYS[1], 'offset', ARGV[3], 'epoch', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
local seenKeys = tonumber(ARGV[6])
local a = 7
for s = 1, seenKeys do
  local skey = KEYS[1 + s]
  local expireAt = ARGV[a]
  local buf = {}
  for id, pos in string.gmatch(ARGV[a + 1], '([^,;]+),([^;]+)') do
    buf[#buf + 1] = id
    buf[#buf + 1] = pos
    if #buf >= 500 then
      redis.call('HSET', skey, unpack(buf))
      buf = {}
    end
  end
  if #buf > 0 then redis.call('HSET', skey, unpack(buf)) end
  a = a + 2
  redis.call('EXPIREAT', skey, expireAt)
end
local k = 2 + seenKeys
while a <= #ARGV do
  local ckey = KEYS[k]
  local hkey = KEYS[k + 1]
  local clicks = tonumber(ARGV[a])
  local expireAt = ARGV[a + 4]
  local users = ARGV[a + 5]
  local changed = 0
  if users ~= '' then
    local buf = {}
    for u in string.gmatch(users, '[^\\n]+') do
      buf[#buf + 1] = u
      if #buf >= 500 then
        changed = math.max(changed, redis.call('PFADD', hkey, unpack(buf)))
        buf = {}
      end
    end
    if #buf > 0 then changed = math.max(changed, redis.call('PFADD', hkey, unpack(buf))) end
  end
  if redis.call('EXISTS', ckey) == 0 then
    -- A new counter: every field in one write, and its expiry (a pure function of its window).
    local uu = 0
    if users ~= '' then uu = redis.call('PFCOUNT', hkey) end
    redis.call('HSET', ckey, 'clicks', ARGV[a], 'cost_micros', ARGV[a + 1],
      'suspicious', ARGV[a + 2], 'fraud', ARGV[a + 3], 'unique_users', uu)
    redis.call('EXPIREAT', ckey, expireAt)
    if users ~= '' then redis.call('EXPIREAT', hkey, expireAt) end
  else
    -- An existing counter: only the fields that move; unique_users only when the HLL changed.
    if clicks ~= 0 and redis.call('HINCRBY', ckey, 'clicks', clicks) == clicks and users ~= '' then
      -- Its first counted clicks (it held only fraud): the HLL was just created.
      redis.call('EXPIREAT', hkey, expireAt)
    end
    if ARGV[a + 1] ~= '0' then redis.call('HINCRBY', ckey, 'cost_micros', ARGV[a + 1]) end
    if ARGV[a + 2] ~= '0' then redis.call('HINCRBY', ckey, 'suspicious', ARGV[a + 2]) end
    if ARGV[a + 3] ~= '0' then redis.call('HINCRBY', ckey, 'fraud', ARGV[a + 3]) end
    if changed == 1 then redis.call('HSET', ckey, 'unique_users', redis.call('PFCOUNT', hkey)) end
  end
  a = a + 6
  k = k + 2
end
return {1, to}
`;

/**
 * Per-minute volume by IP and by user, shared by every replica, counted once
 * per click position. One call per (UTC minute, partition) of a batch, O(distinct
 * values) Redis work: each IP's and user's count for the minute (a field of the
 * minute's IP or user hash) is raised by the batch's count with one HINCRBY, and
 * the bases (total before this chunk) are recorded with the chunk's click list in
 * the partition's journal for that minute, in the same atomic step. The caller
 * derives each click's rank (base + its place among the chunk's clicks of that
 * value). A redelivered click finds its chunk in the journal and gets the same
 * ranks back, whoever recomputes it.
 *
 * KEYS[1..3] journal hash `volj:{<minute>}:<topic>:<partition>` {last, n, c1..cn},
 *            `vol:{<minute>}:ip` and `vol:{<minute>}:user` (value → clicks this minute)
 * ARGV       expireAt (unix s: the minute's end, or now if later, plus a grace period), firstOffset,
 *            lastOffset, seenChunks ('' on a first call; else the chunk count of the
 *            journal the caller read and found none of these clicks in: they are counted
 *            only if no chunk was added since), packed clicks (`offset,index,index;…`,
 *            indexes into the IPs then the users), the distinct IPs and the distinct users
 *            (newline-separated, escaped so that neither holds a newline or is empty),
 *            their counts (comma-separated, same order)
 *
 * Returns {1, base1, base2, …} counted (IPs then users); or {0, chunks, record1, …} when
 * the journal already reaches firstOffset, or changed since the caller read it
 * (the caller reads answers from the records and calls again, with `chunks`,
 * for the clicks not in them).
 * A record is `<bases comma-separated>|<packed clicks>`.
 */
export const VOLUME_CHUNK = `
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '-1')
local chunks = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local count
if ARGV[4] == '' then count = last < tonumber(ARGV[2]) else count = tonumber(ARGV[4]) == chunks end
if not count then
  local out = {0, chunks}
  for i = 1, chunks do out[#out + 1] = redis.call('HGET', KEYS[1], 'c' .. i) or '' end
  return out
end
local expireAt = ARGV[1]
local out = {1}
local bases = {}
local function split(text, pattern)
  local parts = {}
  for v in string.gmatch(text, pattern) do parts[#parts + 1] = v end
  return parts
end
local ips, users = split(ARGV[6], '[^\\n]+'), split(ARGV[7], '[^\\n]+')
local ipCounts, userCounts = split(ARGV[8], '%d+'), split(ARGV[9], '%d+')
if #ips ~= #ipCounts or #users ~= #userCounts then
  return redis.error_reply('volume chunk: values and counts differ in number')
end
local function raise(key, fields, counts)
  for i = 1, #fields do
    local c = tonumber(counts[i])
    local b = redis.call('HINCRBY', key, fields[i], c) - c
    out[#out + 1] = b
    bases[#bases + 1] = b
  end
  if #fields > 0 then redis.call('EXPIREAT', key, expireAt) end
end
raise(KEYS[2], ips, ipCounts)
raise(KEYS[3], users, userCounts)
local n = redis.call('HINCRBY', KEYS[1], 'n', 1)
redis.call('HSET', KEYS[1], 'c' .. n, table.concat(bases, ',') .. '|' .. ARGV[5])
if tonumber(ARGV[3]) > last then redis.call('HSET', KEYS[1], 'last', ARGV[3]) end
redis.call('EXPIREAT', KEYS[1], expireAt)
return out
`;

/**
 * The first copy of each event id of a batch (one campaign and day): HMGET of
 * the ids, passed packed (event ids are `[A-Za-z0-9_-]`).
 *
 * KEYS[1]  `seen:{c}:<YYYYMMDD>`
 * ARGV[1]  the ids, comma-separated
 * Returns the position of each id's first copy, or nil, in order.
 */
export const SEEN_OWNERS = `
local out = {}
local buf = {}
local function read()
  local r = redis.call('HMGET', KEYS[1], unpack(buf))
  for i = 1, #buf do out[#out + 1] = r[i] end
  buf = {}
end
for id in string.gmatch(ARGV[1], '[^,]+') do
  buf[#buf + 1] = id
  if #buf >= 500 then read() end
end
if #buf > 0 then read() end
return out
`;

/**
 * The fencing epoch of one consumer-group generation, claimed compare-and-set
 * by the generation's leader while it assigns partitions (before any member
 * of the generation can write), and handed to each member through a hash.
 *
 * KEYS[1]  the epoch counter `aggepoch:{<group>}`
 * KEYS[2]  member id → epoch of the generation it was last assigned in
 * ARGV     expected counter value ('' for none: the token the leader read when it
 *          began assigning), the clock in ms (the start when the counter is missing,
 *          so epochs exceed those of before a wipe), the TTL of the member hash in
 *          seconds, then the generation's member ids
 *
 * Returns the new epoch, or 0 when the counter moved since the token was read: a
 * newer generation claimed first, so this late claim (an old leader's, delayed)
 * changes nothing.
 */
export const CLAIM_EPOCH = `
local current = redis.call('GET', KEYS[1])
if (current or '') ~= ARGV[1] then return 0 end
local base = tonumber(current or ARGV[2])
local epoch = base + 1
redis.call('SET', KEYS[1], epoch)
for i = 4, #ARGV do redis.call('HSET', KEYS[2], ARGV[i], epoch) end
redis.call('EXPIRE', KEYS[2], ARGV[3])
return epoch
`;
