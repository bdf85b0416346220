import type { NestExpressApplication } from '@nestjs/platform-express';
import type { BaseMessage } from '@langchain/core/messages';
import { createClient } from 'redis';
import request from 'supertest';
import { RedisCheckpointSaver } from '../src/checkpoint/redis.saver';
import { completion, FakeOpenAIServer } from './support/fake-openai.server';
import { OpenAIDeployment } from './support/openai-deployment';
import { RedisTestServer } from './support/redis-server';
import { createTestApp } from './support/test-app';

/** What a Redis failover without persistence, or a stall past the TTL, does to a thread's lease. */
async function dropLease(url: string, threadId: string) {
  const client = createClient({ url });
  await client.connect();
  await client.del(`lgcp:{${threadId}}:lease`);
  await client.quit();
}

/** Every question once, and each checkpoint the child of the one before: no fork, no loss. */
async function expectLinearHistory(url: string, threadId: string, questions: string[]) {
  const client = createClient({ url });
  await client.connect();
  try {
    const saver = new RedisCheckpointSaver(client as never);
    const latest = await saver.getTuple({ configurable: { thread_id: threadId } });
    const asked = ((latest?.checkpoint.channel_values.messages ?? []) as BaseMessage[])
      .filter((m) => m.getType() === 'human')
      .map((m) => m.content);
    expect([...asked].sort()).toEqual([...questions].sort());
    const history: Array<{ id: string; parent?: string }> = [];
    for await (const t of saver.list({ configurable: { thread_id: threadId } })) {
      history.push({ id: t.config.configurable?.checkpoint_id, parent: t.parentConfig?.configurable?.checkpoint_id });
    }
    history.forEach((c, i) => expect(c.parent).toBe(history[i + 1]?.id));
  } finally {
    await client.quit();
  }
}

describe.each(['exit', 'async'])('a turn that lost its lease while another instance committed a turn (durability %s)', (durability) => {
  let deployment: OpenAIDeployment;
  let apps: NestExpressApplication[];
  let llm: FakeOpenAIServer;
  let redis: RedisTestServer;

  beforeAll(async () => {
    // A long TTL: the lost lease is noticed only at the next renewal (every 2 s), after B's turn.
    deployment = await OpenAIDeployment.start(2, { THREAD_BUSY_POLICY: 'reject', THREAD_LEASE_TTL_MS: '6000', CHECKPOINT_DURABILITY: durability });
    ({ apps, llm } = deployment);
    redis = deployment.redis!;
  });
  afterAll(() => deployment?.stop());

  it('neither overwrites nor rolls back the other turn', async () => {
    const thread = 'polo:taken';
    const [one, two] = apps.map((a) => a.getHttpServer());
    const ask = (app: typeof one, question: string) =>
      request(app).post('/api/chat').send({ user_id: 'polo', question, thread_id: thread });
    llm.reset();
    llm.enqueue({ body: completion('kept answer') });
    await ask(one, 'kept').expect(200);
    llm.enqueue({ delayMs: 3000, body: completion('answer of the turn that lost its lease') }, { body: completion('second answer') });
    const losing = ask(one, 'lost').then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    await dropLease(redis.url, thread);
    await ask(two, 'second').expect(200);

    const lost = await losing;
    expect(lost.status).toBe(503);
    expect(lost.body.error.code).toBe('THREAD_LEASE_LOST');
    const stored = await request(one).get(`/api/users/polo/conversations/${thread}`).expect(200);
    const contents = stored.body.data.messages.map((m: { content: string }) => m.content);
    // B's committed turn is the thread's last; nothing A wrote after losing the lease got in.
    expect(contents.slice(0, 2)).toEqual(['kept', 'kept answer']);
    expect(contents.slice(-2)).toEqual(['second', 'second answer']);
    expect(contents).not.toContain('answer of the turn that lost its lease');
    // With durability async, A had stored its question before losing the lease, and B's turn
    // was built on it; with exit, A had stored nothing.
    expect(contents).toEqual(durability === 'exit' ? ['kept', 'kept answer', 'second', 'second answer'] : ['kept', 'kept answer', 'lost', 'second', 'second answer']);
  });

  it('does not roll back over the other turn when it fails before noticing the loss', async () => {
    const thread = 'polo:failed-unaware';
    const [one, two] = apps.map((a) => a.getHttpServer());
    const ask = (app: typeof one, question: string) => request(app).post('/api/chat').send({ user_id: 'polo', question, thread_id: thread });
    llm.reset();
    llm.enqueue({ body: completion('kept answer') });
    await ask(one, 'kept').expect(200);
    llm.enqueue({ delayMs: 900, status: 500, body: { error: { message: 'down' } } }, { body: completion('second answer') });
    const failing = ask(one, 'failing').then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    await dropLease(redis.url, thread);
    await ask(two, 'second').expect(200);

    expect((await failing).status).toBe(502); // its model failed before the renewal saw the loss
    const stored = await request(one).get(`/api/users/polo/conversations/${thread}`).expect(200);
    const contents = stored.body.data.messages.map((m: { content: string }) => m.content);
    expect(contents.slice(0, 2)).toEqual(['kept', 'kept answer']);
    expect(contents.slice(-2)).toEqual(['second', 'second answer']);
  });
});

