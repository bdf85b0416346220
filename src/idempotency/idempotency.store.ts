import type { RedisConnection } from '../redis/redis-connection';
import { luaScript, redisCall, runScript } from '../redis/redis-script';

/** Injection token of the {@link IdempotencyStore}. */
export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');

export type IdempotencyRecord =
  | { state: 'running'; fingerprint: string; /** the request holding the claim */ owner?: string }
  | { state: 'done'; fingerprint: string; status: number; body: unknown };

/** Responses kept under their Idempotency-Key, shared by every instance when Redis is there. */
export interface IdempotencyStore {
  /** Claims the key for a new request (`owner`); or returns what is already recorded under it. */
  claim(key: string, fingerprint: string, ttlMs: number, owner: string): Promise<IdempotencyRecord | undefined>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  /** Keeps `owner`'s running claim alive for another `ttlMs` (renewed while its request runs). */
  extend(key: string, ttlMs: number, owner: string): Promise<void>;
  complete(key: string, record: IdempotencyRecord, ttlMs: number): Promise<void>;
  /** Forgets `owner`'s claim when its request failed, so a retry runs again (never another's claim). */
  release(key: string, owner: string): Promise<void>;
}

/**
 * Extends (ARGV[3] ms) or releases a running claim only if ARGV[1] still owns it: after a claim
 * expired, another request may hold the key.
 */
const IF_OWNER = luaScript(`
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local record = cjson.decode(raw)
if record.state ~= 'running' or record.owner ~= ARGV[1] then return 0 end
if ARGV[2] == 'release' then return redis.call('DEL', KEYS[1]) end
return redis.call('PEXPIRE', KEYS[1], ARGV[3])
`);

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  private k(key: string) {
    return `${this.prefix}:idem:${key}`;
  }

  async claim(key: string, fingerprint: string, ttlMs: number, owner: string) {
    const running: IdempotencyRecord = { state: 'running', fingerprint, owner };
    const taken = await redisCall(() => this.redis.set(this.k(key), JSON.stringify(running), { NX: true, PX: ttlMs })).catch((err: unknown) => {
      // A hung Redis may still run the SET when it wakes up: the key would then stay "running" with
      // nobody running it, and the client's retry would wait and get 409. Sent on the same
      // connection, so the release runs right after that late SET.
      this.release(key, owner).catch(() => undefined);
      throw err;
    });
    return taken === 'OK' ? undefined : ((await this.get(key)) ?? running);
  }

  async get(key: string) {
    const raw = await redisCall(() => this.redis.get(this.k(key)));
    return raw ? (JSON.parse(raw) as IdempotencyRecord) : undefined;
  }

  async extend(key: string, ttlMs: number, owner: string) {
    await runScript(this.redis, IF_OWNER, [this.k(key)], [owner, 'extend', String(ttlMs)]);
  }

  async complete(key: string, record: IdempotencyRecord, ttlMs: number) {
    await redisCall(() => this.redis.set(this.k(key), JSON.stringify(record), { PX: ttlMs }));
  }

  async release(key: string, owner: string) {
    await runScript(this.redis, IF_OWNER, [this.k(key)], [owner, 'release']);
  }
}

/** How often the in-memory store forgets expired records (a key is otherwise only checked when used again). */
const MEMORY_SWEEP_MS = 60_000;

export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly records = new Map<string, { record: IdempotencyRecord; expiresAt: number }>();
  private sweptAt = Date.now();

  async claim(key: string, fingerprint: string, ttlMs: number, owner: string) {
    this.sweep();
    const existing = await this.get(key);
    if (existing) return existing;
    this.records.set(key, { record: { state: 'running', fingerprint, owner }, expiresAt: Date.now() + ttlMs });
    return undefined;
  }

  private ownedBy(key: string, owner: string) {
    const entry = this.records.get(key);
    return entry?.record.state === 'running' && entry.record.owner === owner ? entry : undefined;
  }

  async get(key: string) {
    const entry = this.records.get(key);
    if (entry && entry.expiresAt <= Date.now()) this.records.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry.record : undefined;
  }

  async extend(key: string, ttlMs: number, owner: string) {
    const entry = this.ownedBy(key, owner);
    if (entry) entry.expiresAt = Date.now() + ttlMs;
  }

  async complete(key: string, record: IdempotencyRecord, ttlMs: number) {
    this.records.set(key, { record, expiresAt: Date.now() + ttlMs });
  }

  async release(key: string, owner: string) {
    if (this.ownedBy(key, owner)) this.records.delete(key);
  }

  /** Drops expired records, at most once a minute: keys used once must not pile up for ever. */
  private sweep() {
    const now = Date.now();
    if (now - this.sweptAt < MEMORY_SWEEP_MS) return;
    this.sweptAt = now;
    for (const [key, entry] of this.records) if (entry.expiresAt <= now) this.records.delete(key);
  }
}
