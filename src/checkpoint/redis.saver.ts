import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  compareWritesSortKeys,
  copyCheckpoint,
  maxChannelVersion,
  type PendingWrite,
  type SerializerProtocol,
  TASKS,
  WRITES_IDX_MAP,
  writesSortKey,
} from '@langchain/langgraph-checkpoint';
import type { RedisConnection } from '../redis/redis-connection';
import { type LuaScript, luaScript, redisCall, runScript } from '../redis/redis-script';
import { ChannelValues, MIN_CHUNKED_CHARS } from './redis/channel-values';
import type { PlannedBlob } from './redis/chunked-value';
import { DELETE_FENCED_SCRIPT, GET_SCRIPT, MISSING_VALUE_REPLY, PUT_SCRIPT, PUT_WRITES_SCRIPT, STALE_BASE_REPLY } from './redis/checkpoint.scripts';
import { FencedWriteError, isFencedReply } from './redis/fenced-write.error';
import { SEP, threadKeys, threadLeaseKey, threadRegistryKey } from './redis/thread-keys';
import { encodeTyped, splitFields } from './redis/typed-text';
import { FastJsonPlusSerializer } from './serde/fast-json-plus.serializer';

/**
 * `configurable` key of a run's config: the token of the thread lease its turn holds. Writes that
 * carry it are refused (FencedWriteError) once `<prefix>:{thread}:lease` holds anything else.
 */
export const FENCE_TOKEN = 'thread_lease_token';

export interface RedisCheckpointSaverOptions {
  /** Prefix of every key, so several deployments can share one Redis. */
  keyPrefix?: string;
  /** Expire every key of a thread together, this long after its last write. */
  ttlMinutes?: number;
  /** Also restart the TTL when a thread is read (default true when a TTL is set). */
  refreshOnRead?: boolean;
  /** Keep only the newest N checkpoints of each thread (and what they reference). */
  keepLatest?: number;
  /**
   * Megabytes (about: counted in characters) of serialized values kept in this process, so a turn
   * neither downloads the history it read last turn nor uploads it again (default 32; 0 = off).
   */
  cacheMegabytes?: number;
  /** Values at least this long are stored in chunks and cached (default 1024 characters). */
  minChunkedChars?: number;
}

/** What one checkpoint's record holds; channel values live in the blobs hash. */
interface StoredRecord {
  /** serialized checkpoint without channel_values, and its serde type */
  c: string;
  ct: string;
  /** serialized metadata, and its serde type */
  m: string;
  mt: string;
  /** parent checkpoint id */
  p?: string;
  /** channel → version (as a string) of every value the checkpoint references */
  v: Record<string, string>;
  /** 1 when a delta channel's value is rebuilt from ancestors: pruning keeps them */
  d?: 1;
}

const SCRIPTS = {
  put: luaScript(PUT_SCRIPT),
  putWrites: luaScript(PUT_WRITES_SCRIPT),
  get: luaScript(GET_SCRIPT),
  deleteFenced: luaScript(DELETE_FENCED_SCRIPT),
};

/**
 * PUT's blob arguments: the count of indexes built on and those (field, index) pairs, the fields
 * kept from the parent (count, parent, fields), then field/value pairs.
 */
function blobArgs(blobs: PlannedBlob[], required: string[]): string[] {
  const builtOn = blobs.flatMap((b) => b.builtOn ?? []);
  return [String(builtOn.length / 2), ...builtOn, ...required, ...blobs.flatMap((b) => b.pairs)];
}

