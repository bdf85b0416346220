import { FENCE_REPLY } from './fenced-write.error';

/**
 * Lua scripts of RedisCheckpointSaver. Each runs atomically on the one Redis node that owns
 * the thread (all five keys of a thread share a hash tag), in a single round trip.
 *
 * KEYS of every script: 1 idx (ZSET of "<ns>\0<checkpoint_id>", score 0, ordered by member),
 * 2 checkpoints (HASH member → record JSON {c, ct, m, mt, p, v}), 3 blobs (HASH
 * "<ns>\0<channel>\0<version>" → value), 4 writes (HASH "<member>\0<task_id>\0<idx>" → value),
 * 5 write index (ZSET of the writes' fields, so one checkpoint's writes are a lex range),
 * 6 the thread's lease (read only, to fence writes).
 */

const EXPIRE_ALL = `
local function expire_all(ttl)
  if ttl > 0 then
    for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ttl) end
  end
end
`;

/** Lex range of the members that start with `prefix .. "\\0"`. */
const PREFIX_RANGE = `
local function prefix_range(prefix)
  return '[' .. prefix .. '\\0', '(' .. prefix .. '\\1'
end
`;

/**
 * Writes carry the writer's lease token ('' = unfenced): if KEYS[6], the thread's lease, no longer
 * holds it, the script refuses before writing anything.
 */
const FENCE = (tokenArg: number) => `
local fence = ARGV[${tokenArg}]
if fence ~= '' and redis.call('GET', KEYS[6]) ~= fence then
  return redis.error_reply('${FENCE_REPLY} the thread lease is no longer held by this writer')
end
`;

/** An index is never longer: chunks per value are capped well below what would reach it. */
export const MAX_INDEX_BYTES = 8192;

/** Reply of PUT when a value it builds on is no longer stored as the writer last saw it. */
export const STALE_BASE_REPLY = 'STALEBASE';

/**
 * Reply of PUT when a value the checkpoint keeps unchanged from its parent is gone (pruned with
 * the parent by keepLatest since the writer read it): the writer then stores every value itself.
 */
export const MISSING_VALUE_REPLY = 'MISSINGVALUE';

/**
 * Blob values of both formats: "<type>\0<data>" (whole), or an index "\2<nonce>\0<type>\0<closer>\0<chunk
 * id>\0…" whose data is the chunks' texts in order, then <closer>; chunk <id> is the field
 * "<ns>\0<channel>\0\2<id>". Chunks are written once and shared by the versions that grow from them.
 */
const CHUNKS = `
local function split0(s)
  local parts, from = {}, 1
  while true do
    local at = string.find(s, '\\0', from, true)
    if not at then
      parts[#parts + 1] = string.sub(s, from)
      return parts
    end
    parts[#parts + 1] = string.sub(s, from, at - 1)
    from = at + 1
  end
end
-- The chunk fields an index uses (none for a whole value).
local function chunk_fields(field, value)
  local fields = {}
  if not value or string.byte(value, 1) ~= 2 then return fields end
  local ns_channel = string.match(field, '^(.*%z)[^%z]*$')
  local parts = split0(value)
  for i = 4, #parts do fields[#fields + 1] = ns_channel .. '\\2' .. parts[i] end
  return fields
end
-- The chunk fields the blob field's value uses; an index is short, so longer values are not read.
local function chunks_of(field)
  if redis.call('HSTRLEN', KEYS[3], field) > ${MAX_INDEX_BYTES} then return {} end
  return chunk_fields(field, redis.call('HGET', KEYS[3], field))
end
`;

/**
 * ARGV: ns, checkpoint_id, record, ttl seconds (0 = none), keep latest (0 = all), fence token, the
 * number P of preconditions, P pairs (blob field, value it must still hold: an index a new value
 * builds on, else STALEBASE before anything is written), the number R of fields whose values the
 * checkpoint keeps from its parent, the parent's member ('' = none), those R fields (when the
 * parent is no longer stored, each must exist, else MISSINGVALUE), then blob field/value pairs. Prunes
 * checkpoints beyond "keep latest" in the same step, with their writes, the blobs no kept
 * checkpoint references, and the chunks no kept blob uses.
 */
