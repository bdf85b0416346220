import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { hashTagOf } from '../checkpoint/redis/thread-keys';
import type { RedisConnection } from '../redis/redis-connection';
import { luaScript, redisCall, runScript } from '../redis/redis-script';
import type { RunHandle, RunRegistry, RunStatus } from './run-registry';

/**
 * Writes the status record unless another run's record is there: a turn that lost its lease (and
 * goes on until it notices) must not overwrite the status of the turn that took the thread over.
 * ARGV: run id, record JSON, ttl ms.
 */
const WRITE = luaScript(`
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).run_id ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
`);

/** Deletes the status record only if it is this run's. ARGV: run id. */
const END = luaScript(`
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).run_id == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * Run status in Redis (a small record that expires with the lease, so it cannot go stale) and
 * cancellation published on a channel that every instance listens to.
 */
export class RedisRunRegistry implements RunRegistry, OnApplicationShutdown {
  private readonly logger = new Logger(RedisRunRegistry.name);
  private readonly local = new Map<string, AbortController>();
  private subscriber?: RedisConnection;

  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  private get channel() {
    return `${this.prefix}:cancel`;
  }

  private key(threadId: string) {
    return `${this.prefix}:{${hashTagOf(threadId)}}:run`;
  }

  /** Subscribes on a connection of its own (a subscribed connection can do nothing else). */
  async listen(): Promise<void> {
    const subscriber = this.redis.duplicate() as RedisConnection;
    subscriber.on('error', (err: Error) => this.logger.warn(`cancel channel: ${err.message}`));
    await subscriber.connect();
    await subscriber.subscribe(this.channel, (threadId: string) => this.local.get(threadId)?.abort());
    this.subscriber = subscriber;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.disconnect().catch(() => undefined);
  }

  async start(threadId: string, runId: string, abort: AbortController): Promise<RunHandle> {
    const status: RunStatus = { state: 'running', run_id: runId, started_at: new Date().toISOString() };
    const key = this.key(threadId);
    const write = () => runScript(this.redis, WRITE, [key], [runId, JSON.stringify(status), String(this.ttlMs)]).catch(() => undefined);
    this.local.set(threadId, abort);
    // The new holder of the thread's lease: its record replaces whatever a lost turn left.
    await redisCall(() => this.redis.set(key, JSON.stringify(status), { PX: this.ttlMs })).catch(() => undefined);
    const refresh = setInterval(write, Math.max(100, Math.floor(this.ttlMs / 3)));
    refresh.unref();
    return {
      progress: (update) => {
        Object.assign(status, update);
        void write();
      },
      end: async () => {
        clearInterval(refresh);
        if (this.local.get(threadId) === abort) this.local.delete(threadId);
        await runScript(this.redis, END, [key], [runId]).catch(() => undefined);
      },
    };
  }

  async status(threadId: string): Promise<RunStatus> {
    const raw = await redisCall(() => this.redis.get(this.key(threadId)));
    return raw ? (JSON.parse(raw) as RunStatus) : { state: 'idle' };
  }

  async cancel(threadId: string): Promise<boolean> {
    const running = (await this.status(threadId)).state === 'running';
    if (running) await redisCall(() => this.redis.publish(this.channel, threadId));
    return running;
  }
}
