import {
  emptyCheckpoint,
  uuid6,
  type BaseCheckpointSaver,
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointTuple,
} from '@langchain/langgraph-checkpoint';
import { RedisSaver } from '@langchain/langgraph-checkpoint-redis';
import { createClient, type RedisClientType } from 'redis';
import { BOTH_BRANCHES, forkThread } from '../../test/support/forked-thread';
import { RedisTestServer } from '../../test/support/redis-server';
import { RedisStackSaver } from './redis-stack.saver';

jest.setTimeout(30_000);

type Upstream = ConstructorParameters<typeof RedisSaver>[0];

const meta = (step: number, extra: Record<string, unknown> = {}): CheckpointMetadata =>
  ({ source: 'loop', step, parents: {}, ...extra }) as CheckpointMetadata;

const checkpointWith = (id: string, values: Record<string, unknown>): Checkpoint => ({
  ...emptyCheckpoint(),
  id,
  channel_values: values,
  channel_versions: Object.fromEntries(Object.keys(values).map((k) => [k, 1])),
});

/** Puts `count` chained checkpoints (each with a new `messages` blob) and returns their ids, oldest first. */
async function putChain(saver: BaseCheckpointSaver, threadId: string, count: number, ns = ''): Promise<string[]> {
  let config = { configurable: { thread_id: threadId, checkpoint_ns: ns } };
  const ids: string[] = [];
  for (let step = 0; step < count; step++) {
    const id = uuid6(step);
    const checkpoint = { ...checkpointWith(id, { messages: [step] }), channel_versions: { messages: step + 1 } };
    config = (await saver.put(config, checkpoint, meta(step), { messages: step + 1 })) as typeof config;
    ids.push(id);
  }
  return ids;
}

async function tuples(iterable: AsyncIterable<CheckpointTuple>): Promise<CheckpointTuple[]> {
  const all: CheckpointTuple[] = [];
  for await (const tuple of iterable) all.push(tuple);
  return all;
}
const collect = async (iterable: AsyncIterable<CheckpointTuple>) =>
  (await tuples(iterable)).map((tuple) => tuple.checkpoint.id);

