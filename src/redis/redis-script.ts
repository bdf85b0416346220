import { createHash } from 'node:crypto';
import { type RedisConnection, sendKeyed } from './redis-connection';
import { isRedisUnavailable, RedisUnavailableError } from './redis-errors';

/** A Lua script with its SHA1, run with EVALSHA. */
export interface LuaScript {
  source: string;
  sha: string;
}

export function luaScript(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Connection failures become one typed error that callers can map to 503. */
export async function redisCall<T>(command: () => Promise<T>): Promise<T> {
  try {
    return await command();
  } catch (err) {
    throw isRedisUnavailable(err) ? new RedisUnavailableError(err) : err;
  }
}

/** EVALSHA, falling back to EVAL on a node that lacks the script (each Cluster node has its own cache). */
export function runScript(redis: RedisConnection, script: LuaScript, keys: string[], args: string[]): Promise<unknown> {
  const tail = [String(keys.length), ...keys, ...args];
  return redisCall(async () => {
    try {
      return await sendKeyed(redis, keys[0], ['EVALSHA', script.sha, ...tail]);
    } catch (err) {
      if (!/NOSCRIPT/.test((err as Error)?.message ?? '')) throw err;
      return sendKeyed(redis, keys[0], ['EVAL', script.source, ...tail]);
    }
  });
}
