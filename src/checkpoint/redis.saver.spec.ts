import type { RunnableConfig } from '@langchain/core/runnables';
import { type Checkpoint, emptyCheckpoint, uuid6 } from '@langchain/langgraph-checkpoint';
import { addTurn } from '../../test/support/checkpoint-turns';
import { BOTH_BRANCHES, forkThread } from '../../test/support/forked-thread';
import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import { Annotation, DeltaValue, END, MemorySaver, MessagesDeltaValue, messagesDeltaReducer, START, StateGraph, StateSchema } from '@langchain/langgraph';
import { z } from 'zod/v4';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { RedisTestServer } from '../../test/support/redis-server';
import { createClient, type RedisClientType } from 'redis';
import { RedisUnavailableError } from '../redis/redis-errors';
import { setRedisCommandTimeout } from '../redis/redis-script';
import { FENCE_TOKEN, RedisCheckpointSaver, type RedisCheckpointSaverOptions } from './redis.saver';
import { CHUNKED } from './redis/chunked-value';
import { FencedWriteError } from './redis/fenced-write.error';
import { hashTagOf } from './redis/thread-keys';

/** Commands our Lua scripts run inside Redis (not round trips of the client). */
const SCRIPT_INNER = new Set(['hget', 'hmget', 'hset', 'hsetnx', 'hdel', 'zadd', 'zrem', 'zrangebylex', 'zrevrangebylex', 'zremrangebylex', 'expire']);

const meta = { source: 'loop' as const, step: 0, parents: {} };