describe('RedisStackSaver (on a real Redis Stack)', () => {
  let server: RedisTestServer;
  let client: RedisClientType;
  let saver: RedisStackSaver;
  let upstream: RedisSaver;

  beforeAll(async () => {
    server = await RedisTestServer.start('stack');
    client = createClient({ url: server.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });

  beforeEach(async () => {
    await client.flushAll(); // also drops the RediSearch indexes
    saver = new RedisStackSaver(client);
    await saver.ensureIndexes();
    upstream = new RedisSaver(client as unknown as Upstream);
  });

  it('keeps every branch intact when a graph forks a thread from an earlier checkpoint', async () => {
    expect(await forkThread(saver, 'forked')).toEqual(BOTH_BRANCHES);
  });

  describe('list()', () => {
    it('returns every checkpoint, newest first, when no limit is given', async () => {
      const ids = await putChain(saver, 'thread-25', 25);
      expect([...ids].sort()).toEqual(ids); // uuid6 ids sort by creation time

      expect(await collect(saver.list({ configurable: { thread_id: 'thread-25' } }))).toEqual([...ids].reverse());
      // The defect being fixed: upstream stops at 10.
      expect(await collect(upstream.list({ configurable: { thread_id: 'thread-25' } }))).toHaveLength(10);
    });

    it('honours before + limit even with many newer checkpoints', async () => {
      const ids = await putChain(saver, 'thread-40', 40);
      const before = { configurable: { thread_id: 'thread-40', checkpoint_ns: '', checkpoint_id: ids[5] } };
      const config = { configurable: { thread_id: 'thread-40' } };

      expect(await collect(saver.list(config, { before, limit: 1 }))).toEqual([ids[4]]);
      expect(await collect(saver.list(config, { before, limit: 3 }))).toEqual([ids[4], ids[3], ids[2]]);
      expect(await collect(saver.list(config, { before }))).toEqual(ids.slice(0, 5).reverse());
      // The defect being fixed: upstream fetches the 10 newest documents, then filters by `before`.
      expect(await collect(upstream.list(config, { before, limit: 1 }))).toEqual([]);
    });

    it('filters metadata exactly, including keys RediSearch does not index', async () => {
      await putChain(saver, 'thread-f', 3);
      const config = { configurable: { thread_id: 'thread-f', checkpoint_ns: '' } };
      await saver.put(config, checkpointWith(uuid6(9), {}), meta(-1, { user: 'u1', tags: { a: 1, b: 2 } }), {});

      expect(await collect(saver.list(config, { filter: { step: 1 } }))).toHaveLength(1);
      expect(await collect(saver.list(config, { filter: { step: -1, user: 'u1' } }))).toHaveLength(1);
      expect(await collect(saver.list(config, { filter: { tags: { b: 2, a: 1 } } }))).toHaveLength(1);
      expect(await collect(saver.list(config, { filter: { source: 'LOOP' } }))).toHaveLength(0);
      expect(await collect(saver.list({ configurable: { thread_id: 'THREAD-F' } }))).toHaveLength(0);
    });
  });

  describe('deleteThread()', () => {
    async function seedThread(threadId: string) {
      for (const ns of ['', 'child:1']) {
        const ids = await putChain(saver, threadId, 3, ns);
        const config = { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: ids[2] } };
        await saver.putWrites(config, [['messages', ['pending']]], 'task-1', '~__pregel_pull, agent');
      }
    }
    const keys = async () => new Set(await client.keys('*'));
    // Reads every key's value, so "intact" means unchanged, not merely present.
    const dump = async (names: Iterable<string>) =>
      Object.fromEntries(await Promise.all([...names].map(async (k) => [k, await client.dump(k)] as const)));

    it('deletes exactly the thread: alice:1:x and ALICE:1 stay intact', async () => {
      await seedThread('alice:1');
      const aliceKeys = await keys();
      await seedThread('alice:1:x');
      await seedThread('ALICE:1');
      const otherKeys = [...(await keys())].filter((k) => !aliceKeys.has(k));
      expect(otherKeys.length).toBeGreaterThan(20);
      const before = await dump(otherKeys);

      await saver.deleteThread('alice:1');

      const remaining = await keys();
      expect([...aliceKeys].filter((k) => remaining.has(k))).toEqual([]); // nothing of alice:1 is left
      expect([...remaining].sort()).toEqual([...otherKeys].sort()); // every other key is still there...
      expect(await dump(otherKeys)).toEqual(before); // ...unchanged
      expect(await saver.getTuple({ configurable: { thread_id: 'alice:1' } })).toBeUndefined();
      expect((await saver.getTuple({ configurable: { thread_id: 'alice:1:x' } }))?.pendingWrites).toHaveLength(1);
    });

    it('(upstream deletes alice:1:x along with alice:1)', async () => {
      await seedThread('alice:1');
      await seedThread('alice:1:x');
      await upstream.deleteThread('alice:1');
      expect(await saver.getTuple({ configurable: { thread_id: 'alice:1:x' } })).toBeUndefined();
    });
  });

  describe('pending writes', () => {
    it('come back in (task_path, task_id, idx) order, whatever the order they were written in', async () => {
      const config = await saver.put(
        { configurable: { thread_id: 'thread-w', checkpoint_ns: '' } },
        checkpointWith(uuid6(0), {}),
        meta(0),
        {},
      );
      await saver.putWrites(config, [['z0', 0], ['z1', 1], ['z2', 2]], 'task-z', '~__pregel_pull, node2');
      await saver.putWrites(config, [['b0', 0], ['b1', 1]], 'task-b', '~__pregel_pull, node1');
      await saver.putWrites(config, [['a0', 0]], 'task-a', '~__pregel_pull, node1');
      await saver.putWrites(config, [['input', 'hi']], 'task-input'); // no path: sorts first
      await saver.putWrites(config, [['__error__', 'boom']], 'task-a', '~__pregel_pull, node1'); // idx -1

      const expected = [
        ['task-input', 'input', 'hi'],
        ['task-a', '__error__', 'boom'],
        ['task-a', 'a0', 0],
        ['task-b', 'b0', 0],
        ['task-b', 'b1', 1],
        ['task-z', 'z0', 0],
        ['task-z', 'z1', 1],
        ['task-z', 'z2', 2],
      ];
      expect((await saver.getTuple(config))?.pendingWrites).toEqual(expected);
      const [listed] = await tuples(saver.list({ configurable: { thread_id: 'thread-w' } }));
      expect(listed.pendingWrites).toEqual(expected);
    });

    it('keep the first value of a retried regular write; special writes overwrite', async () => {
      const config = await saver.put(
        { configurable: { thread_id: 'thread-r', checkpoint_ns: '' } },
        checkpointWith(uuid6(0), {}),
        meta(0),
        {},
      );
      await saver.putWrites(config, [['x', 'first']], 't');
      await saver.putWrites(config, [['x', 'second']], 't');
      await saver.putWrites(config, [['__error__', 'e1']], 't');
      await saver.putWrites(config, [['__error__', 'e2']], 't');
      expect((await saver.getTuple(config))?.pendingWrites).toEqual([
        ['t', '__error__', 'e2'],
        ['t', 'x', 'first'],
      ]);
    });

    it('have their TTL refreshed on read when refreshOnRead is set', async () => {
      const ttlSaver = new RedisStackSaver(client, { defaultTTL: 10, refreshOnRead: true });
      const config = await ttlSaver.put(
        { configurable: { thread_id: 'thread-t', checkpoint_ns: '' } },
        checkpointWith(uuid6(0), {}),
        meta(0),
        {},
      );
      await ttlSaver.putWrites(config, [['x', 1]], 't');
      const writeKeys = await client.keys('checkpoint_write:thread-t:*');
      for (const key of writeKeys) await client.expire(key, 5);

      await ttlSaver.getTuple(config);
      for (const key of writeKeys) expect(await client.ttl(key)).toBeGreaterThan(590);
    });
  });

  describe('ensureIndexes()', () => {
    const ftCreateCalls = async () => {
      const stats = await client.info('commandstats');
      return Number(/cmdstat_FT\.CREATE:calls=(\d+)/i.exec(stats)?.[1] ?? 0);
    };

    it('creates the indexes once, not on every put/putWrites/list', async () => {
      const calls = await ftCreateCalls();
      await saver.ensureIndexes();
      const ids = await putChain(saver, 'thread-i', 3);
      const config = { configurable: { thread_id: 'thread-i', checkpoint_ns: '', checkpoint_id: ids[2] } };
      await saver.putWrites(config, [['x', 1]], 't');
      await collect(saver.list({ configurable: { thread_id: 'thread-i' } }));
      expect(await ftCreateCalls()).toBe(calls);
    });

    it('recreates the indexes when FLUSHALL dropped them', async () => {
      await putChain(saver, 'thread-a', 2);
      await client.flushAll();
      await putChain(saver, 'thread-b', 2);
      expect(await collect(saver.list({ configurable: { thread_id: 'thread-b' } }))).toHaveLength(2);
    });

    it('throws (and retries on the next call) when Redis has no RediSearch', async () => {
      const plain = await RedisTestServer.start('plain');
      const plainClient: RedisClientType = createClient({ url: plain.url });
      const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined); // upstream logs each FT.CREATE
      try {
        await plainClient.connect();
        const plainSaver = new RedisStackSaver(plainClient);
        await expect(plainSaver.ensureIndexes()).rejects.toThrow(/unknown command/i);
        const logged = quiet.mock.calls.length;
        await expect(plainSaver.ensureIndexes()).rejects.toThrow(/unknown command/i);
        expect(quiet.mock.calls.length).toBeGreaterThan(logged); // tried again, not a cached failure
      } finally {
        quiet.mockRestore();
        await plainClient.quit().catch(() => undefined);
        await plain.stop();
      }
    });
  });
});
