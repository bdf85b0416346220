import type { RunnableConfig } from '@langchain/core/runnables';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { type Checkpoint, emptyCheckpoint, JsonPlusSerializer, uuid6 } from '@langchain/langgraph-checkpoint';
import { plainRedisForSuite } from '../../test/support/redis-client';
import { RedisCheckpointSaver, type RedisCheckpointSaverOptions } from './redis.saver';
import { CHUNKED, MAX_CHUNKS, readChunked } from './redis/chunked-value';

const META = { source: 'loop' as const, step: 0, parents: {} };
const config = (thread: string): RunnableConfig => ({ configurable: { thread_id: thread, checkpoint_ns: '' } });

/**
 * One turn the way LangGraph makes it: read the latest checkpoint, put a child whose `messages` list
 * grew by `added` (after `edit` changed the earlier items, if given). Integer versions with
 * `counting`, as callers other than LangGraph may use: the same field then comes back after a delete.
 */
async function turn(
  saver: RedisCheckpointSaver,
  thread: string,
  added: unknown[],
  from?: RunnableConfig,
  { counting = false, edit }: { counting?: boolean; edit?: (earlier: unknown[]) => unknown[] } = {},
): Promise<RunnableConfig> {
  const latest = await saver.getTuple(from ?? config(thread));
  const previous = latest?.checkpoint ?? emptyCheckpoint();
  const earlier = (previous.channel_values.messages as unknown[]) ?? [];
  const messages = [...(edit ? edit(earlier) : earlier), ...added];
  const current = previous.channel_versions.messages as number | undefined;
  const version = counting ? (current ?? 0) + 1 : saver.getNextVersion(current);
  const checkpoint: Checkpoint = {
    ...previous,
    id: uuid6(-1),
    channel_values: { ...previous.channel_values, messages },
    channel_versions: { ...previous.channel_versions, messages: version },
  };
  return saver.put(latest?.config ?? config(thread), checkpoint, META, { messages: version });
}

/** A ~300-character item with what JSON makes tricky: quotes, escapes, non-ASCII, numbers, nesting. */
const item = (n: number) => ({
  type: n % 2 ? 'ai' : 'human',
  content: `turn ${n}: "quoted" \\ back\nslash, 你好, 😀 — ${'x'.repeat(150)}`,
  n,
  meta: { scores: [n / 7, -(n + 1), 1e21, 0.1 + 0.2], tags: n % 3 ? [] : ['a', { deep: [null, true] }] },
});

const reference = new JsonPlusSerializer();

