import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import { Command, END, interrupt, MemorySaver, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { plainRedisForSuite } from '../../test/support/redis-client';
import { RedisCheckpointSaver } from './redis.saver';

describe('RedisCheckpointSaver under real graphs: a subgraph interrupt and resume, as MemorySaver', () => {
  const redis = plainRedisForSuite();
  beforeEach(() => redis.client.flushAll());

  for (const keepLatest of [1, 2])
    for (const durability of ['async', 'sync'] as const)
      it(`subgraph interrupt + resume, keepLatest ${keepLatest}, durability ${durability}`, async () => {
        const run = async (saver: BaseCheckpointSaver) => {
          const sub = new StateGraph(MessagesAnnotation)
            .addNode('ask', (s) => {
              const answer = interrupt(`q${s.messages.length}`) as string;
              return { messages: [new AIMessage(`${answer} ${'z'.repeat(400)}`)] };
            })
            .addNode('after', (s) => ({ messages: [new AIMessage(`after ${s.messages.length} ${'y'.repeat(400)}`)] }))
            .addEdge(START, 'ask')
            .addEdge('ask', 'after')
            .addEdge('after', END)
            .compile();
          const graph = new StateGraph(MessagesAnnotation)
            .addNode('pre', (s) => ({ messages: [new AIMessage(`pre ${s.messages.length} ${'x'.repeat(400)}`)] }))
            .addNode('sub', sub)
            .addEdge(START, 'pre')
            .addEdge('pre', 'sub')
            .addEdge('sub', END)
            .compile({ checkpointer: saver });
          const thread = { configurable: { thread_id: 'g' }, durability };
          for (let i = 0; i < 4; i++) {
            await graph.invoke({ messages: [new HumanMessage(`turn ${i} ${'w'.repeat(300)}`)] }, thread);
            await graph.invoke(new Command({ resume: `answer ${i}` }), thread);
          }
          return ((await graph.getState(thread)).values.messages as BaseMessage[]).map((m) => m.content);
        };
        const want = await run(new MemorySaver());
        const a = new RedisCheckpointSaver(redis.client, { keepLatest, minChunkedChars: 200 });
        expect(await run(a)).toEqual(want);
        await redis.client.flushAll();
        const b = new RedisCheckpointSaver(redis.client, { keepLatest, minChunkedChars: 200, cacheMegabytes: 0 });
        expect(await run(b)).toEqual(want);
      });
});
