import type { RunnableConfig } from '@langchain/core/runnables';
import { type Checkpoint, emptyCheckpoint, JsonPlusSerializer, uuid6 } from '@langchain/langgraph-checkpoint';
import { plainRedisForSuite } from '../../test/support/redis-client';
import { RedisCheckpointSaver } from './redis.saver';

const META = { source: 'loop' as const, step: 0, parents: {} };
const reference = new JsonPlusSerializer();
const roundTrip = async (value: unknown) => reference.loadsTyped(...(await reference.dumpsTyped(value)));

/** A seeded generator, so every run plays the same sequences. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

describe('RedisCheckpointSaver, randomised: three instances with caches against one without', () => {
  const redis = plainRedisForSuite();


  for (const seed of Array.from({ length: Number(process.env.FUZZ_SEEDS ?? 6) }, (_, i) => i + 1)) {
    it(`seed ${seed}: every read equals the cold read and what was put`, async () => {
      await redis.client.flushAll();
      const rand = rng(seed);
      const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
      const keepLatest = pick([0, 1, 2, 3]);
      const minChunkedChars = pick([0, 1, 200, 1024]);
      const instances = [0, 1, 2].map(() => new RedisCheckpointSaver(redis.client, { keepLatest, minChunkedChars, cacheMegabytes: pick([32, 0.002]) }));
      const cold = new RedisCheckpointSaver(redis.client, { keepLatest, minChunkedChars, cacheMegabytes: 0 });
      const thread = 't';
      const expected = new Map<string, unknown>(); // checkpoint id -> expected messages (JsonPlus round trip)
      let n = 0;
      const newItem = () => {
        n++;
        const kind = rand();
        if (kind < 0.1) return { n, content: 'é😀\u2028 "q" \\ ' + 'y'.repeat(Math.floor(rand() * 300)), arr: [] };
        if (kind < 0.15) return [];
        if (kind < 0.2) return { n, nested: { list: [1, 2, { a: null }], s: '\ud83d' } };
        return { n, content: 'x'.repeat(Math.floor(rand() * 200)) };
      };
      const ops: string[] = [];
      for (let step = 0; step < 60; step++) {
        const s = pick(instances);
        const op = rand();
        const ns = '';
        const tuples: { config: RunnableConfig; checkpoint: Checkpoint }[] = [];
        for await (const t of cold.list({ configurable: { thread_id: thread, checkpoint_ns: ns } })) tuples.push(t);
        let from: RunnableConfig = { configurable: { thread_id: thread, checkpoint_ns: ns } };
        if (op < 0.15 && tuples.length > 1) {
          from = pick(tuples).config;
          ops.push('fork');
        } else if (op < 0.2) {
          await s.deleteThread(thread);
          expected.clear();
          ops.push('delete');
          continue;
        } else ops.push('turn');
        const latest = await s.getTuple(from);
        const previous = latest?.checkpoint ?? emptyCheckpoint();
        const earlier = (previous.channel_values.messages as unknown[]) ?? [];
        let messages: unknown[];
        const r = rand();
        if (r < 0.1 && earlier.length > 0) messages = earlier.slice(0, -1); // shrink
        else if (r < 0.15 && earlier.length > 0) messages = [{ edited: true }, ...earlier.slice(1), newItem()];
        else if (r < 0.2) messages = [...earlier];
        else messages = [...earlier, ...Array.from({ length: 1 + Math.floor(rand() * 3) }, newItem)];
        const version = s.getNextVersion(previous.channel_versions.messages as number | undefined);
        const checkpoint: Checkpoint = {
          ...previous,
          id: uuid6(-1),
          channel_values: { ...previous.channel_values, messages },
          channel_versions: { ...previous.channel_versions, messages: version },
        };
        const want = await roundTrip(messages);
        const concurrent = rand() < 0.2;
        if (concurrent) {
          // a second instance writes a sibling at the same time
          const other = pick(instances);
          const sibling: Checkpoint = { ...checkpoint, id: uuid6(-1), channel_values: { messages: [...messages, newItem()] }, channel_versions: { ...checkpoint.channel_versions, messages: other.getNextVersion(previous.channel_versions.messages as number | undefined) } };
          const wantSibling = await roundTrip(sibling.channel_values.messages);
          await Promise.all([
            s.put(latest?.config ?? from, checkpoint, META, { messages: version }),
            other.put(latest?.config ?? from, sibling, META, { messages: sibling.channel_versions.messages }),
          ]);
          expected.set(sibling.id, wantSibling);
          ops.push('concurrent');
        } else await s.put(latest?.config ?? from, checkpoint, META, { messages: version });
        expected.set(checkpoint.id, want);
        // check every stored checkpoint from every reader
        const all: { config: RunnableConfig }[] = [];
        for await (const t of cold.list({ configurable: { thread_id: thread } })) all.push(t);
        for (const t of all) {
          const id = t.config.configurable!.checkpoint_id as string;
          const coldValue = (await cold.getTuple(t.config))?.checkpoint.channel_values.messages;
          if (expected.has(id)) expect({ ops, id, v: coldValue }).toStrictEqual({ ops, id, v: expected.get(id) });
          for (const reader of instances) {
            expect({ ops, id, v: (await reader.getTuple(t.config))?.checkpoint.channel_values.messages }).toStrictEqual({ ops, id, v: coldValue });
          }
        }
        for (const reader of instances) {
          const a = (await reader.getTuple({ configurable: { thread_id: thread, checkpoint_ns: '' } }))?.checkpoint.channel_values.messages;
          const b = (await cold.getTuple({ configurable: { thread_id: thread, checkpoint_ns: '' } }))?.checkpoint.channel_values.messages;
          expect({ ops, latest: a }).toStrictEqual({ ops, latest: b });
        }
      }
      // storage: no chunk unused by a stored index when keepLatest
      const blobs = await redis.client.hGetAll('lgcp:{t}:blobs');
      const used = new Set<string>();
      for (const [field, value] of Object.entries(blobs)) {
        if (!value.startsWith('\x02')) continue;
        const parts = value.split('\0');
        const key = field.slice(0, field.lastIndexOf('\0'));
        for (const id of parts.slice(3)) used.add(key + '\0\x02' + id);
      }
      const chunkFields = Object.keys(blobs).filter((f) => f.split('\0')[2]?.startsWith('\x02'));
      const missing = [...used].filter((c) => !(c in blobs));
      expect(missing).toEqual([]);
      if (keepLatest) expect({ keepLatest, unused: chunkFields.filter((c) => !used.has(c)).length }).toEqual({ keepLatest, unused: 0 });
    }, 120000);
  }
});
