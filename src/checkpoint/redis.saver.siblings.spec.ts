import type { RunnableConfig } from '@langchain/core/runnables';
import { type Checkpoint, emptyCheckpoint } from '@langchain/langgraph-checkpoint';
import { plainRedisForSuite } from '../../test/support/redis-client';
import { RedisCheckpointSaver } from './redis.saver';

const META = { source: 'loop' as const, step: 0, parents: {} };

describe('RedisCheckpointSaver with keepLatest: two children of one checkpoint, in either order, keep every value', () => {
  const redis = plainRedisForSuite();
  for (const keepLatest of [1, 2, 3])
    for (const order of ['big-first', 'small-first'])
      for (const ns of ['', 'a'])
        it(`keep ${keepLatest} ${order} ns=${JSON.stringify(ns)}`, async () => {
          await redis.client.flushAll();
          const s = new RedisCheckpointSaver(redis.client, { keepLatest, cacheMegabytes: 0 });
          const base: RunnableConfig = { configurable: { thread_id: 't', checkpoint_ns: ns } };
          const p: Checkpoint = { ...emptyCheckpoint(), id: '0001', channel_values: { obj: 'o1', m: 'm1' }, channel_versions: { obj: 1.5, m: 1.5 } };
          const pc = await s.put(base, p, META, { obj: 1.5, m: 1.5 });
          const big: Checkpoint = { ...p, id: '0003', channel_values: { obj: 'o1', m: 'm2' }, channel_versions: { obj: 1.5, m: 2.5 } };
          const small: Checkpoint = { ...p, id: '0002', channel_values: { obj: 'o2', m: 'm1' }, channel_versions: { obj: 2.25, m: 1.5 } };
          const puts = [() => s.put(pc, big, META, { m: 2.5 }), () => s.put(pc, small, META, { obj: 2.25 })];
          if (order === 'small-first') puts.reverse();
          for (const put of puts) await put();
          for await (const t of s.list({ configurable: { thread_id: 't', checkpoint_ns: ns } })) {
            const want = t.checkpoint.id === '0003' ? { obj: 'o1', m: 'm2' } : t.checkpoint.id === '0002' ? { obj: 'o2', m: 'm1' } : { obj: 'o1', m: 'm1' };
            expect({ id: t.checkpoint.id, v: t.checkpoint.channel_values }).toEqual({ id: t.checkpoint.id, v: want });
          }
        });
});
