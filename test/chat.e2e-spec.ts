import type { NestExpressApplication } from '@nestjs/platform-express';
import type { BaseMessage } from '@langchain/core/messages';
import request from 'supertest';
import { REDIS_BACKENDS, type RunningBackend } from './support/redis-backends';
import { createTestApp } from './support/test-app';

const WORLD_CUP = '请问下一届足球世界杯在哪里举行?';

/** The original service's own success case: two consecutive turns for user polo. */
async function poloConversation(app: NestExpressApplication) {
  const first = await request(app.getHttpServer())
    .post('/api/chat')
    .send({ user_id: 'polo', question: '你好' })
    .expect(200);
  const threadId: string = first.body.thread_id;
  expect(threadId).toMatch(/^polo:\d{20}$/);
  const second = await request(app.getHttpServer())
    .post('/api/chat')
    .send({ user_id: 'polo', question: WORLD_CUP, thread_id: threadId })
    .expect(200);
  return { first: first.body, second: second.body, threadId };
}

function expectSecondTurnSawFirst(first: any, second: any) {
  expect(second.data.thread_id).toBe(first.data.thread_id);
  expect(second.data.message_count).toBeGreaterThan(first.data.message_count);
  expect(second.data.response).toContain('question 2');
  expect(second.data.response).toContain('你好');
}

/**
 * 120 new conversations of one user started in one millisecond (the clock is frozen: only Date is
 * faked), as a burst from a backend: generated ids then share 1,000 suffixes.
 */
async function burstOfNewConversations(app: NestExpressApplication, userId: string) {
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  jest.useFakeTimers({ now: new Date('2026-11-24T14:15:30.123Z'), doNotFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask', 'hrtime', 'performance'] });
  try {
    const answers = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: userId, question: `question ${i}` }) }).then(
          async (r) => ({ status: r.status, body: (await r.json()) as { data: { thread_id: string; message_count: number } } }),
        ),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(120).fill(200));
    expect(new Set(answers.map((a) => a.body.data.thread_id)).size).toBe(120);
    expect(answers.map((a) => a.body.data.message_count)).toEqual(Array(120).fill(2));
  } finally {
    jest.useRealTimers();
  }
}

