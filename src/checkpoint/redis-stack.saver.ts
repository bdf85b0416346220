import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  writesSortKey,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
} from '@langchain/langgraph-checkpoint';
import { RedisSaver, type TTLConfig } from '@langchain/langgraph-checkpoint-redis';
import type { RedisClientType } from 'redis';
import { redisCall } from '../redis/redis-script';

/**
 * Fixes for `RedisSaver` 1.0.11, keeping its key layout and documents so both read each other's data:
 * 1. `list()` returns every match (upstream stops at 10, and `before` + `limit` can miss results);
 * 2. `deleteThread(id)` deletes exactly that thread (upstream deletes by KEYS prefix: `a:1` took `a:1:x`);
 * 3. pending writes come back in `(task_path, task_id, idx)` order (upstream: insertion time);
 * 4. `ensureIndexes()` runs once and throws when the indexes cannot be created (upstream: FT.CREATE
 *    ×3 before every put/putWrites/list, errors only logged).
 * Key layout (`ns` is '' for the root namespace; checkpoint and blob docs store it as `__empty__`):
 *   checkpoint:<thread>:<ns>:<checkpoint_id>              JSON, index `checkpoints`
 *   checkpoint_blob:<thread>:<ns>:<channel>:<version>     JSON, index `checkpoint_blobs`
 *   checkpoint_write:<thread>:<ns>:<checkpoint_id>:<task_id>:<idx>  JSON, index `checkpoint_writes`
 *   write_keys_zset:<thread>:<ns>:<checkpoint_id>         ZSET of that checkpoint's write keys
 */

type Doc = Record<string, any>;
type Hit = { id: string; value: Record<string, string | undefined> };

type UpstreamClient = ConstructorParameters<typeof RedisSaver>[0];

/**
 * RedisSaver as it is at runtime: the members we call or override are `private` in its .d.ts only,
 * and a subclass may not redeclare a private member, so the base is re-typed with them public.
 */
declare class OpenRedisSaverType extends BaseCheckpointSaver {
  constructor(client: UpstreamClient, ttlConfig?: TTLConfig);
  ttlConfig?: TTLConfig;
  getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined>;
  put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig>;
  list(config: RunnableConfig | null, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple>;
  putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void>;
  deleteThread(threadId: string): Promise<void>;
  end(): Promise<void>;
  ensureIndexes(): Promise<void>;
  loadPendingWrites(threadId: string, ns: string, checkpointId: string): Promise<CheckpointPendingWrite[] | undefined>;
  loadCheckpointWithWrites(doc: Doc): Promise<{ checkpoint: Checkpoint; pendingWrites?: CheckpointPendingWrite[] }>;
  createCheckpointTuple(doc: Doc, checkpoint: Checkpoint, pendingWrites?: CheckpointPendingWrite[]): Promise<CheckpointTuple>;
  applyTTL(...keys: string[]): Promise<void>;
}
const OpenRedisSaver = RedisSaver as unknown as typeof OpenRedisSaverType;

export const CHECKPOINT_INDEXES = ['checkpoints', 'checkpoint_blobs', 'checkpoint_writes'] as const;
const PAGE = 1000;
const EMPTY_NS = '__empty__';

/** Copy of upstream's (unexported) RediSearch TAG escaping, from dist/utils.js. */
export function escapeTag(value: string): string {
  if (value === '') return '__EMPTY_STRING__';
  return value.replace(/\\/g, '\\\\').replace(/[-\s,.:<>{}[\]"';!@#$%^&*()+=~|?/]/g, '\\$&');
}

/** Same rule as upstream's (unexported) assertSafeKeyComponent: no glob characters in key parts. */
function assertSafeKey(field: string, value: unknown, allowEmpty = false): asserts value is string {
  if (typeof value !== 'string' || (!allowEmpty && value === '') || /[*?[\]\\]/.test(value)) {
    throw new Error(`Invalid configurable value for key "${field}": ${JSON.stringify(value)}`);
  }
}

/** Upstream's JSON comparison of object-valued metadata filters, key order ignored. */
function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
      : v,
  );
}

function matchesFilter(metadata: Doc | undefined, filter: [string, unknown][]): boolean {
  return filter.every(([key, expected]) => {
    const actual = metadata?.[key];
    if (expected !== null && typeof expected === 'object') return stableStringify(actual) === stableStringify(expected);
    return actual === expected;
  });
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const writeKeysZset = (threadId: string, ns: string, checkpointId: string) =>
  `write_keys_zset:${threadId}:${ns}:${checkpointId}`;

export class RedisStackSaver extends OpenRedisSaver {
  private readonly redis: RedisClientType;
  private indexesReady?: Promise<void>;

  constructor(client: RedisClientType, ttlConfig?: TTLConfig) {
    super(client as unknown as UpstreamClient, ttlConfig);
    this.redis = client;
  }

  // A hung server must not hang a turn: each call is bounded by REDIS_COMMAND_TIMEOUT_MS (redisCall).
  override getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return redisCall(() => super.getTuple(config));
  }

  override put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    return redisCall(() => super.put(config, checkpoint, metadata, newVersions));
  }