export const PUT_SCRIPT = `${EXPIRE_ALL}${PREFIX_RANGE}${CHUNKS}
-- A checkpoint's record, index entry and pending writes (not its values: others may share them).
local function drop_checkpoint(m)
  local wmin, wmax = prefix_range(m)
  for _, f in ipairs(redis.call('ZRANGEBYLEX', KEYS[5], wmin, wmax)) do redis.call('HDEL', KEYS[4], f) end
  redis.call('ZREMRANGEBYLEX', KEYS[5], wmin, wmax)
  redis.call('HDEL', KEYS[2], m)
  redis.call('ZREM', KEYS[1], m)
end

${FENCE(6)}
local ns, id, record = ARGV[1], ARGV[2], ARGV[3]
local ttl, keep = tonumber(ARGV[4]), tonumber(ARGV[5])
local member = ns .. '\\0' .. id
local required_at = 8 + 2 * tonumber(ARGV[7])
for at = 8, required_at - 1, 2 do
  if redis.call('HGET', KEYS[3], ARGV[at]) ~= ARGV[at + 1] then
    return redis.error_reply('${STALE_BASE_REPLY} a value this one builds on is no longer stored')
  end
end
-- A parent that is still stored still has its values; one pruned since the writer read it may
-- have taken along values this checkpoint keeps unchanged.
local required, parent = tonumber(ARGV[required_at]), ARGV[required_at + 1]
local pairs_from = required_at + 2 + required
if required > 0 and parent ~= '' and redis.call('HEXISTS', KEYS[2], parent) == 0 then
  for at = required_at + 2, pairs_from - 1 do
    if redis.call('HEXISTS', KEYS[3], ARGV[at]) == 0 then
      return redis.error_reply('${MISSING_VALUE_REPLY} a value this checkpoint keeps from its pruned parent is no longer stored')
    end
  end
end
redis.call('ZADD', KEYS[1], 0, member)
redis.call('HSET', KEYS[2], member, record)
for i = pairs_from, #ARGV, 2 do redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1]) end

if keep > 0 then
  local min, max = prefix_range(ns)
  -- The checkpoint just written is always kept, even when its id sorts before older ones
  -- (ids made on hosts with skewed clocks): the others are pruned oldest first.
  local all = {}
  for _, m in ipairs(redis.call('ZRANGEBYLEX', KEYS[1], min, max)) do
    if m ~= member then all[#all + 1] = m end
  end
  all[#all + 1] = member
  local records = {}
  local function record_of(m)
    if records[m] == nil then
      local raw = redis.call('HGET', KEYS[2], m)
      records[m] = raw and cjson.decode(raw) or false
    end
    return records[m]
  end
  -- The newest N, and the ancestors their delta channels are rebuilt from (record.d: up to the
  -- nearest checkpoint that stores the full value).
  local kept = {}
  for i = math.max(1, #all - keep + 1), #all do
    local m = all[i]
    while m and not kept[m] do
      kept[m] = true
      local rec = record_of(m)
      m = (rec and rec.d == 1 and rec.p) and (ns .. '\\0' .. rec.p) or nil
    end
  end
  local kept_fields = {}
  for m in pairs(kept) do
    local rec = record_of(m)
    for channel, version in pairs(rec and rec.v or {}) do
      local f = ns .. '\\0' .. channel .. '\\0' .. version
      if not kept_fields[f] then
        kept_fields[f] = true
        for _, c in ipairs(chunks_of(f)) do kept_fields[c] = true end
      end
    end
  end
  for _, old in ipairs(all) do
    if not kept[old] then drop_checkpoint(old) end
  end
  -- Every value and chunk of this namespace that no kept checkpoint uses goes: those of the
  -- checkpoints just dropped, and any a repeated put of a checkpoint left behind.
  local own = ns .. '\\0'
  for _, f in ipairs(redis.call('HKEYS', KEYS[3])) do
    if not kept_fields[f] and string.sub(f, 1, #own) == own then redis.call('HDEL', KEYS[3], f) end
  end
  -- Pending writes that arrived for a checkpoint already pruned (they can come after it, e.g. a
  -- script re-sent after a failover) would stay for ever: drop those older than every kept one.
  -- Writes for a checkpoint not put yet are newer, and stay.
  local oldest
  for m in pairs(kept) do
    if not oldest or m < oldest then oldest = m end
  end
  for _, f in ipairs(redis.call('ZRANGEBYLEX', KEYS[5], min, max)) do
    local at = string.find(f, '\\0', #own + 1, true)
    local m = at and string.sub(f, 1, at - 1)
    if m and m < oldest and not kept[m] and redis.call('HEXISTS', KEYS[2], m) == 0 then
      redis.call('HDEL', KEYS[4], f)
      redis.call('ZREM', KEYS[5], f)
    end
  end
  if #all > keep then
    -- Subgraph namespaces with a task id ("<node>:<task id>", ':' is not allowed in node names)
    -- are new on every run and never written again, so their own pruning never comes back to
    -- them: drop those that ended before the oldest kept root checkpoint. Namespaces without one
    -- belong to subgraphs compiled with checkpointer: true, which keep state across runs.
    if ns == '' then
      local oldest
      for m in pairs(kept) do
        local kid = string.sub(m, 2)
        if not oldest or kid < oldest then oldest = kid end
      end
      local newest_of = {}
      for _, m in ipairs(redis.call('ZRANGEBYLEX', KEYS[1], '[\\1', '+')) do
        local at = string.find(m, '\\0', 1, true)
        local sub_ns, sub_id = string.sub(m, 1, at - 1), string.sub(m, at + 1)
        if not newest_of[sub_ns] or sub_id > newest_of[sub_ns] then newest_of[sub_ns] = sub_id end
      end
      for sub_ns, newest in pairs(newest_of) do
        if newest < oldest and string.find(sub_ns, ':', 1, true) then
          local smin, smax = prefix_range(sub_ns)
          for _, m in ipairs(redis.call('ZRANGEBYLEX', KEYS[1], smin, smax)) do
            -- Values are per namespace, so nothing outside this one references them.
            local raw = redis.call('HGET', KEYS[2], m)
            if raw then
              for channel, version in pairs(cjson.decode(raw).v) do
                local f = sub_ns .. '\\0' .. channel .. '\\0' .. version
                for _, c in ipairs(chunks_of(f)) do redis.call('HDEL', KEYS[3], c) end
                redis.call('HDEL', KEYS[3], f)
              end
            end
            drop_checkpoint(m)
          end
        end
      end
    end
  end
end
expire_all(ttl)
return 1
`;

