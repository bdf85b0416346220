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

/** REDIS_COMMAND_TIMEOUT_MS, set once when the process's client is created. */
let commandTimeoutMs = 5000;

export function setRedisCommandTimeout(ms: number): void {
  commandTimeoutMs = ms;
}

/**
 * Connection failures become one typed error that callers can map to 503. So does a reply that
 * does not come within REDIS_COMMAND_TIMEOUT_MS: a hung server or a network partition keeps the
 * socket open, and node-redis 4 would wait for ever.
 */
export async function redisCall<T>(command: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailableError(new Error(`no reply within ${commandTimeoutMs} ms`))), commandTimeoutMs);
    timer.unref(); // never what keeps a stopping process alive
  });
  const reply = command();
  reply.catch(() => undefined); // a reply that loses the race must not become an unhandled rejection
  try {
    return await Promise.race([reply, silence]);
  } catch (err) {
    throw isRedisUnavailable(err) ? (err instanceof RedisUnavailableError ? err : new RedisUnavailableError(err)) : err;
  } finally {
    clearTimeout(timer);
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