async function commandCalls(client: RedisClientType): Promise<Record<string, number>> {
  const info = await client.info('commandstats');
  return Object.fromEntries([...info.matchAll(/cmdstat_([\w|.]+):calls=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

async function commandsDuring(client: RedisClientType, action: () => Promise<unknown>) {
  const before = await commandCalls(client);
  await action();
  const after = await commandCalls(client);
  const delta: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after)) {
    const d = calls - (before[name] ?? 0);
    if (d > 0 && name !== 'info') delta[name] = d;
  }
  return delta;
}

describe.each([
  { values: 'short values stored whole', base: {} },
  // Every value in chunks, cached: the storage long conversations get (see redis/chunked-value.ts).
  { values: 'every value in chunks', base: { minChunkedChars: 0 } },
])('RedisCheckpointSaver on plain Redis, $values', ({ base }) => {
  let server: RedisTestServer;
  let client: RedisClientType;
  let sut: RedisCheckpointSaver;
  const saver = (options: RedisCheckpointSaverOptions = {}) => new RedisCheckpointSaver(client, { ...base, ...options });
  /** Stored channel values (one per version), not counting the chunks they share. */
  const storedValues = async (thread: string) => (await client.hKeys(`lgcp:{${thread}}:blobs`)).filter((f) => !f.includes(`\0${CHUNKED}`)).length;

  beforeAll(async () => {
    server = await RedisTestServer.start('plain');
    client = createClient({ url: server.url });
    await client.connect();
  });
  beforeEach(async () => {
    await client.flushAll();
    sut = saver();
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });

  it('keeps every key of a thread under one hash tag', async () => {
    await addTurn(sut, 'polo:{odd}%id', 'hello');
    const keys = (await client.keys('*')).sort();
    const tag = `{${hashTagOf('polo:{odd}%id')}}`;
    expect(tag).toBe('{polo:%7Bodd%7D%25id}');
    expect(keys).toEqual(['lgcp:thread-registry', ...['blobs', 'cp', 'idx'].map((k) => `lgcp:${tag}:${k}`)].sort());
  });

  it('writes a checkpoint in one script, appends writes in one script and reads the latest in one', async () => {
    await addTurn(sut, 't', 'one');
    const putCommands = await commandsDuring(client, () => addTurn(sut, 't', 'two'));
    // addTurn = getTuple + put: one script each, plus the thread registry's ZADD sent alongside.
    // (commandstats also counts the commands the scripts run inside Redis: the put's ZADD of its index.)
    expect(putCommands).toMatchObject({ evalsha: 2, zadd: 2 });
    expect(Object.keys(putCommands).filter((c) => !SCRIPT_INNER.has(c)).sort()).toEqual(['evalsha']);

    const tuple = await sut.getTuple({ configurable: { thread_id: 't' } });
    // The first use of a script on a server loads it (NOSCRIPT, then EVAL); measure after that.
    await sut.putWrites(tuple!.config, [['warm', 'up']], 'task-0');
    const writeCommands = await commandsDuring(client, () =>
      sut.putWrites(tuple!.config, [['messages', 'w1'], ['other', 'w2']], 'task-1'),
    );
    expect(writeCommands).toMatchObject({ evalsha: 1 });
    expect(Object.keys(writeCommands).filter((c) => !SCRIPT_INNER.has(c))).toEqual(['evalsha']);
  });

  it('never scans the keyspace', async () => {
    for (let i = 0; i < 3; i++) await addTurn(sut, `scan:${i}`, 'x');
    const used = await commandsDuring(client, async () => {
      const tuple = await sut.getTuple({ configurable: { thread_id: 'scan:1' } });
      await sut.putWrites(tuple!.config, [['messages', 'w']], 'task');
      for await (const _ of sut.list({ configurable: { thread_id: 'scan:1' } })) void _;
      await sut.deleteThread('scan:2');
    });
    expect(Object.keys(used).filter((c) => /^(keys|scan|hscan|sscan|zscan)$/.test(c))).toEqual([]);
  });

  it('stores only changed channels and rebuilds full values on read', async () => {
    await addTurn(sut, 'delta', 'a', { profile: { name: 'polo' } });
    await addTurn(sut, 'delta', 'b');
    await addTurn(sut, 'delta', 'c');
    // 3 versions of messages + 1 of profile: profile was stored once, not per checkpoint.
    expect(await storedValues('delta')).toBe(4);
    const tuple = await sut.getTuple({ configurable: { thread_id: 'delta' } });
    expect(tuple?.checkpoint.channel_values).toEqual({ messages: ['a', 'b', 'c'], profile: { name: 'polo' } });
  });

  it('keeps every branch intact when a graph forks a thread from an earlier checkpoint', async () => {
    expect(await forkThread(sut, 'forked')).toEqual(BOTH_BRANCHES);
  });

  it('deletes exactly the thread asked for', async () => {
    for (const id of ['alice:1', 'alice:1:x', 'alice:10', '{alice:1}']) await addTurn(sut, id, 'hi');
    await sut.deleteThread('alice:1');
    expect(await sut.getTuple({ configurable: { thread_id: 'alice:1' } })).toBeUndefined();
    for (const id of ['alice:1:x', 'alice:10', '{alice:1}']) {
      expect((await sut.getTuple({ configurable: { thread_id: id } }))?.checkpoint.channel_values.messages).toEqual(['hi']);
    }
    expect((await client.keys('*alice:1}*')).length).toBe(0);
  });

  it('returns pending writes in (task_path, task_id, idx) order whatever the order they arrived in', async () => {
    const config = await addTurn(sut, 'order', 'q');
    await sut.putWrites(config, [['c', 'b-0'], ['c', 'b-1']], 'task-b', '~b');
    await sut.putWrites(config, [['c', 'a-0']], 'task-a', '~b');
    await sut.putWrites(config, [['c', 'z-0']], 'task-z', '~a');
    const tuple = await sut.getTuple(config);
    expect(tuple?.pendingWrites?.map(([, , v]) => v)).toEqual(['z-0', 'a-0', 'b-0', 'b-1']);
  });

  it('keeps writes that arrive before or while their checkpoint is put', async () => {
    const first = await addTurn(sut, 'race', 'q');
    const next: Checkpoint = { ...emptyCheckpoint(), id: uuid6(-1) };
    const nextConfig: RunnableConfig = { configurable: { ...first.configurable, checkpoint_id: next.id } };
    await sut.putWrites(nextConfig, [['early', 1]], 'task-early');
    await Promise.all([
      sut.put(first, next, meta, {}),
      sut.putWrites(nextConfig, [['during', 2]], 'task-during'),
    ]);
    const tuple = await sut.getTuple(nextConfig);
    expect(tuple?.pendingWrites?.map(([task, channel, value]) => [task, channel, value])).toEqual([
      ['task-during', 'during', 2],
      ['task-early', 'early', 1],
    ]);
  });

  it('lists newest first with before, limit and a metadata filter', async () => {
    const configs: RunnableConfig[] = [];
    for (let i = 0; i < 15; i++) configs.push(await addTurn(sut, 'listing', `m${i}`));
    const ids = (list: AsyncGenerator<{ config: RunnableConfig }>) =>
      (async () => {
        const out: string[] = [];
        for await (const t of list) out.push(t.config.configurable!.checkpoint_id);
        return out;
      })();
    const all = configs.map((c) => c.configurable!.checkpoint_id).reverse();
    expect(await ids(sut.list({ configurable: { thread_id: 'listing' } }))).toEqual(all);
    expect(await ids(sut.list({ configurable: { thread_id: 'listing' } }, { before: configs[10], limit: 3 }))).toEqual(
      all.slice(5, 8),
    );
    expect(await ids(sut.list({ configurable: { thread_id: 'listing' } }, { filter: { source: 'input' } }))).toEqual([]);
    expect(await ids(sut.list({ configurable: { thread_id: 'listing' } }, { filter: { source: 'loop', step: 0 }, limit: 2 }))).toEqual(
      all.slice(0, 2),
    );
  });

  it('uses its key prefix, so deployments can share one Redis', async () => {
    const other = saver({ keyPrefix: 'other' });
    await addTurn(sut, 'shared', 'mine');
    await addTurn(other, 'shared', 'theirs');
    expect((await sut.getTuple({ configurable: { thread_id: 'shared' } }))?.checkpoint.channel_values.messages).toEqual(['mine']);
    expect((await other.getTuple({ configurable: { thread_id: 'shared' } }))?.checkpoint.channel_values.messages).toEqual(['theirs']);
    await other.deleteThread('shared');
    expect(await sut.getTuple({ configurable: { thread_id: 'shared' } })).toBeDefined();
  });

  it('keeps only the newest N checkpoints, with the writes and values they reference', async () => {
    const kept = saver({ keepLatest: 3 });
    await addTurn(kept, 'long', 'm0', { profile: 'set once' });
    let config: RunnableConfig = {};
    for (let i = 1; i < 10; i++) {
      config = await addTurn(kept, 'long', `m${i}`);
      await kept.putWrites(config, [['messages', `w${i}`]], `task-${i}`);
    }
    expect(await client.zCard('lgcp:{long}:idx')).toBe(3);
    // 3 message versions + the profile value, which the kept checkpoints still reference.
    expect(await storedValues('long')).toBe(4);
    expect(await client.hLen('lgcp:{long}:writes')).toBe(3);
    const latest = await kept.getTuple({ configurable: { thread_id: 'long' } });
    expect(latest?.checkpoint.channel_values).toEqual({
      messages: Array.from({ length: 10 }, (_, i) => `m${i}`),
      profile: 'set once',
    });
    expect(latest?.pendingWrites).toEqual([['task-9', 'messages', 'w9']]);
  });

  it('keeps the ancestors a delta channel is rebuilt from, however few checkpoints it keeps', async () => {
    const State = new StateSchema({ messages: MessagesDeltaValue });
    const run = async (saver: BaseCheckpointSaver) => {
      const graph = new StateGraph(State)
        .addNode('echo', (s: { messages: BaseMessage[] }) => ({ messages: [new AIMessage(`echo ${s.messages.length}`)] }))
        .addEdge(START, 'echo')
        .addEdge('echo', END)
        .compile({ checkpointer: saver });
      const thread = { configurable: { thread_id: 'delta' } };
      for (let i = 0; i < 6; i++) await graph.invoke({ messages: [new HumanMessage(`q${i}`)] }, thread);
      return ((await graph.getState(thread)).values.messages as BaseMessage[]).map((m) => m.content);
    };
    const expected = await run(new MemorySaver());
    expect(expected).toHaveLength(12);
    expect(await run(saver({ keepLatest: 2 }))).toEqual(expected);

    // A value stored every 2 updates: pruning must stop exactly at the latest stored one.
    const Frequent = new StateSchema({
      messages: new DeltaValue(z.custom<BaseMessage[]>().default(() => []), { reducer: messagesDeltaReducer, snapshotFrequency: 2 } as never) as unknown as typeof MessagesDeltaValue,
    });
    for (const keepLatest of [1, 2, 3]) {
      await client.flushAll();
      const graph = (saver: BaseCheckpointSaver) =>
        new StateGraph(Frequent)
          .addNode('a', (s: { messages: BaseMessage[] }) => ({ messages: [new AIMessage(`a ${s.messages.length}`)] }))
          .addNode('b', (s: { messages: BaseMessage[] }) => ({ messages: [new AIMessage(`b ${s.messages.length}`)] }))
          .addEdge(START, 'a')
          .addEdge('a', 'b')
          .addEdge('b', END)
          .compile({ checkpointer: saver });
      const turns = async (saver: BaseCheckpointSaver) => {
        const g = graph(saver);
        const thread = { configurable: { thread_id: 'frequent' } };
        for (let i = 0; i < 7; i++) await g.invoke({ messages: [new HumanMessage(`q${i}`)] }, thread);
        return ((await g.getState(thread)).values.messages as BaseMessage[]).map((m) => m.content);
      };
      const want = await turns(new MemorySaver());
      expect(await turns(saver({ keepLatest }))).toEqual(want);
      // Bounded: far fewer than the 7 turns × 4 checkpoints written.
      expect(await client.zCard('lgcp:{frequent}:idx')).toBeLessThan(keepLatest + 6);
    }
  });

  it('keeps subgraph checkpoints bounded too: a finished run\'s namespace goes with the root checkpoints', async () => {
    const State = Annotation.Root({ log: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }) });
    const sub = new StateGraph(State).addNode('inner', () => ({ log: ['inner'] })).addEdge(START, 'inner').addEdge('inner', END).compile();
    const run = async (saver: BaseCheckpointSaver) => {
      const graph = new StateGraph(State).addNode('sub', sub).addEdge(START, 'sub').addEdge('sub', END).compile({ checkpointer: saver });
      const thread = { configurable: { thread_id: 'nested' } };
      for (let i = 0; i < 6; i++) await graph.invoke({ log: [`q${i}`] }, { ...thread, durability: 'sync' });
      return (await graph.getState(thread)).values.log;
    };
    expect(await run(saver({ keepLatest: 2 }))).toEqual(await run(new MemorySaver()));
    const namespaces = new Set((await client.zRange('lgcp:{nested}:idx', 0, -1)).map((m) => m.split('\0')[0]));
    expect(namespaces.size).toBeLessThanOrEqual(2); // the root and at most the last run's subgraph
    const blobs = await client.hKeys('lgcp:{nested}:blobs');
    expect(blobs.every((f) => namespaces.has(f.split('\0')[0]))).toBe(true);
  });

  it('keeps the state of a subgraph compiled with checkpointer: true across runs', async () => {
    const State = Annotation.Root({ log: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }) });
    const run = async (saver: BaseCheckpointSaver) => {
      const sub = new StateGraph(State)
        .addNode('inner', (s: typeof State.State) => ({ log: [`inner saw ${s.log.length}`] }))
        .addEdge(START, 'inner')
        .addEdge('inner', END)
        .compile({ checkpointer: true });
      const graph = new StateGraph(State)
        .addNode('sub', async (s: typeof State.State) => ({ log: [(await sub.invoke({ log: [s.log.at(-1)!] })).log.at(-1)!] }))
        .addNode('after', () => ({ log: ['after'] }))
        .addEdge(START, 'sub')
        .addEdge('sub', 'after')
        .addEdge('after', END)
        .compile({ checkpointer: saver });
      const thread = { configurable: { thread_id: 'persistent-sub' } };
      for (let i = 0; i < 3; i++) await graph.invoke({ log: [`q${i}`] }, thread);
      return (await graph.getState(thread)).values.log;
    };
    const expected = await run(new MemorySaver());
    expect(expected).toContain('inner saw 5');
    expect(await run(saver({ keepLatest: 2 }))).toEqual(expected);
  });

  it('refuses the writes of a turn whose thread lease is held by someone else (fencing)', async () => {
    const first = await addTurn(sut, 'fenced', 'one');
    await client.set('lgcp:{fenced}:lease', 'token-of-A');
    const as = (token: string) => ({ configurable: { ...first.configurable, [FENCE_TOKEN]: token } });
    const next = { ...emptyCheckpoint(), id: uuid6(-1), channel_values: { messages: ['one', 'two'] }, channel_versions: { messages: 2 } };

    await sut.putWrites(as('token-of-A'), [['messages', 'w']], 'task-a');
    await sut.put(as('token-of-A'), next, meta, { messages: 2 });
    await client.set('lgcp:{fenced}:lease', 'token-of-B'); // A lost the lease; B holds it now
    const late = { ...next, id: uuid6(-1), channel_values: { messages: ['one', 'late'] }, channel_versions: { messages: 3 } };
    await expect(sut.put(as('token-of-A'), late, meta, { messages: 3 })).rejects.toBeInstanceOf(FencedWriteError);
    await expect(sut.putWrites(as('token-of-A'), [['messages', 'late']], 'task-late')).rejects.toBeInstanceOf(FencedWriteError);
    await client.del('lgcp:{fenced}:lease'); // nobody holds it: still not A's
    await expect(sut.put(as('token-of-A'), late, meta, { messages: 3 })).rejects.toBeInstanceOf(FencedWriteError);

    const latest = await sut.getTuple({ configurable: { thread_id: 'fenced' } });
    expect(latest?.checkpoint.channel_values.messages).toEqual(['one', 'two']);
    expect((await sut.getTuple(first))?.pendingWrites).toEqual([['task-a', 'messages', 'w']]);
    // Writes without a token (other callers, tests, the roll-back) are not fenced.
    await sut.put(first, late, meta, { messages: 3 });

    // Deleting the thread (the roll-back of a failed first turn) is fenced the same way.
    await client.set('lgcp:{fenced}:lease', 'token-of-B');
    await expect(sut.deleteThreadFenced('fenced', 'token-of-A')).rejects.toBeInstanceOf(FencedWriteError);
    expect(await sut.getTuple({ configurable: { thread_id: 'fenced' } })).toBeDefined();
    await sut.deleteThreadFenced('fenced', 'token-of-B');
    expect(await sut.getTuple({ configurable: { thread_id: 'fenced' } })).toBeUndefined();
    expect(await client.exists('lgcp:{fenced}:lease')).toBe(1); // the lease is not the saver's to delete
  });

  it('reads back a checkpoint with more pending writes than one Lua call can unpack', async () => {
    const config = await addTurn(sut, 'fan-out', 'map');
    const writes: [string, unknown][] = Array.from({ length: 9000 }, (_, i) => ['results', i]);
    await sut.putWrites(config, writes, 'reduce');
    const tuple = await sut.getTuple(config);
    expect(tuple?.pendingWrites).toHaveLength(9000);
    expect(tuple?.pendingWrites?.at(-1)).toEqual(['reduce', 'results', 8999]);
  });

  it('keeps the checkpoint it just wrote even when its id sorts before the kept ones', async () => {
    const kept = saver({ keepLatest: 2 });
    const early = uuid6(-1); // made first, written last: a host whose clock is behind
    const base = { configurable: { thread_id: 'skew', checkpoint_ns: '' } };
    const put = (id: string, text: string) =>
      kept.put(base, { ...emptyCheckpoint(), id, channel_values: { messages: [text] }, channel_versions: { messages: kept.getNextVersion(undefined) } }, meta, {
        messages: 1,
      });
    await new Promise((r) => setTimeout(r, 5));
    await put(uuid6(-1), 'one');
    await put(uuid6(-1), 'two');
    const late = await put(early, 'late');
    expect((await kept.getTuple(late))?.checkpoint.channel_values.messages).toEqual(['late']);
    expect(await client.zCard('lgcp:{skew}:idx')).toBe(2);
  });

  it('expires every key of an idle thread together, and never a channel of an active one', async () => {
    const ttlSaver = saver({ ttlMinutes: 2 / 60 });
    await addTurn(ttlSaver, 'idle', 'a', { profile: 'p' });
    const config = await addTurn(ttlSaver, 'idle', 'b');
    await ttlSaver.putWrites(config, [['x', 1]], 't');
    const keys = await client.keys('lgcp:{idle}:*');
    expect(keys).toHaveLength(5);
    const ttls = await Promise.all(keys.map((k) => client.pTTL(k)));
    expect(Math.max(...ttls) - Math.min(...ttls)).toBeLessThan(200);
    expect(Math.min(...ttls)).toBeGreaterThan(1000);

    // An active thread: its first (never rewritten) channel outlives many TTLs.
    await addTurn(ttlSaver, 'active', 'first', { profile: 'kept' });
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 500));
      await addTurn(ttlSaver, 'active', `turn ${i}`);
    }
    const active = await ttlSaver.getTuple({ configurable: { thread_id: 'active' } });
    expect(active?.checkpoint.channel_values.profile).toBe('kept');
    expect(active?.checkpoint.channel_values.messages).toHaveLength(9);
    expect(await client.keys('lgcp:{idle}:*')).toEqual([]);
    // The registry behind list() forgets the expired thread too, so it does not grow for ever.
    expect(await client.zRange('lgcp:thread-registry', 0, -1)).toEqual(['active']);
  }, 20_000);
});