/** ARGV: ttl seconds, "1" to overwrite existing writes (special channels) or "0", fence token, then field/value pairs. */
export const PUT_WRITES_SCRIPT = `${EXPIRE_ALL}${FENCE(3)}
local ttl, overwrite = tonumber(ARGV[1]), ARGV[2] == '1'
for i = 4, #ARGV, 2 do
  redis.call('ZADD', KEYS[5], 0, ARGV[i])
  if overwrite then
    redis.call('HSET', KEYS[4], ARGV[i], ARGV[i + 1])
  else
    redis.call('HSETNX', KEYS[4], ARGV[i], ARGV[i + 1])
  end
end
expire_all(ttl)
return 1
`;

/**
 * ARGV: ns, checkpoint_id ("" = latest of ns), ttl seconds to refresh (0 = none), then pairs of
 * blob field and index header the caller holds: such a blob, if its index still starts with that
 * header, comes back as '' instead of its value, and its chunks are not read. Returns nil or
 * { member, record, {blob field, value, …}, {write field, value, …}, {chunk field, text, …} }.
 */
export const GET_SCRIPT = `${EXPIRE_ALL}${PREFIX_RANGE}${CHUNKS}
local ns, id, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local held = {}
for i = 4, #ARGV, 2 do held[ARGV[i]] = ARGV[i + 1] end
local member
if id == '' then
  local min, max = prefix_range(ns)
  local latest = redis.call('ZREVRANGEBYLEX', KEYS[1], max, min, 'LIMIT', 0, 1)
  if #latest == 0 then return nil end
  member = latest[1]
else
  member = ns .. '\\0' .. id
end
local record = redis.call('HGET', KEYS[2], member)
if not record then return nil end

-- HMGET in slices: unpack() of more than ~8000 fields overflows Lua's stack.
local function fetch(key, fields, known)
  local pairs_out = {}
  for from = 1, #fields, 1000 do
    local to = math.min(from + 999, #fields)
    local values = redis.call('HMGET', key, unpack(fields, from, to))
    for i = from, to do
      local value = values[i - from + 1]
      if value then
        local header = known[fields[i]]
        if header and string.sub(value, 1, #header) == header then value = '' end
        pairs_out[#pairs_out + 1] = fields[i]
        pairs_out[#pairs_out + 1] = value
      end
    end
  end
  return pairs_out
end

local blob_fields = {}
for channel, version in pairs(cjson.decode(record).v) do
  blob_fields[#blob_fields + 1] = ns .. '\\0' .. channel .. '\\0' .. version
end
local wmin, wmax = prefix_range(member)
local write_fields = redis.call('ZRANGEBYLEX', KEYS[5], wmin, wmax)
expire_all(ttl)
local blobs = fetch(KEYS[3], blob_fields, held)
local chunks = {}
for i = 2, #blobs, 2 do
  for _, c in ipairs(chunk_fields(blobs[i - 1], blobs[i])) do chunks[#chunks + 1] = c end
end
return { member, record, blobs, fetch(KEYS[4], write_fields, {}), fetch(KEYS[3], chunks, {}) }
`;

/** ARGV: fence token. Deletes the thread's five keys, unless the lease no longer holds the token. */
export const DELETE_FENCED_SCRIPT = `${FENCE(1)}
return redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
`;
