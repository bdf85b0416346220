import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { threadLeaseKey } from '../checkpoint/redis/thread-keys';
import type { RedisConnection } from '../redis/redis-connection';
import { luaScript, redisCall, runScript } from '../redis/redis-script';
import { type ThreadLease, type ThreadLock, waitToRetry } from './thread-lock';

/** Extends the lease only while this holder still owns it. */
const RENEW = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);
/** Releases the lease only if this holder still owns it (compare-and-delete). */
const RELEASE = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * A lease per thread in Redis: `SET NX PX` with a random token, renewed while the turn runs,
 * released by compare-and-delete. A crashed holder's lease simply expires after `ttlMs`.
 */
export class RedisThreadLock implements ThreadLock {
  private readonly logger = new Logger(RedisThreadLock.name);

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  async acquire(threadId: string, waitMs: number, stop?: AbortSignal): Promise<ThreadLease | undefined> {
    // Same hash tag as the thread's checkpoints: the lease lives on the same Cluster node.
    const key = threadLeaseKey(this.prefix, threadId);
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    let sentAt = Date.now();
    for (let attempt = 0; ; attempt++) {
      sentAt = Date.now();
      const taken = await redisCall(() => this.redis.set(key, token, { NX: true, PX: this.ttlMs })).catch((err: unknown) => {
        // A hung Redis may still run the SET when it wakes up: take that lease straight back, or
        // the thread would stay busy for a whole TTL. Sent on the same connection, so it runs after.
        runScript(this.redis, RELEASE, [key], [token]).catch(() => undefined);
        throw err;
      });
      if (taken === 'OK') break;
      if (Date.now() >= deadline || stop?.aborted) return undefined;
      await waitToRetry(attempt, deadline, stop);
    }
    const lost = new AbortController();
    // Counted from when the SET was sent: the lease may have started running out before the reply.
    let heldUntil = sentAt + this.ttlMs;
    const lose = (why: string) => {
      if (lost.signal.aborted) return;
      clearInterval(renewal);
      this.logger.warn(`lost the lease of ${threadId}: ${why}`);
      lost.abort(new Error(why));
    };
    const renew = async () => {
      // A stalled event loop can wake up after the lease ran out: someone else may hold it now.
      if (Date.now() >= heldUntil) return lose('it expired before it could be renewed');
      const sentAt = Date.now();
      try {
        const renewed = await runScript(this.redis, RENEW, [key], [token, String(this.ttlMs)]);
        if (renewed === 1) heldUntil = sentAt + this.ttlMs;
        else lose('it expired or another holder took it');
      } catch (err) {
        this.logger.warn(`could not renew the lease of ${threadId}: ${(err as Error).message}`);
        if (Date.now() >= heldUntil) lose('Redis did not answer before it expired');
      }
    };
    const renewal = setInterval(() => void renew(), Math.max(100, Math.floor(this.ttlMs / 3)));
    renewal.unref();
    let released = false;
    return {
      token,
      lost: lost.signal,
      held: async () => !released && (await redisCall(() => this.redis.get(key))) === token,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renewal);
        // If Redis is down the lease expires by itself; the turn's result stands.
        await runScript(this.redis, RELEASE, [key], [token]).catch(() => undefined);
      },
    };
  }
}
