import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { REDIS_BACKENDS, type RunningBackend } from './support/redis-backends';
import { createTestApp } from './support/test-app';

const MEMORY = { name: 'the in-memory default', start: async (): Promise<RunningBackend | undefined> => undefined };
const BACKENDS = [MEMORY, ...REDIS_BACKENDS];

describe.each(BACKENDS)('conversations API with $name', (backend) => {
  let redis: RunningBackend | undefined;
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const ask = async (user: string, question: string, threadId?: string) =>
    (await http().post('/api/chat').send({ user_id: user, question, ...(threadId ? { thread_id: threadId } : {}) }).expect(200)).body;

  beforeAll(async () => {
    redis = await backend.start();
    app = await createTestApp(redis?.env ?? { REDIS_URL: undefined });
    // alice: 5 threads (alice:t0 … alice:t4, alice:t0 has 2 turns); bob: 2 threads.
    for (let i = 0; i < 5; i++) await ask('alice', `alice question ${i}`, `alice:t${i}`);
    await ask('alice', 'What is 6 * 7?', 'alice:t0');
    await ask('bob', '你好', 'bob:b0');
    await ask('bob', 'bob two', 'bob:b1');
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('lists a user\'s conversations newest first, page by page, with no duplicates or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { body: any } = await http()
        .get('/api/users/alice/conversations')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .expect(200);
      expect(res.body).toMatchObject({ success: true, data: { user_id: 'alice' } });
      expect(res.body.data.conversations.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.conversations.map((c: { thread_id: string }) => c.thread_id));
      cursor = res.body.data.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(['alice:t0', 'alice:t4', 'alice:t3', 'alice:t2', 'alice:t1']);
  });

  it('summarises each conversation', async () => {
    const res = await http().get('/api/users/alice/conversations').expect(200);
    const [first] = res.body.data.conversations;
    expect(first).toEqual({
      thread_id: 'alice:t0',
      conversation_id: 'alice:t0',
      user_id: 'alice',
      created_at: expect.any(String),
      updated_at: expect.any(String),
      message_count: 6,
      title: 'alice question 0',
      last_question: 'What is 6 * 7?',
      last_answer: '6 * 7 = 42',
    });
    expect(first.updated_at > first.created_at).toBe(true);
    const bob = await http().get('/api/users/bob/conversations').expect(200);
    expect(bob.body.data.conversations.map((c: { title: string }) => c.title)).toEqual(['bob two', '你好']);
  });

  it('shows the messages of one conversation, with or without tool traffic', async () => {
    const full = await http().get('/api/users/alice/conversations/alice:t0').expect(200);
    expect(full.body.data).toMatchObject({ thread_id: 'alice:t0', user_id: 'alice', message_count: 6 });
    const types = full.body.data.messages.map((m: { type: string }) => m.type);
    expect(types).toEqual(['human', 'ai', 'human', 'ai', 'tool', 'ai']);
    expect(full.body.data.messages[3].tool_calls).toEqual([
      expect.objectContaining({ name: 'calculator', args: { expression: '6 * 7' } }),
    ]);
    expect(full.body.data.messages[4]).toMatchObject({ type: 'tool', name: 'calculator', content: '42' });
    for (const m of full.body.data.messages) expect(new Date(m.created_at).toISOString()).toBe(m.created_at);

    const chat = await http().get('/api/users/alice/conversations/alice:t0').query({ include_tools: false }).expect(200);
    expect(chat.body.data.messages.map((m: { content: string }) => m.content)).toEqual([
      'alice question 0',
      expect.stringContaining('No language model'),
      'What is 6 * 7?',
      '6 * 7 = 42',
    ]);
  });

  it('answers 404 for a thread of another user, exactly as for one that does not exist', async () => {
    const missing = await http().get('/api/users/bob/conversations/bob:nope').expect(404);
    for (const thread of ['alice:t0', 'alice:t1']) {
      const other = await http().get(`/api/users/bob/conversations/${thread}`).expect(404);
      expect(other.body.error).toEqual(missing.body.error);
      await http().delete(`/api/users/bob/conversations/${thread}`).expect(404);
    }
    await http().get('/api/users/alice/conversations/alice:t1').expect(200);
  });

  it('rejects hostile ids without deleting or leaking anything', async () => {
    const cases: Array<[string, number]> = [
      ['/api/users/alice*/conversations', 400],
      ['/api/users/al%3Fice/conversations', 400],
      ['/api/users/%5Balice%5D/conversations', 400],
      ['/api/users/%7Balice%7D/conversations', 400],
      [`/api/users/${'a'.repeat(65)}/conversations`, 400],
      ['/api/users/alice/conversations?limit=0', 400],
      ['/api/users/alice/conversations?limit=51', 400],
      ['/api/users/alice/conversations?cursor=%25%25', 400],
      ['/api/users/alice/conversations?cursor=bm90LWEtY3Vyc29y', 400], // base64url of "not-a-cursor"
      ['/api/users/alice/conversations/alice:t0?include_tools=maybe', 400],
      ['/api/users/alice/conversations/alice:*', 404],
      ['/api/users/alice/conversations/alice:t%3F', 404],
      ['/api/users/alice/conversations/alice:%5Bt0%5D', 404],
      ['/api/users/alice/conversations/alice:..', 404],
      ['/api/users/alice/conversations/..%2F..%2Fetc', 404],
      ['/api/users/alice/conversations/alice:t0%00', 404],
      ['/api/users/alice/conversations/alice:%7Bt0%7D', 404],
      ['/api/users/alice/conversations/alice', 404],
      [`/api/users/alice/conversations/alice:${'x'.repeat(300)}`, 400],
    ];
    for (const [path, status] of cases) {
      const res = await http().get(path);
      expect({ path, status: res.status }).toEqual({ path, status });
      expect(res.body.success).toBe(false);
      if (path.includes('/conversations/')) {
        const del = await http().delete(path.split('?')[0]);
        expect({ path, status: del.status }).toEqual({ path, status: path.includes('include_tools') ? 204 : status });
        if (del.status === 204) await ask('alice', 'alice question 0', 'alice:t0');
      }
    }
    const list = await http().get('/api/users/alice/conversations?limit=50').expect(200);
    expect(list.body.data.conversations).toHaveLength(5);
  });

  it('deletes one conversation entirely and leaves threads that share its prefix alone', async () => {
    await ask('carol', 'one', 'carol:1');
    await ask('carol', 'ten', 'carol:10');
    await ask('carol', 'one-x', 'carol:1-x');
    await http().delete('/api/users/carol/conversations/carol:1').expect(204);
    await http().get('/api/users/carol/conversations/carol:1').expect(404);
    await http().delete('/api/users/carol/conversations/carol:1').expect(404);
    const list = await http().get('/api/users/carol/conversations').expect(200);
    expect(list.body.data.conversations.map((c: { thread_id: string }) => c.thread_id).sort()).toEqual(['carol:1-x', 'carol:10']);
    for (const id of ['carol:10', 'carol:1-x']) {
      const res = await http().get(`/api/users/carol/conversations/${id}`).expect(200);
      expect(res.body.data.message_count).toBe(2);
    }
    if (redis) {
      const reader = await redis.openReader();
      try {
        expect(await reader.saver.getTuple({ configurable: { thread_id: 'carol:1' } })).toBeUndefined();
        expect(await reader.saver.getTuple({ configurable: { thread_id: 'carol:10' } })).toBeDefined();
        const left: string[] = [];
        for await (const t of reader.saver.list({ configurable: { thread_id: 'carol:1' } })) left.push(t.config.configurable?.checkpoint_id);
        expect(left).toEqual([]);
      } finally {
        await reader.close();
      }
    }
    // A new turn on the deleted id starts a fresh conversation.
    const again = await ask('carol', 'back again', 'carol:1');
    expect(again.data.message_count).toBe(2);
  });
});

describe.each(REDIS_BACKENDS)('an expired conversation with $name', (backend) => {
  let redis: RunningBackend;
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    redis = await backend.start();
    app = await createTestApp(redis.env);
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('answers 404 once its checkpoints expired, and drops its lingering list entry', async () => {
    await http().post('/api/chat').send({ user_id: 'carl', question: 'soon gone', thread_id: 'carl:expired' }).expect(200);
    const reader = await redis.openReader();
    try {
      await reader.saver.deleteThread('carl:expired'); // what CHECKPOINT_TTL_MINUTES does to the thread's keys
    } finally {
      await reader.close();
    }
    await http().get('/api/users/carl/conversations/carl:expired').expect(404);
    await http().delete('/api/users/carl/conversations/carl:expired').expect(404);
    const list = await http().get('/api/users/carl/conversations').expect(200);
    expect(list.body.data.conversations).toEqual([]);
  });
});