  /** Creates the three indexes once per saver; a failure is thrown and retried on the next call. */
  override ensureIndexes(): Promise<void> {
    this.indexesReady ??= this.createIndexes().catch((err: unknown) => {
      this.indexesReady = undefined;
      throw err;
    });
    return this.indexesReady;
  }

  private async createIndexes(): Promise<void> {
    // Upstream only logs FT.CREATE errors, so the result is checked with FT._LIST (which itself
    // throws when RediSearch is missing or Redis is down).
    await super.ensureIndexes();
    const existing = await this.redis.ft._list();
    const missing = CHECKPOINT_INDEXES.filter((index) => !existing.includes(index));
    if (missing.length > 0) throw new Error(`Could not create RediSearch index(es) ${missing.join(', ')}`);
    // FT.CREATE indexes the keys already there in the background: wait, or a search misses them.
    for (const index of CHECKPOINT_INDEXES) {
      for (let tries = 0; tries < 200; tries++) {
        const info = (await this.redis.sendCommand(['FT.INFO', index])) as unknown[];
        const at = info.indexOf('indexing');
        if (at < 0 || Number(info[at + 1]) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }

  override async *list(config: RunnableConfig | null, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    await this.ensureIndexes();
    const { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpointId } = config?.configurable ?? {};
    const before: string | undefined = options?.before?.configurable?.checkpoint_id;
    if (threadId !== undefined) assertSafeKey('thread_id', threadId);
    if (ns !== undefined) assertSafeKey('checkpoint_ns', ns, true);
    if (checkpointId) assertSafeKey('checkpoint_id', checkpointId);
    if (before !== undefined) assertSafeKey('checkpoint_id', before);
    const storedNs = ns === '' ? EMPTY_NS : ns;
    const filter = Object.entries(options?.filter ?? {}).filter(([, v]) => v !== undefined);

    // The query only narrows the search; TAG matching is case-insensitive, so every condition is
    // checked exactly in JS below. Only indexed metadata fields (source, step) go into the query.
    const parts: string[] = [];
    if (threadId) parts.push(`@thread_id:{${escapeTag(threadId)}}`);
    if (storedNs !== undefined) parts.push(`@checkpoint_ns:{${escapeTag(storedNs)}}`);
    if (checkpointId) parts.push(`@checkpoint_id:{${escapeTag(checkpointId)}}`);
    for (const [key, value] of filter) {
      if (key === 'source' && typeof value === 'string' && value !== '') parts.push(`@source:{${escapeTag(value)}}`);
      if (key === 'step' && typeof value === 'number' && Number.isFinite(value)) parts.push(`@step:[${value} ${value}]`);
    }
    const fields = ['thread_id', 'checkpoint_ns', 'checkpoint_id', ...(filter.length > 0 ? ['$.metadata'] : [])];
    const hits = (await this.searchAll('checkpoints', parts.join(' ') || '*', fields)).filter(
      ({ value: v }) =>
        (!threadId || v.thread_id === threadId) &&
        (storedNs === undefined || v.checkpoint_ns === storedNs) &&
        (!checkpointId || v.checkpoint_id === checkpointId) &&
        (before === undefined || (v.checkpoint_id ?? '') < before) &&
        (filter.length === 0 || matchesFilter(JSON.parse(v['$.metadata'] ?? 'null'), filter)),
    );
    // uuid6 checkpoint ids sort by creation time; the key breaks ties between threads.
    hits.sort((a, b) => cmp(b.value.checkpoint_id ?? '', a.value.checkpoint_id ?? '') || cmp(b.id, a.id));

    let remaining = options?.limit ?? Infinity;
    for (const hit of hits) {
      if (remaining <= 0) return;
      const doc = (await this.redis.json.get(hit.id)) as Doc | null;
      if (!doc) continue; // deleted or expired since the search
      const { checkpoint, pendingWrites } = await this.loadCheckpointWithWrites(doc);
      yield await this.createCheckpointTuple(doc, checkpoint, pendingWrites);
      remaining -= 1;
    }
  }

  /** Upstream's putWrites plus a stored `task_path`, used to order pending writes. */
  override putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ''): Promise<void> {
    return redisCall(async () => {
      await this.ensureIndexes();
      const { thread_id: threadId, checkpoint_id: checkpointId } = config.configurable ?? {};
      const ns = config.configurable?.checkpoint_ns ?? '';
      if (!threadId || !checkpointId) throw new Error('thread_id and checkpoint_id are required');
      assertSafeKey('thread_id', threadId);
      assertSafeKey('checkpoint_ns', ns, true);
      assertSafeKey('checkpoint_id', checkpointId);
      assertSafeKey('task_id', taskId);
      if (writes.length === 0) return;

      const time = performance.now() * 1000; // upstream's `timestamp`/`global_idx` fields, kept for its readers
      // As upstream (and LangGraph's other savers): special writes (errors, interrupts) overwrite,
      // a retried batch of regular writes keeps the first one.
      const overwrite = writes.every(([channel]) => channel in WRITES_IDX_MAP);
      const writeKeys = await Promise.all(
        writes.map(async ([channel, value], i) => {
          const idx = WRITES_IDX_MAP[channel] ?? i;
          const key = `checkpoint_write:${threadId}:${ns}:${checkpointId}:${taskId}:${idx}`;
          const doc = {
            thread_id: threadId,
            checkpoint_ns: ns,
            checkpoint_id: checkpointId,
            task_id: taskId,
            task_path: taskPath,
            idx,
            channel,
            type: typeof value === 'object' ? 'json' : 'string',
            value,
            timestamp: time,
            global_idx: time + i,
          };
          await this.redis.json.set(key, '$', doc as never, overwrite ? undefined : { NX: true });
          return key;
        }),
      );
      const zsetKey = writeKeysZset(threadId, ns, checkpointId);
      await this.redis.zAdd(zsetKey, writeKeys.map((value, i) => ({ score: time + i, value })));
      await this.applyTTL(...writeKeys, zsetKey);
      const checkpointKey = `checkpoint:${threadId}:${ns}:${checkpointId}`;
      // Path update instead of upstream's read-modify-write of the whole document.
      if (await this.redis.exists(checkpointKey)) await this.redis.json.set(checkpointKey, '$.has_writes', 'true');
    });
  }

  /** Loads the writes listed in the checkpoint's zset (no KEYS), in `writesSortKey` order. */
  override async loadPendingWrites(threadId: string, ns: string, checkpointId: string) {
    assertSafeKey('thread_id', threadId);
    assertSafeKey('checkpoint_ns', ns, true);
    assertSafeKey('checkpoint_id', checkpointId);
    const zsetKey = writeKeysZset(threadId, ns, checkpointId);
    const keys = await this.redis.zRange(zsetKey, 0, -1);
    if (keys.length === 0) return undefined;
    const docs = (await Promise.all(keys.map((key) => this.redis.json.get(key)))).filter(Boolean) as Doc[];
    const sortKey = (d: Doc) => writesSortKey(d.task_path ?? '', d.task_id, d.idx);
    docs.sort((a, b) => compareWritesSortKeys(sortKey(a), sortKey(b)));
    // Upstream refreshes the TTL of checkpoints and blobs on read, but not of writes (e.g. interrupts).
    if (this.ttlConfig?.refreshOnRead) await this.applyTTL(zsetKey, ...keys);
    return Promise.all(
      docs.map(async (d): Promise<CheckpointPendingWrite> => [
        d.task_id,
        d.channel,
        Object.hasOwn(d, 'value') ? await this.serde.loadsTyped('json', JSON.stringify(d.value)) : undefined,
      ]),
    );
  }

  /** Deletes exactly this thread's keys, found by exact `thread_id` in the three indexes (no KEYS). */
  override deleteThread(threadId: string): Promise<void> {
    return redisCall(async () => {
      assertSafeKey('thread_id', threadId);
      await this.ensureIndexes();
      const keys = new Set<string>();
      for (const index of CHECKPOINT_INDEXES) {
        const hits = await this.searchAll(index, `@thread_id:{${escapeTag(threadId)}}`, ['thread_id', 'checkpoint_ns', 'checkpoint_id']);
        for (const { id, value: v } of hits) {
          if (v.thread_id !== threadId) continue; // TAG match is case-insensitive
          keys.add(id);
          if (index !== 'checkpoint_blobs' && v.checkpoint_id !== undefined) {
            keys.add(writeKeysZset(threadId, v.checkpoint_ns === EMPTY_NS ? '' : (v.checkpoint_ns ?? ''), v.checkpoint_id));
          }
        }
      }
      const all = [...keys];
      for (let i = 0; i < all.length; i += 500) await this.redis.del(all.slice(i, i + 500));
    });
  }

  /** Every hit of a query, paged; the indexes are recreated once if they vanished (FLUSHALL drops them). */
  private async searchAll(index: string, query: string, fields: string[]): Promise<Hit[]> {
    const hits = new Map<string, Hit>();
    for (let from = 0; ; from += PAGE) {
      const { total, documents } = await this.search(index, query, from, fields);
      for (const doc of documents) hits.set(doc.id, doc as Hit);
      if (documents.length < PAGE || from + PAGE >= total) return [...hits.values()];
    }
  }

  private async search(index: string, query: string, from: number, fields: string[]) {
    const run = () => this.redis.ft.search(index, query, { LIMIT: { from, size: PAGE }, RETURN: fields });
    try {
      return await run();
    } catch (err) {
      if (!/no such index/i.test((err as Error)?.message ?? '')) throw err;
      this.indexesReady = undefined;
      await this.ensureIndexes();
      return run();
    }
  }
}