/** A deep copy made in this realm (structuredClone's objects come from another one under Jest). */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('RedisCheckpointSaver: long lists in chunks, with a cache', () => {
  const redis = plainRedisForSuite();
  const saver = (options: RedisCheckpointSaverOptions = {}) => new RedisCheckpointSaver(redis.client, options);
  const messagesOf = async (s: RedisCheckpointSaver, thread: string, from?: RunnableConfig) =>
    (await s.getTuple(from ?? config(thread)))?.checkpoint.channel_values.messages;
  /** The stored value of the latest checkpoint's `messages`, as text (index and chunks read back). */
  const storedText = async (thread: string) => {
    const blobs = await redis.client.hGetAll(`lgcp:{${thread}}:blobs`);
    const tuple = await saver({ cacheMegabytes: 0 }).getTuple(config(thread));
    const field = `\0messages\0${tuple?.checkpoint.channel_versions.messages}`;
    return readChunked(field, blobs[field], new Map(Object.entries(blobs))).data;
  };

  beforeEach(() => redis.client.flushAll());

  it('stores a growing list as one chunk more per turn, and every reader reads exactly what was written', async () => {
    const writer = saver();
    const expected: unknown[] = [];
    for (let n = 0; n < 80; n++) {
      const added = [item(2 * n), item(2 * n + 1)];
      expected.push(...added);
      await turn(writer, 'grow', added);
      // The writer (from its cache), a saver without one, and one that reads the thread cold.
      for (const reader of [writer, saver({ cacheMegabytes: 0 }), saver()]) expect(await messagesOf(reader, 'grow')).toStrictEqual(expected);
      // Stored as LangGraph's own serializer writes the list, byte for byte.
      if (n >= 2) expect(await storedText('grow')).toBe(Buffer.from((await reference.dumpsTyped(expected))[1]).toString('utf8'));
    }
    // Chunks are shared by the versions that grew from them: storage grows with the list, not with
    // the list times the number of turns.
    const blobs = await redis.client.hGetAll('lgcp:{grow}:blobs');
    const stored = Object.values(blobs).reduce((sum, v) => sum + v.length, 0);
    expect(stored).toBeLessThan(4 * JSON.stringify(expected).length);
    const version = (await writer.getTuple(config('grow')))?.checkpoint.channel_versions.messages;
    const index = blobs[`\0messages\0${version}`];
    expect(index.startsWith(CHUNKED)).toBe(true);
    expect(index.split('\0').length - 3).toBeLessThanOrEqual(MAX_CHUNKS);
  });

  it('sends only what a turn adds, and reads without downloading what it holds', async () => {
    const writer = saver();
    for (let n = 0; n < 40; n++) await turn(writer, 'lean', [item(n)]);
    const sent: number[] = [];
    const received: number[] = [];
    const original = redis.client.sendCommand.bind(redis.client);
    const spy = jest.spyOn(redis.client, 'sendCommand').mockImplementation(async (args, options) => {
      sent.push(args.reduce((sum, a) => sum + a.length, 0));
      const reply = await original(args, options);
      received.push(JSON.stringify(reply ?? null).length);
      return reply;
    });
    try {
      await turn(writer, 'lean', [item(40)]);
    } finally {
      spy.mockRestore();
    }
    const listLength = JSON.stringify(await messagesOf(writer, 'lean')).length;
    expect(Math.max(...sent)).toBeLessThan(listLength / 5);
    expect(Math.max(...received)).toBeLessThan(listLength / 5);
  });

  it('hands out copies: changing a list it read or was given changes nothing stored or cached', async () => {
    const writer = saver();
    for (let n = 0; n < 10; n++) await turn(writer, 'copies', [item(n)]);
    const read = (await messagesOf(writer, 'copies')) as Array<ReturnType<typeof item>>;
    const before = copy(read);
    read[0].content = 'changed';
    read[1].meta.scores.push(99);
    read.push(item(99));
    expect(await messagesOf(writer, 'copies')).toStrictEqual(before);

    const given = copy([...before, item(10)]);
    const latest = await writer.getTuple(config('copies'));
    const version = writer.getNextVersion(latest?.checkpoint.channel_versions.messages as number);
    await writer.put(latest!.config, { ...latest!.checkpoint, id: uuid6(-1), channel_values: { messages: given }, channel_versions: { messages: version } }, META, {
      messages: version,
    });
    given[0].content = 'changed after put';
    given[10].meta.tags.push('added after put');
    expect(await messagesOf(writer, 'copies')).toStrictEqual([...before, item(10)]);
    await turn(writer, 'copies', [item(11)]);
    expect(await messagesOf(saver({ cacheMegabytes: 0 }), 'copies')).toStrictEqual([...before, item(10), item(11)]);

    // A list written afresh (its first item dropped) is copied too.
    const rewritten = copy([...before.slice(1), item(10), item(11), item(12)]);
    const current = await writer.getTuple(config('copies'));
    const next = writer.getNextVersion(current?.checkpoint.channel_versions.messages as number);
    await writer.put(current!.config, { ...current!.checkpoint, id: uuid6(-1), channel_values: { messages: rewritten }, channel_versions: { messages: next } }, META, {
      messages: next,
    });
    rewritten[0].content = 'changed after put';
    rewritten.pop();
    expect(await messagesOf(writer, 'copies')).toStrictEqual([...before.slice(1), item(10), item(11), item(12)]);
  });

  it('stays exact when two instances take turns on a thread, and when what one built on was pruned', async () => {
    const [a, b] = [saver({ keepLatest: 1 }), saver({ keepLatest: 1 })];
    const expected: unknown[] = [];
    for (let n = 0; n < 30; n++) {
      expected.push(item(n));
      await turn(n % 3 ? a : b, 'shared', [item(n)]);
    }
    for (const reader of [a, b, saver({ cacheMegabytes: 0 })]) expect(await messagesOf(reader, 'shared')).toStrictEqual(expected);

    // a read the thread; b then rewrote it twice (an edited list is stored afresh), pruning what a
    // holds and its chunks: a's next write cannot build on it.
    const latest = await a.getTuple(config('shared'));
    const edit = (earlier: unknown[]) => earlier.slice(1);
    await turn(b, 'shared', [item(30)], undefined, { edit });
    await turn(b, 'shared', [item(31)], undefined, { edit });
    const version = a.getNextVersion(latest?.checkpoint.channel_versions.messages as number);
    const forked = [...(latest?.checkpoint.channel_values.messages as unknown[]), item(99)];
    await a.put(latest!.config, { ...latest!.checkpoint, id: uuid6(-1), channel_values: { messages: forked }, channel_versions: { messages: version } }, META, {
      messages: version,
    });
    expect(await messagesOf(saver({ cacheMegabytes: 0 }), 'shared')).toStrictEqual(forked);
  });

  it('keeps storage bounded with keepLatest: pruned versions take the chunks no kept one uses', async () => {
    const kept = saver({ keepLatest: 2 });
    const expected: unknown[] = [];
    for (let n = 0; n < 100; n++) {
      expected.push(item(n));
      await turn(kept, 'bounded', [item(n)]);
    }
    expect(await messagesOf(saver({ cacheMegabytes: 0 }), 'bounded')).toStrictEqual(expected);
    const fields = await redis.client.hKeys('lgcp:{bounded}:blobs');
    // 2 kept values, and the chunks they use: at most MAX_CHUNKS each, mostly shared.
    expect(fields.filter((f) => !f.includes(`\0${CHUNKED}`))).toHaveLength(2);
    expect(fields.length).toBeLessThanOrEqual(2 + MAX_CHUNKS + 1);
  });

  it('keeps both branches exact when a thread is forked from an earlier checkpoint', async () => {
    const writer = saver();
    let earlier: RunnableConfig | undefined;
    for (let n = 0; n < 12; n++) {
      const written = await turn(writer, 'fork', [item(n)]);
      if (n === 5) earlier = written;
    }
    const original = await messagesOf(writer, 'fork');
    const branch = await turn(writer, 'fork', [item(100)], earlier);
    for (const reader of [writer, saver({ cacheMegabytes: 0 })]) {
      expect(await messagesOf(reader, 'fork', branch)).toStrictEqual([...Array.from({ length: 6 }, (_, n) => item(n)), item(100)]);
      const history = [];
      for await (const tuple of reader.list(config('fork'))) history.push(tuple.checkpoint.channel_values.messages);
      expect(history).toContainEqual(original);
    }
    // The next turn grows the branch (the latest checkpoint), not the original list.
    await turn(writer, 'fork', [item(101)]);
    expect(await messagesOf(saver({ cacheMegabytes: 0 }), 'fork')).toStrictEqual([...Array.from({ length: 6 }, (_, n) => item(n)), item(100), item(101)]);
  });

  it('reads lists that are not plain JSON (NaN, -0, an "lc" key, LangChain messages) exactly as without a cache', async () => {
    const odd: unknown[] = [
      [{ n: NaN }],
      [{ z: -0 }],
      [{ inf: -Infinity }],
      [{ lc: 2, type: 'undefined' }],
      [JSON.parse('{"__proto__": {"x": 1}}')],
      [new HumanMessage({ id: 'h', content: 'hi '.repeat(200) }), new AIMessage({ id: 'a', content: 'yo '.repeat(200) })],
      [new Set([1, 2]), new Date('2026-11-26T00:00:00Z'), { nested: new Map([['k', 'v'.repeat(600)]]) }],
    ];
    for (const [i, added] of odd.entries()) {
      const writer = saver();
      const plain = saver({ cacheMegabytes: 0 });
      for (let n = 0; n < 4; n++) {
        // Long enough from the first turn on to be stored in chunks and cached.
        const turnItems = [...(added as unknown[]), item(4 * n), item(4 * n + 1), item(4 * n + 2), item(4 * n + 3)];
        await turn(writer, `odd-${i}`, turnItems);
        await turn(plain, `plain-${i}`, turnItems);
        const want = await messagesOf(plain, `plain-${i}`);
        for (const reader of [writer, saver(), saver({ cacheMegabytes: 0 })]) expect(await messagesOf(reader, `odd-${i}`)).toStrictEqual(want);
      }
    }
  });

  it('stores a list whose earlier items changed as it is', async () => {
    const writer = saver();
    for (let n = 0; n < 10; n++) await turn(writer, 'edited', [item(n)]);
    const edits: Array<(earlier: unknown[]) => unknown[]> = [
      (earlier) => [{ ...(earlier[0] as object), content: 'first item rewritten' }, ...earlier.slice(1)],
      (earlier) => earlier.slice(3),
      (earlier) => [item(-1), ...earlier],
      (earlier) => earlier.map((m, i) => (i === 4 ? { ...(m as object), n: 4.5 } : m)),
      (earlier) => earlier.map((m) => Object.fromEntries(Object.entries(m as object).reverse())),
    ];
    for (const edit of edits) {
      const before = (await messagesOf(saver({ cacheMegabytes: 0 }), 'edited')) as unknown[];
      await turn(writer, 'edited', [item(99)], undefined, { edit });
      const want = [...edit(copy(before)), item(99)];
      for (const reader of [writer, saver({ cacheMegabytes: 0 })]) expect(JSON.stringify(await messagesOf(reader, 'edited'))).toBe(JSON.stringify(want));
    }
  });

  it('does not take a value it holds for the one another instance stored under the same field', async () => {
    const writer = saver();
    for (let n = 0; n < 8; n++) await turn(writer, 'same-field', [item(n)], undefined, { counting: true });
    expect(await messagesOf(writer, 'same-field')).toHaveLength(8);
    // Another instance deletes the thread and writes it again with the same versions.
    const other = saver();
    await other.deleteThread('same-field');
    for (let n = 0; n < 8; n++) await turn(other, 'same-field', [item(100 + n)], undefined, { counting: true });
    expect(await messagesOf(writer, 'same-field')).toStrictEqual(Array.from({ length: 8 }, (_, n) => item(100 + n)));
    await turn(writer, 'same-field', [item(200)], undefined, { counting: true });
    expect(await messagesOf(saver({ cacheMegabytes: 0 }), 'same-field')).toStrictEqual([...Array.from({ length: 8 }, (_, n) => item(100 + n)), item(200)]);
  });

  /** Puts a child of the thread's latest checkpoint whose `messages` is `messages`, as given. */
  async function putList(s: RedisCheckpointSaver, thread: string, messages: unknown) {
    const latest = await s.getTuple(config(thread));
    const previous = latest?.checkpoint ?? emptyCheckpoint();
    const version = s.getNextVersion(previous.channel_versions.messages as number | undefined);
    const checkpoint: Checkpoint = { ...previous, id: uuid6(-1), channel_values: { messages }, channel_versions: { messages: version } };
    return s.put(latest?.config ?? config(thread), checkpoint, META, { messages: version });
  }
  const roundTrip = async (value: unknown) => reference.loadsTyped(...(await reference.dumpsTyped(value)));

  it('stores and hands out what the serializer writes for a list with a toJSON, fresh or grown', async () => {
    const writer = saver();
    const replaced = () => ['replaced'.repeat(200)];
    const list = Object.defineProperty(Array.from({ length: 20 }, (_, n) => item(n)), 'toJSON', { value: replaced });
    await putList(writer, 'to-json', list);
    for (const reader of [writer, saver({ cacheMegabytes: 0 })]) expect(await messagesOf(reader, 'to-json')).toStrictEqual(await roundTrip(list));

    await putList(writer, 'to-json-grown', Array.from({ length: 20 }, (_, n) => item(n)));
    const grown = Object.defineProperty(Array.from({ length: 21 }, (_, n) => item(n)), 'toJSON', { value: replaced });
    await putList(writer, 'to-json-grown', grown);
    for (const reader of [writer, saver({ cacheMegabytes: 0 })]) expect(await messagesOf(reader, 'to-json-grown')).toStrictEqual(await roundTrip(grown));
  });

  it('hands out what was stored for a list holding a getter, not what the getter says later', async () => {
    const writer = saver();
    let calls = 0;
    const live = Object.defineProperty({}, 'calls', { enumerable: true, get: () => ++calls });
    await putList(writer, 'getter', [...Array.from({ length: 20 }, (_, n) => item(n)), live]);
    expect(await messagesOf(writer, 'getter')).toStrictEqual(await messagesOf(saver({ cacheMegabytes: 0 }), 'getter'));
  });

  it('hands out objects with their own keys only, even with a key added to Object.prototype', async () => {
    const writer = saver();
    await putList(writer, 'polluted', Array.from({ length: 20 }, (_, n) => item(n)));
    (Object.prototype as Record<string, unknown>).polluted = 'yes';
    try {
      const [fromCache, fromRedis] = [await messagesOf(writer, 'polluted'), await messagesOf(saver({ cacheMegabytes: 0 }), 'polluted')] as object[][];
      expect(Object.keys(fromCache[0])).toEqual(Object.keys(fromRedis[0]));
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });

  it('leaves no value or chunk behind with keepLatest when a checkpoint is put again (a retried write)', async () => {
    const [a, b] = [saver({ keepLatest: 1 }), saver({ keepLatest: 1 })];
    let parent = config('retried');
    let previous = emptyCheckpoint();
    const messages: unknown[] = [];
    for (let n = 0; n < 12; n++) {
      messages.push(item(n), item(100 + n));
      const version = a.getNextVersion(previous.channel_versions.messages as number | undefined);
      const checkpoint: Checkpoint = { ...previous, id: uuid6(-1), channel_values: { messages: [...messages] }, channel_versions: { messages: version } };
      const next = await a.put(parent, checkpoint, META, { messages: version });
      if (n % 3 === 2) await b.put(parent, checkpoint, META, { messages: version });
      [parent, previous] = [next, checkpoint];
    }
    const blobs = await redis.client.hGetAll('lgcp:{retried}:blobs');
    const values = Object.entries(blobs).filter(([field]) => !field.includes(`\0${CHUNKED}`));
    expect(values).toHaveLength(1);
    const [[field, index]] = values;
    const used = readChunked(field, index, new Map(Object.entries(blobs))).chunkIds.length;
    expect(Object.keys(blobs)).toHaveLength(1 + used);
  });

  it('forgets a deleted thread: a new thread of the same id starts from nothing', async () => {
    const writer = saver();
    for (let n = 0; n < 8; n++) await turn(writer, 'reborn', [item(n)]);
    await writer.deleteThread('reborn');
    expect(await redis.client.exists('lgcp:{reborn}:blobs')).toBe(0);
    // Another instance deletes and restarts it: this one's cache must not be taken for it.
    for (let n = 0; n < 8; n++) await turn(writer, 'again', [item(n)]);
    await saver().deleteThread('again');
    await turn(saver(), 'again', [item(50)]);
    await turn(writer, 'again', [item(51)]);
    expect(await messagesOf(saver({ cacheMegabytes: 0 }), 'again')).toStrictEqual([item(50), item(51)]);
  });
});