describe.each(['reject', 'queue'] as const)('THREAD_BUSY_POLICY=%s with two instances on one Redis', (policy) => {
  const llm = new FakeOpenAIServer();
  let redis: RedisTestServer;
  let apps: NestExpressApplication[];

  beforeAll(async () => {
    await llm.start();
    redis = await RedisTestServer.start('plain');
    const env = {
      REDIS_URL: redis.url,
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: llm.baseUrl,
      THREAD_BUSY_POLICY: policy,
      THREAD_BUSY_WAIT_MS: '20000',
      THREAD_LEASE_TTL_MS: '1500',
    };
    apps = [await createTestApp(env), await createTestApp(env)];
  });
  afterAll(async () => {
    await Promise.all((apps ?? []).map((a) => a.close()));
    await redis?.stop();
    await llm.stop();
  });

  it('runs one turn of a thread at a time, never forking it', async () => {
    const answer = (req: { messages: Array<{ role: string; content: unknown }> }) => ({
      delayMs: 150,
      body: completion(`answer to ${String(req.messages.filter((m) => m.role === 'user').at(-1)?.content)}`),
    });
    for (let i = 0; i < 10; i++) llm.enqueue(answer);
    const questions = Array.from({ length: 10 }, (_, i) => `question ${i}`);
    const responses = await Promise.all(
      questions.map((question, i) =>
        request(apps[i % 2].getHttpServer()).post('/api/chat').send({ user_id: 'polo', question, thread_id: 'polo:busy' }),
      ),
    );
    const ok = responses.filter((r) => r.status === 200);
    const busy = responses.filter((r) => r.status === 409);
    expect(ok.length + busy.length).toBe(10);
    for (const r of busy) expect(r.body.error.code).toBe('THREAD_BUSY');
    if (policy === 'queue') expect(ok).toHaveLength(10);
    else expect(busy.length).toBeGreaterThan(0);
    responses.forEach((r, i) => r.status === 200 && expect(r.body.data.response).toBe(`answer to ${questions[i]}`));
    const okQuestions = responses.map((r, i) => (r.status === 200 ? questions[i] : undefined)).filter((q): q is string => !!q);
    await expectLinearHistory(redis.url, 'polo:busy', okQuestions);
    llm.requests.splice(0);
  });

  it("frees a crashed holder's thread when its lease expires", async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    await client.set('lgcp:{polo:crashed}:lease', 'holder-that-died', { PX: 1500 });
    await client.quit();
    llm.enqueue({ body: completion('after the crash') });
    const started = Date.now();
    const app = apps[0].getHttpServer();
    if (policy === 'reject') {
      await request(app).post('/api/chat').send({ user_id: 'polo', question: 'q', thread_id: 'polo:crashed' }).expect(409);
      await new Promise((r) => setTimeout(r, 1600));
    }
    await request(app).post('/api/chat').send({ user_id: 'polo', question: 'q', thread_id: 'polo:crashed' }).expect(200);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops a turn that lost its lease, before a second turn could fork the thread', async () => {
    const app = apps[0].getHttpServer();
    llm.reset();
    llm.enqueue({ body: completion('kept answer') });
    await request(app).post('/api/chat').send({ user_id: 'polo', question: 'kept', thread_id: 'polo:lost' }).expect(200);
    llm.enqueue({ delayMs: 4000, body: completion('answer of the turn that lost its lease') });
    const losing = request(app).post('/api/chat').send({ user_id: 'polo', question: 'lost', thread_id: 'polo:lost' }).then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    await dropLease(redis.url, 'polo:lost');

    const res = await losing;
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('THREAD_LEASE_LOST');
    llm.enqueue({ body: completion('second answer') });
    await request(apps[1].getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'second', thread_id: 'polo:lost' }).expect(200);
    const stored = await request(app).get('/api/users/polo/conversations/polo:lost').expect(200);
    expect(stored.body.data.messages.map((m: { content: string }) => m.content)).toEqual(['kept', 'kept answer', 'second', 'second answer']);
    llm.reset();
  });
});