function assertKeyPart(field: string, value: unknown, allowEmpty = false): asserts value is string {
  if (typeof value !== 'string' || (!allowEmpty && value === '') || value.includes(SEP)) {
    throw new Error(`Invalid configurable value for key "${field}": ${JSON.stringify(value)}`);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return (
    ka.length === kb.length &&
    ka.every((k, i) => k === kb[i] && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

type GetReply = [string, string, string[], string[], string[]] | null;

const isStaleBase = (err: unknown) => err instanceof Error && err.message.startsWith(STALE_BASE_REPLY);
const isMissingValue = (err: unknown) => err instanceof Error && err.message.startsWith(MISSING_VALUE_REPLY);

/**
 * A LangGraph checkpointer for any Redis ≥ 6.2, Valkey and Redis Cluster, using only core
 * commands. Each thread is five keys under one hash tag; `put` and `putWrites` are one atomic
 * script each, `getTuple` one script; nothing scans the keyspace.
 */
export class RedisCheckpointSaver extends BaseCheckpointSaver {
  private readonly prefix: string;
  private readonly ttlSeconds: number;
  private readonly refreshSeconds: number;
  private readonly keepLatest: number;
  private readonly values: ChannelValues;

  /** `serde` defaults to LangGraph's JsonPlusSerializer, with a fast path for plain JSON data. */
  constructor(
    private readonly redis: RedisConnection,
    options: RedisCheckpointSaverOptions = {},
    serde: SerializerProtocol = new FastJsonPlusSerializer(),
  ) {
    super(serde);
    this.prefix = options.keyPrefix ?? 'lgcp';
    if (/[{}]/.test(this.prefix)) throw new Error('keyPrefix must not contain { or }: they would break the hash tag');
    this.ttlSeconds = options.ttlMinutes ? Math.round(options.ttlMinutes * 60) : 0;
    this.refreshSeconds = this.ttlSeconds && options.refreshOnRead !== false ? this.ttlSeconds : 0;
    this.keepLatest = options.keepLatest ?? 0;
    this.values = new ChannelValues(this.serde, options.cacheMegabytes ?? 32, options.minChunkedChars ?? MIN_CHUNKED_CHARS);
  }

  /**
   * Values are stored per (channel, version), so a version must never repeat on a thread: a fork
   * from an earlier checkpoint (time travel, the roll-back of a failed turn) would otherwise write
   * its value over the one the original branch references. The integer part counts steps as
   * LangGraph's default does; a random fraction makes siblings distinct. Staying a number keeps
   * every comparison LangGraph makes numeric, against versions stored before as well.
   */
  override getNextVersion(current: number | undefined): number {
    return Math.floor(current ?? 0) + 1 + Math.random();
  }

  async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id;
    const ns = config.configurable?.checkpoint_ns ?? '';
    const checkpointId = config.configurable?.checkpoint_id ?? '';
    if (threadId === undefined) return undefined;
    assertKeyPart('thread_id', threadId);
    assertKeyPart('checkpoint_ns', ns, true);
    assertKeyPart('checkpoint_id', checkpointId, true);
    return this.load(threadId, ns, checkpointId);
  }

  async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpointId } = config.configurable ?? {};
    const before: string | undefined = options.before?.configurable?.checkpoint_id;
    const filter = Object.entries(options.filter ?? {}).filter(([, v]) => v !== undefined);
    let remaining = options.limit ?? Infinity;
    const threads: string[] =
      threadId !== undefined ? [threadId] : (await redisCall(() => this.redis.zRange(threadRegistryKey(this.prefix), 0, -1))).sort();
    for (const thread of threads) {
      assertKeyPart('thread_id', thread);
      const [idx, records] = threadKeys(this.prefix, thread);
      const members = (await redisCall(() => this.redis.zRange(idx, 0, -1)))
        .map((member) => ({ member, parts: splitFields(member, 2) }))
        .filter(({ parts: [n, id] }) => (ns === undefined || n === ns) && (!checkpointId || id === checkpointId) && (!before || id < before))
        .sort((a, b) => (a.parts[1] < b.parts[1] ? 1 : a.parts[1] > b.parts[1] ? -1 : 0));
      if (members.length === 0 || remaining <= 0) continue;
      let candidates = members;
      if (filter.length > 0) {
        const raw = await redisCall(() => this.redis.hmGet(records, members.map((m) => m.member)));
        const metadata = await Promise.all(
          raw.map(async (record) => (record ? this.loadsTyped(...this.recordMetadata(record)) : undefined)),
        );
        candidates = members.filter((_, i) => {
          const m = metadata[i] as Record<string, unknown> | undefined;
          return m !== undefined && filter.every(([key, value]) => deepEqual(m[key], value));
        });
      }
      const selected = candidates.slice(0, remaining === Infinity ? undefined : remaining);
      // Loaded concurrently: node-redis pipelines them into one round trip.
      const tuples = await Promise.all(selected.map(({ parts: [n, id] }) => this.load(thread, n, id)));
      for (const tuple of tuples) {
        if (!tuple) continue;
        remaining -= 1;
        yield tuple;
      }
    }
  }

  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions,
  ): Promise<RunnableConfig> {
    const threadId = config.configurable?.thread_id;
    const ns = config.configurable?.checkpoint_ns ?? '';
    const parentId: string | undefined = config.configurable?.checkpoint_id;
    if (threadId === undefined) throw new Error('thread_id is required in config.configurable');
    assertKeyPart('thread_id', threadId);
    assertKeyPart('checkpoint_ns', ns, true);
    assertKeyPart('checkpoint_id', checkpoint.id);

    const { channel_values: values = {}, ...rest } = copyCheckpoint(checkpoint);
    const stored = { ...rest, channel_values: {} };
    const fieldOf = (channel: string) => [ns, channel, String(checkpoint.channel_versions[channel])].join(SEP);
    const serialize = (channels: string[]) => Promise.all(channels.map((channel) => this.values.serialize(threadId, fieldOf(channel), values[channel])));
    const changed = Object.keys(newVersions ?? {}).filter((channel) => Object.hasOwn(values, channel));
    // Values the checkpoint keeps from its parent: stored already, unless keepLatest pruned them
    // with the parent since it was read (then they are written again, see MISSINGVALUE).
    const kept = Object.keys(values).filter((channel) => !changed.includes(channel) && checkpoint.channel_versions[channel] !== undefined);
    const [[ct, c], [mt, m], changedValues] = await Promise.all([
      this.serde.dumpsTyped(stored).then(encodeTyped),
      this.serde.dumpsTyped(metadata).then(encodeTyped),
      serialize(changed),
    ]);
    let serialized = changedValues;
    const referenced = Object.fromEntries(
      Object.entries(checkpoint.channel_versions).map(([channel, version]) => [channel, String(version)]),
    );
    // LangGraph's delta channels (1.7) store a value only every few steps; until then the value is
    // rebuilt from the ancestors' writes, so those ancestors must outlive CHECKPOINT_KEEP_LATEST.
    const sinceSnapshot = (metadata as { counters_since_delta_snapshot?: Record<string, unknown> }).counters_since_delta_snapshot;
    const dependsOnAncestors = Object.keys(sinceSnapshot ?? {}).length > 0;
    const record: StoredRecord = { c, ct, m, mt, ...(parentId ? { p: parentId } : {}), v: referenced, ...(dependsOnAncestors ? { d: 1 as const } : {}) };
    const head = [ns, checkpoint.id, JSON.stringify(record), String(this.ttlSeconds), String(this.keepLatest), this.fenceOf(config)];
    const plan = (buildOnCache: boolean) => serialized.map((value) => this.values.plan(threadId, value, buildOnCache));
    let blobs = plan(true);
    let required = [String(kept.length), parentId ? ns + SEP + parentId : '', ...kept.map(fieldOf)];
    const write = async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.runFenced(SCRIPTS.put, threadId, [...head, ...blobArgs(blobs, required)]);
        } catch (err) {
          if (attempt === 3 || !(isStaleBase(err) || isMissingValue(err))) throw err;
          // Another writer replaced or removed a value this one built on: write them afresh.
          this.values.forget(threadId);
          if (isMissingValue(err)) {
            serialized = [...serialized, ...(await serialize(kept))];
            required = ['0', ''];
          }
          blobs = plan(false);
        }
      }
    };
    await Promise.all([write(), this.register(threadId)]);
    this.values.written(threadId, blobs);
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ''): Promise<void> {
    const threadId = config.configurable?.thread_id;
    const ns = config.configurable?.checkpoint_ns ?? '';
    const checkpointId = config.configurable?.checkpoint_id;
    if (threadId === undefined || checkpointId === undefined) {
      throw new Error('thread_id and checkpoint_id are required in config.configurable');
    }
    assertKeyPart('thread_id', threadId);
    assertKeyPart('checkpoint_ns', ns, true);
    assertKeyPart('checkpoint_id', checkpointId);
    assertKeyPart('task_id', taskId);
    if (writes.length === 0) return;
    // As LangGraph's other savers: special writes (errors, interrupts) overwrite; a retried
    // batch of regular writes keeps the first one.
    const overwrite = writes.every(([channel]) => channel in WRITES_IDX_MAP);
    const pairs = await Promise.all(
      writes.map(async ([channel, value], i) => {
        const idx = WRITES_IDX_MAP[channel] ?? i;
        const [type, data] = encodeTyped(await this.serde.dumpsTyped(value));
        const field = [ns, checkpointId, taskId, String(idx)].join(SEP);
        return [field, [taskPath, channel, type, data].join(SEP)];
      }),
    );
    const args = [String(this.ttlSeconds), overwrite ? '1' : '0', this.fenceOf(config), ...pairs.flat()];
    // Writes restart the thread's TTL too, so they refresh its registry entry (a known thread only).
    await Promise.all([this.runFenced(SCRIPTS.putWrites, threadId, args), ...(this.ttlSeconds ? [this.register(threadId, true)] : [])]);
  }

  private fenceOf(config: RunnableConfig): string {
    const token: unknown = config.configurable?.[FENCE_TOKEN];
    return typeof token === 'string' ? token : '';
  }

  /** A write script, with the thread's lease as the extra key its fence check reads. */
  private async runFenced(script: LuaScript, threadId: string, args: string[]): Promise<void> {
    try {
      await runScript(this.redis, script, [...threadKeys(this.prefix, threadId), threadLeaseKey(this.prefix, threadId)], args);
    } catch (err) {
      throw isFencedReply(err) ? new FencedWriteError(threadId) : err;
    }
  }

  async deleteThread(threadId: string): Promise<void> {
    assertKeyPart('thread_id', threadId);
    this.values.forget(threadId);
    await Promise.all([
      redisCall(() => this.redis.del(threadKeys(this.prefix, threadId))),
      redisCall(() => this.redis.zRem(threadRegistryKey(this.prefix), threadId)),
    ]);
  }

  /** deleteThread, refused (FencedWriteError) unless the thread's lease still holds `fence`. */
  async deleteThreadFenced(threadId: string, fence: string): Promise<void> {
    assertKeyPart('thread_id', threadId);
    this.values.forget(threadId);
    await this.runFenced(SCRIPTS.deleteFenced, threadId, [fence]);
    await redisCall(() => this.redis.zRem(threadRegistryKey(this.prefix), threadId));
  }

  /**
   * Notes in the registry that the thread was written (or, refreshed on read, kept alive) now; with
   * a TTL, forgets the threads whose keys have expired. Sent in the same tick as the caller's script,
   * so no extra round trip.
   */
  private register(threadId: string, knownOnly = false): Promise<unknown> {
    const key = threadRegistryKey(this.prefix);
    const now = Date.now();
    return Promise.all([
      // Reads and writes only refresh a thread that is there (XX): reading an unknown id registers nothing.
      redisCall(() => this.redis.zAdd(key, { score: now, value: threadId }, knownOnly ? { XX: true } : undefined)),
      ...(this.ttlSeconds ? [redisCall(() => this.redis.zRemRangeByScore(key, '-inf', `(${now - this.ttlSeconds * 1000}`))] : []),
    ]);
  }

  private async load(threadId: string, ns: string, checkpointId: string): Promise<CheckpointTuple | undefined> {
    // Values this process holds come back as '' while Redis still holds exactly them.
    const held = this.values.held(threadId);
    const heldArgs = [...held.values()].flatMap((blob) => [blob.field, blob.header]);
    const [reply] = (await Promise.all([
      runScript(this.redis, SCRIPTS.get, threadKeys(this.prefix, threadId), [ns, checkpointId, String(this.refreshSeconds), ...heldArgs]),
      // Best effort: on a Cluster the registry lives on another node, which must not fail reads.
      ...(this.refreshSeconds ? [this.register(threadId, true).catch(() => undefined)] : []),
    ])) as [GetReply, ...unknown[]];
    if (!reply) return undefined;
    const [member, rawRecord, blobPairs, writePairs, chunkPairs] = reply;
    const id = splitFields(member, 2)[1];
    const record = JSON.parse(rawRecord) as StoredRecord;
    const checkpoint = (await this.loadsTyped(record.ct, record.c)) as Checkpoint;
    checkpoint.channel_values = {};
    const chunks = new Map<string, string>();
    for (let i = 0; i < chunkPairs.length; i += 2) chunks.set(chunkPairs[i], chunkPairs[i + 1]);
    for (let i = 0; i < blobPairs.length; i += 2) {
      const [field, value] = [blobPairs[i], blobPairs[i + 1]];
      const channel = splitFields(field, 3)[1];
      const read = await this.values.read(threadId, field, value === '' ? held.get(field)! : value, chunks, checkpointId === '');
      // Defined, not assigned: a channel may be called __proto__.
      Object.defineProperty(checkpoint.channel_values, channel, { value: read, enumerable: true, writable: true, configurable: true });
    }
    const pendingWrites = await this.decodeWrites(writePairs);
    if (checkpoint.v < 4 && record.p) await this.migratePendingSends(checkpoint, threadId, ns, record.p);
    const configurable = { thread_id: threadId, checkpoint_ns: ns };
    return {
      config: { configurable: { ...configurable, checkpoint_id: id } },
      checkpoint,
      metadata: (await this.loadsTyped(record.mt, record.m)) as CheckpointMetadata,
      pendingWrites,
      ...(record.p ? { parentConfig: { configurable: { ...configurable, checkpoint_id: record.p } } } : {}),
    };
  }

  /** Pending writes in `(task_path, task_id, idx)` order, the order LangGraph applies them. */
  private async decodeWrites(pairs: string[]): Promise<CheckpointPendingWrite[]> {
    const writes = [];
    for (let i = 0; i < pairs.length; i += 2) {
      const [, , taskId, idx] = splitFields(pairs[i], 4);
      const [taskPath, channel, type, data] = splitFields(pairs[i + 1], 4);
      writes.push({ key: writesSortKey(taskPath, taskId, Number(idx)), taskId, channel, type, data });
    }
    writes.sort((a, b) => compareWritesSortKeys(a.key, b.key));
    return Promise.all(
      writes.map(async (w): Promise<CheckpointPendingWrite> => [w.taskId, w.channel, await this.loadsTyped(w.type, w.data)]),
    );
  }

  /** Checkpoints before format v4 kept pending sends in the parent's TASKS writes. */
  private async migratePendingSends(checkpoint: Checkpoint, threadId: string, ns: string, parentId: string) {
    const parent = await this.load(threadId, ns, parentId);
    const sends = (parent?.pendingWrites ?? []).filter(([, channel]) => channel === TASKS).map(([, , value]) => value);
    checkpoint.channel_values[TASKS] = sends;
    const versions = Object.values(checkpoint.channel_versions);
    checkpoint.channel_versions[TASKS] = versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
  }

  private recordMetadata(raw: string): [string, string] {
    const record = JSON.parse(raw) as StoredRecord;
    return [record.mt, record.m];
  }

  private loadsTyped(type: string, data: string): Promise<unknown> {
    return this.values.loadsTyped(type, data);
  }
}
