import type { RedisConnection } from '../redis/redis-connection';
import { redisCall } from '../redis/redis-script';

/** Injection token of the {@link IdempotencyStore}. */
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

export type IdempotencyRecord =
  | { state: 'running'; fingerprint: string }
  | { state: 'done'; fingerprint: string; status: number; body: unknown };

/** Responses kept under their Idempotency-Key, shared by every instance when Redis is there. */
export interface IdempotencyStore {
  /** Claims the key for a new request; or returns what is already recorded under it. */
  claim(key: string, fingerprint: string, ttlMs: number): Promise<IdempotencyRecord | undefined>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /** Keeps a running claim alive for another `ttlMs` (renewed while its request runs). */
  extend(key: string, ttlMs: number): Promise<void>;
  complete(key: string, record: IdempotencyRecord, ttlMs: number): Promise<void>;
  /** Forgets a claim whose request failed, so a retry runs again. */
  release(key: string): Promise<void>;
}

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  private k(key: string) {
    return `${this.prefix}:idem:${key}`;
  }

  async claim(key: string, fingerprint: string, ttlMs: number) {
    const running: IdempotencyRecord = { state: 'running', fingerprint };
    const taken = await redisCall(() => this.redis.set(this.k(key), JSON.stringify(running), { NX: true, PX: ttlMs }));
    return taken === 'OK' ? undefined : ((await this.get(key)) ?? running);
  }

  async get(key: string) {
    const raw = await redisCall(() => this.redis.get(this.k(key)));
    return raw ? (JSON.parse(raw) as IdempotencyRecord) : undefined;
  }

  async extend(key: string, ttlMs: number) {
    // Sent before `complete` on the same connection, so it never shortens a finished record.
    await redisCall(() => this.redis.pExpire(this.k(key), ttlMs));
  }

  async complete(key: string, record: IdempotencyRecord, ttlMs: number) {
    await redisCall(() => this.redis.set(this.k(key), JSON.stringify(record), { PX: ttlMs }));
  }

  async release(key: string) {
    await redisCall(() => this.redis.del(this.k(key)));
  }
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, { record: IdempotencyRecord; expiresAt: number }>();

  async claim(key: string, fingerprint: string, ttlMs: number) {
    const existing = await this.get(key);
    if (existing) return existing;
    this.records.set(key, { record: { state: 'running', fingerprint }, expiresAt: Date.now() + ttlMs });
    return undefined;
  }

  async get(key: string) {
    const entry = this.records.get(key);
    if (entry && entry.expiresAt <= Date.now()) this.records.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry.record : undefined;
  }

  async extend(key: string, ttlMs: number) {
    const entry = this.records.get(key);
    if (entry?.record.state === 'running') entry.expiresAt = Date.now() + ttlMs;
  }

  async complete(key: string, record: IdempotencyRecord, ttlMs: number) {
    this.records.set(key, { record, expiresAt: Date.now() + ttlMs });
  }

  async release(key: string) {
    this.records.delete(key);
  }
}