describe('RedisCheckpointSaver while Redis is down', () => {
  it('fails with RedisUnavailableError when Redis stops answering on an open socket, and works again after', async () => {
    const server = await RedisTestServer.start('plain');
    const client: RedisClientType = createClient({ url: server.url, disableOfflineQueue: true });
    client.on('error', () => undefined);
    await client.connect();
    const sut = new RedisCheckpointSaver(client);
    setRedisCommandTimeout(300);
    try {
      await addTurn(sut, 'hung', 'before');
      server.pause();
      const started = Date.now();
      await expect(sut.getTuple({ configurable: { thread_id: 'hung' } })).rejects.toThrow(/Redis is unavailable: no reply within 300 ms/);
      await expect(addTurn(sut, 'hung', 'during')).rejects.toBeInstanceOf(RedisUnavailableError);
      expect(Date.now() - started).toBeLessThan(2000);
      server.resume();
      await addTurn(sut, 'hung', 'after');
      expect((await sut.getTuple({ configurable: { thread_id: 'hung' } }))?.checkpoint.channel_values.messages).toEqual(['before', 'after']);
    } finally {
      setRedisCommandTimeout(5000);
      server.resume();
      await client.disconnect().catch(() => undefined);
      await server.stop();
    }
  });

  it('fails fast with RedisUnavailableError and works again when Redis returns', async () => {
    const server = await RedisTestServer.start('plain');
    const client: RedisClientType = createClient({
      url: server.url,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: () => 100 },
    });
    client.on('error', () => undefined);
    await client.connect();
    const sut = new RedisCheckpointSaver(client);
    try {
      await addTurn(sut, 'outage', 'before');
      await server.stop();
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      await expect(sut.getTuple({ configurable: { thread_id: 'outage' } })).rejects.toBeInstanceOf(RedisUnavailableError);
      await expect(addTurn(sut, 'outage', 'during')).rejects.toBeInstanceOf(RedisUnavailableError);
      expect(Date.now() - started).toBeLessThan(1000);
      await server.start();
      for (let i = 0; i < 50 && !client.isReady; i++) await new Promise((r) => setTimeout(r, 100));
      await addTurn(sut, 'outage', 'after');
      expect((await sut.getTuple({ configurable: { thread_id: 'outage' } }))?.checkpoint.channel_values.messages).toEqual(['after']);
    } finally {
      await client.disconnect().catch(() => undefined);
      await server.stop();
    }
  });
});