describe('POST /api/chat with the embedded default (no configuration)', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createTestApp({ REDIS_URL: undefined, CHECKPOINT_BACKEND: undefined, LLM_PROVIDER: undefined });
  });
  afterAll(() => app.close());

  it('answers the polo conversation and remembers the first turn', async () => {
    const { first, second } = await poloConversation(app);
    expect(first).toMatchObject({
      success: true,
      data: {
        user_id: 'polo',
        conversation_id: first.thread_id,
        message_count: 2,
        tool_calls: [],
        model: 'offline',
      },
    });
    expect(new Date(first.timestamp).toISOString()).toBe(first.timestamp);
    expect(first.data.response).toMatch(/No language model is configured/);
    expect(first.data.usage).toBeUndefined();
    expectSecondTurnSawFirst(first, second);
  });

  it('runs the ReAct loop through the calculator and the clock', async () => {
    const math = await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'ann', question: 'What is (3 + 4) * 12 / 7?' })
      .expect(200);
    expect(math.body.data.tool_calls).toEqual([
      { name: 'calculator', args: { expression: '(3 + 4) * 12 / 7' }, result: '12' },
    ]);
    expect(math.body.data.response).toBe('(3 + 4) * 12 / 7 = 12');
    expect(math.body.data.message_count).toBe(4);

    const time = await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'ann', question: 'What time is it in Asia/Shanghai?', thread_id: math.body.thread_id })
      .expect(200);
    expect(time.body.data.tool_calls).toHaveLength(1);
    expect(time.body.data.tool_calls[0]).toMatchObject({ name: 'current_time', args: { timezone: 'Asia/Shanghai' } });
    expect(time.body.data.tool_calls[0].result).toContain('Asia/Shanghai');
    expect(time.body.data.message_count).toBe(8);
  });

  it('accepts conversation_id as an alias and lets thread_id win', async () => {
    const first = await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'bo', question: 'one' })
      .expect(200);
    const viaAlias = await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'bo', question: 'two', conversation_id: first.body.thread_id })
      .expect(200);
    expect(viaAlias.body.thread_id).toBe(first.body.thread_id);
    expect(viaAlias.body.data.message_count).toBe(4);
    const both = await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'bo', question: 'three', thread_id: 'bo:other', conversation_id: first.body.thread_id })
      .expect(200);
    expect(both.body.thread_id).toBe('bo:other');
    expect(both.body.data.message_count).toBe(2);
  });

  it('gives each new conversation its own thread, even 120 started in one millisecond', async () => {
    await burstOfNewConversations(app, 'burst');
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const echoed = await request(app.getHttpServer())
      .post('/api/chat')
      .set('X-Request-Id', 'req-123.abc')
      .send({ user_id: 'polo', question: 'hi' })
      .expect(200);
    expect(echoed.headers['x-request-id']).toBe('req-123.abc');
    const replaced = await request(app.getHttpServer())
      .post('/api/chat')
      .set('X-Request-Id', 'bad id with spaces <script>')
      .send({ user_id: 'polo', question: 'hi' })
      .expect(200);
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe.each(REDIS_BACKENDS)('POST /api/chat with checkpoints in $name', (backend) => {
  let redis: RunningBackend;

  beforeAll(async () => {
    redis = await backend.start();
  });
  afterAll(() => redis?.stop());

  it.each(['exit', 'async', 'sync'] as const)(
    'has stored the turn before the 200 is sent (CHECKPOINT_DURABILITY=%s)',
    async (durability) => {
      const app = await createTestApp({ ...redis.env, CHECKPOINT_DURABILITY: durability });
      try {
        const { first, second, threadId } = await poloConversation(app);
        expectSecondTurnSawFirst(first, second);

        // A fresh connection, as another instance would use, reads the thread at once.
        const reader = await redis.openReader();
        try {
          const tuple = await reader.saver.getTuple({ configurable: { thread_id: threadId } });
          const messages = (tuple?.checkpoint.channel_values.messages ?? []) as BaseMessage[];
          expect(messages).toHaveLength(second.data.message_count);
          const questions = messages.filter((m) => m.getType() === 'human').map((m) => m.content);
          expect(questions).toEqual(['你好', WORLD_CUP]);
          expect(messages.at(-1)?.content).toBe(second.data.response);
        } finally {
          await reader.close();
        }
      } finally {
        await app.close();
      }
    },
  );

  it('gives each new conversation its own thread, even 120 started in one millisecond', async () => {
    const app = await createTestApp(redis.env);
    try {
      await burstOfNewConversations(app, 'burst');
    } finally {
      await app.close();
    }
  });

  it('reports Redis and its checkpoint backend healthy', async () => {
    const app = await createTestApp(redis.env);
    try {
      const res = await request(app.getHttpServer()).get('/health').expect(200);
      const backend = redis.env.CHECKPOINT_BACKEND === 'redis-stack' ? 'redis-stack' : 'redis';
      expect(res.body.info).toMatchObject({ redis: { status: 'up' }, checkpointer: { backend, embedded: false } });
    } finally {
      await app.close();
    }
  });

  it('keeps the thread history across an app restart', async () => {
    const before = await createTestApp(redis.env);
    const { second, threadId } = await poloConversation(before);
    await before.close();

    const after = await createTestApp(redis.env);
    try {
      const third = await request(after.getHttpServer())
        .post('/api/chat')
        .send({ user_id: 'polo', question: 'still there?', thread_id: threadId })
        .expect(200);
      expect(third.body.data.message_count).toBe(second.data.message_count + 2);
      expect(third.body.data.response).toContain('question 3');
      expect(third.body.data.response).toContain(WORLD_CUP);
    } finally {
      await after.close();
    }
  });
});
