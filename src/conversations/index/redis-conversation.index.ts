import { hashTagOf } from '../../checkpoint/redis/thread-keys';
import type { RedisConnection } from '../../redis/redis-connection';
import { luaScript, redisCall, runScript } from '../../redis/redis-script';
import {
  clip,
  type ConversationIndex,
  type ConversationPage,
  type ConversationSummary,
  decodeCursor,
  encodeCursor,
  PREVIEW_CHARS,
  TITLE_CHARS,
  type TurnRecord,
} from './conversation-index';

/**
 * KEYS: 1 the user's threads (ZSET by updated_at ms), 2 their summaries (HASH thread → JSON),
 * 3 this thread's message times (HASH message id → ISO time).
 * ARGV: thread id, updated_at ms, summary JSON for a new thread, last_question, last_answer,
 * updated_at ISO, message_count, ttl seconds (0 = none), n, then the n ids of the turn's messages,
 * then the ids of every message still in the thread (the times of the others are dropped).
 * created_at and title of an existing thread are kept, and so is a message's first time.
 */
const RECORD = luaScript(`
local thread, score, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[8])
local summary = cjson.decode(ARGV[3])
local existing = redis.call('HGET', KEYS[2], thread)
if existing then
  local old = cjson.decode(existing)
  summary.created_at = old.created_at
  summary.title = old.title
end
redis.call('HSET', KEYS[2], thread, cjson.encode(summary))
redis.call('ZADD', KEYS[1], score, thread)
local added = tonumber(ARGV[9])
for i = 10, 9 + added do redis.call('HSETNX', KEYS[3], ARGV[i], ARGV[6]) end
local still = {}
for i = 10 + added, #ARGV do still[ARGV[i]] = true end
for _, id in ipairs(redis.call('HKEYS', KEYS[3])) do
  if not still[id] then redis.call('HDEL', KEYS[3], id) end
end
if ttl > 0 then
  -- threads idle for longer than the TTL have expired with their checkpoints
  local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (score - ttl * 1000))
  for _, t in ipairs(stale) do redis.call('HDEL', KEYS[2], t) end
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (score - ttl * 1000))
  for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ttl) end
end
return 1
`);

/** KEYS as RECORD; ARGV: thread id. Returns 1 when the user had the thread. */
const REMOVE = luaScript(`
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
return removed
`);

/** The per-user index in Redis: a user's keys share one hash tag, so one Cluster slot. */
export class RedisConversationIndex implements ConversationIndex {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    private readonly ttlSeconds = 0,
  ) {}

  private keys(userId: string, threadId = ''): string[] {
    const base = `${this.prefix}:user:{${hashTagOf(userId)}}`;
    return [`${base}:threads`, `${base}:summaries`, `${base}:times:${threadId}`];
  }

  async record(turn: TurnRecord): Promise<void> {
    const at = turn.at.toISOString();
    const summary: ConversationSummary = {
      thread_id: turn.threadId,
      user_id: turn.userId,
      created_at: at,
      updated_at: at,
      message_count: turn.messageCount,
      title: clip(turn.question, TITLE_CHARS),
      last_question: clip(turn.question, PREVIEW_CHARS),
      last_answer: clip(turn.answer, PREVIEW_CHARS),
    };
    await runScript(this.redis, RECORD, this.keys(turn.userId, turn.threadId), [
      turn.threadId,
      String(turn.at.getTime()),
      JSON.stringify(summary),
      summary.last_question,
      summary.last_answer,
      at,
      String(turn.messageCount),
      String(this.ttlSeconds),
      String(turn.messageIds.length),
      ...turn.messageIds,
      ...turn.threadMessageIds,
    ]);
  }

  async list(userId: string, limit: number, cursor?: string): Promise<ConversationPage> {
    const [threadsKey, summariesKey] = this.keys(userId);
    const after = cursor ? decodeCursor(cursor) : undefined;
    const oldest = this.ttlSeconds ? String(Date.now() - this.ttlSeconds * 1000) : '-inf';
    // Ties on updated_at are ordered by thread id, descending, like ZREVRANGEBYSCORE does.
    const sameScore = after
      ? (await redisCall(() => this.redis.zRangeByScore(threadsKey, after.score, after.score)))
          .filter((t) => t < after.threadId)
          .sort()
          .reverse()
      : [];
    const older = await redisCall(() =>
      this.redis.zRangeWithScores(threadsKey, after ? `(${after.score}` : '+inf', oldest, {
        BY: 'SCORE',
        REV: true,
        LIMIT: { offset: 0, count: limit + 1 },
      }),
    );
    const scores = new Map(older.map((e) => [e.value, e.score]));
    const ids = [...sameScore, ...older.map((e) => e.value)].slice(0, limit + 1);
    const page = ids.slice(0, limit);
    const items = page.length
      ? (await redisCall(() => this.redis.hmGet(summariesKey, page)))
          .filter((raw): raw is string => raw !== null)
          .map((raw) => JSON.parse(raw) as ConversationSummary)
      : [];
    const last = page.at(-1);
    const lastScore = last ? (scores.get(last) ?? after?.score ?? 0) : 0;
    return { items, nextCursor: ids.length > limit && last ? encodeCursor(lastScore, last) : null };
  }

  async get(userId: string, threadId: string): Promise<ConversationSummary | undefined> {
    const raw = await redisCall(() => this.redis.hGet(this.keys(userId)[1], threadId));
    return raw ? (JSON.parse(raw) as ConversationSummary) : undefined;
  }

  async messageTimes(userId: string, threadId: string): Promise<Record<string, string>> {
    return redisCall(() => this.redis.hGetAll(this.keys(userId, threadId)[2]));
  }

  async remove(userId: string, threadId: string): Promise<boolean> {
    return (await runScript(this.redis, REMOVE, this.keys(userId, threadId), [threadId])) === 1;
  }
}
