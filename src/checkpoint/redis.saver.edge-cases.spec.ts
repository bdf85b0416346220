import type { RunnableConfig } from '@langchain/core/runnables';
import { type Checkpoint, emptyCheckpoint, JsonPlusSerializer, MemorySaver } from '@langchain/langgraph-checkpoint';
import { plainRedisForSuite } from '../../test/support/redis-client';
import { RedisCheckpointSaver } from './redis.saver';

const META = { source: 'loop' as const, step: 0, parents: {} };
const root = (ns = ''): RunnableConfig => ({ configurable: { thread_id: 't', checkpoint_ns: ns } });

describe('RedisCheckpointSaver edge cases: pruned parents, late writes, bytes, odd channel names', () => {
  const redis = plainRedisForSuite();
  beforeEach(() => redis.client.flushAll());

  it('keepLatest: a child put after its parent was pruned still reads every channel it references', async () => {
    // Two children of P (e.g. two writers, or a graph and an updateState on the same thread): the
    // first prunes P (keepLatest 1) and sweeps P's values; the second references P's unchanged `m`.
    const s = new RedisCheckpointSaver(redis.client, { keepLatest: 1, cacheMegabytes: 0 });
    const p: Checkpoint = { ...emptyCheckpoint(), id: '0001', channel_values: { obj: 'o1', m: 'm1' }, channel_versions: { obj: 1.5, m: 1.5 } };
    const pc = await s.put(root(), p, META, { obj: 1.5, m: 1.5 });
    const first: Checkpoint = { ...p, id: '0002', channel_values: { obj: 'o1', m: 'm2' }, channel_versions: { obj: 1.5, m: 2.5 } };
    const second: Checkpoint = { ...p, id: '0003', channel_values: { obj: 'o2', m: 'm1' }, channel_versions: { obj: 2.25, m: 1.5 } };
    await s.put(pc, first, META, { m: 2.5 });
    await s.put(pc, second, META, { obj: 2.25 });
    const latest = await s.getTuple(root());
    expect(latest?.checkpoint.id).toBe('0003');
    expect(latest?.checkpoint.channel_values).toEqual({ obj: 'o2', m: 'm1' });
  });

  it('keepLatest: writes that arrive for a checkpoint already pruned do not stay for ever', async () => {
    const s = new RedisCheckpointSaver(redis.client, { keepLatest: 1 });
    let config = root();
    const ids: RunnableConfig[] = [];
    for (let i = 1; i <= 5; i++) {
      const cp: Checkpoint = { ...emptyCheckpoint(), id: `000${i}`, channel_values: { m: `m${i}` }, channel_versions: { m: i + 0.5 } };
      config = await s.put(config, cp, META, { m: i + 0.5 });
      ids.push(config);
      // the writes of the step before arrive late (async durability, an EVALSHA retried as EVAL…)
      if (i > 1) await s.putWrites(ids[i - 2], [['m', `late ${i}`]], `task-${i}`);
    }
    for (let i = 6; i <= 10; i++) {
      const cp: Checkpoint = { ...emptyCheckpoint(), id: `00${String(i).padStart(2, '0')}`, channel_values: { m: `m${i}` }, channel_versions: { m: i + 0.5 } };
      config = await s.put(config, cp, META, { m: i + 0.5 });
    }
    // only the newest checkpoint is kept; writes of checkpoints that no longer exist serve nothing
    expect(await redis.client.zCard('lgcp:{t}:idx')).toBe(1);
    expect(await redis.client.hLen('lgcp:{t}:writes')).toBe(0);
    expect(await redis.client.zCard('lgcp:{t}:widx')).toBe(0);
  });

  it('a Uint8Array channel value reads back as JsonPlusSerializer and MemorySaver give it (a Uint8Array, not a Buffer)', async () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const cp: Checkpoint = { ...emptyCheckpoint(), id: '0001', channel_values: { b: bytes }, channel_versions: { b: 1.5 } };
    const memory = new MemorySaver();
    await memory.put(root(), cp, META);
    const fromMemory = (await memory.getTuple(root()))?.checkpoint.channel_values.b;
    const serde = new JsonPlusSerializer();
    const roundTripped = await serde.loadsTyped(...(await serde.dumpsTyped(bytes)));
    const s = new RedisCheckpointSaver(redis.client, { cacheMegabytes: 0 });
    await s.put(root(), cp, META, { b: 1.5 });
    const fromRedis = (await s.getTuple(root()))?.checkpoint.channel_values.b;
    expect(Object.getPrototypeOf(roundTripped)).toBe(Uint8Array.prototype);
    expect(Object.getPrototypeOf(fromMemory)).toBe(Uint8Array.prototype);
    expect(Object.getPrototypeOf(fromRedis)).toBe(Uint8Array.prototype);
  });

  it('a changed channel with no value whose name is an Object.prototype key is not stored as that key', async () => {
    // LangGraph lists in newVersions channels that have no value (emptied, or delta channels).
    const cp: Checkpoint = { ...emptyCheckpoint(), id: '0001', channel_values: { a: 1 }, channel_versions: { a: 1.5, constructor: 1.5 } };
    const s = new RedisCheckpointSaver(redis.client, { cacheMegabytes: 0 });
    await s.put(root(), cp, META, { a: 1.5, constructor: 1.5 });
    const memory = new MemorySaver();
    await memory.put(root(), cp, META);
    const want = (await memory.getTuple(root()))?.checkpoint.channel_values;
    const got = (await s.getTuple(root()))?.checkpoint.channel_values;
    expect(Object.keys(got ?? {})).toEqual(Object.keys(want ?? {}));
  });
});
