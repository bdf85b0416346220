import { type ThrottlerStorage, ThrottlerStorageService } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import type { RedisConnection } from '../redis/redis-connection';
import { isRedisUnavailable } from '../redis/redis-errors';
import { luaScript, runScript } from '../redis/redis-script';

/**
 * KEYS: 1 hit counter, 2 block marker (same hash tag). ARGV: window ms, limit, block ms.
 * Returns { hits, window ms left, blocked (0/1), block ms left }.
 */
const INCREMENT = luaScript(`
local window, limit, block = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local blocked_for = redis.call('PTTL', KEYS[2])
if blocked_for > 0 then
  return { tonumber(redis.call('GET', KEYS[1]) or limit + 1), redis.call('PTTL', KEYS[1]), 1, blocked_for }
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], window) end
local left = redis.call('PTTL', KEYS[1])
if hits > limit then
  redis.call('SET', KEYS[2], '1', 'PX', block)
  return { hits, left, 1, block }
end
return { hits, left, 0, 0 }
`);

const seconds = (ms: number) => Math.max(0, Math.ceil(ms / 1000));

/**
 * Rate-limit counters in Redis, so every instance of the service counts the same requests. While
 * Redis is unreachable each instance counts in its own memory: limits still hold (per instance),
 * and requests that need no Redis (the model and tool lists) are not refused with a 503.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly whileRedisIsDown = new ThrottlerStorageService();

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    const base = `${this.prefix}:rl:{${throttlerName}:${key}}`;
    try {
      const [hits, left, blocked, blockLeft] = (await runScript(this.redis, INCREMENT, [`${base}:hits`, `${base}:block`], [
        String(ttl),
        String(limit),
        String(blockDuration || ttl),
      ])) as number[];
      return { totalHits: hits, timeToExpire: seconds(left), isBlocked: blocked === 1, timeToBlockExpire: seconds(blockLeft) };
    } catch (err) {
      if (!isRedisUnavailable(err)) throw err;
      return this.whileRedisIsDown.increment(key, ttl, limit, blockDuration, throttlerName);
    }
  }
}
