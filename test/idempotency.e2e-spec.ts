import type { NestExpressApplication } from '@nestjs/platform-express';
import { createClient } from 'redis';
import request from 'supertest';
import { completion, FakeOpenAIServer } from './support/fake-openai.server';
import { OpenAIDeployment } from './support/openai-deployment';
import { RedisTestServer } from './support/redis-server';
import { createTestApp } from './support/test-app';

describe('Idempotency-Key on POST /api/chat, two instances on one Redis', () => {
  let deployment: OpenAIDeployment;
  let one: NestExpressApplication;
  let two: NestExpressApplication;
  const llm = () => deployment.llm;
  const post = (app: NestExpressApplication, key: string, body: object) =>
    request(app.getHttpServer()).post('/api/chat').set('Idempotency-Key', key).send(body);

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(2, { THREAD_LEASE_TTL_MS: '1000' });
    [one, two] = deployment.apps;
  });
  afterAll(() => deployment?.stop());

  it('returns the stored response to a repeat, without calling the model again', async () => {
    llm().enqueue({ body: completion('only once') });
    const body = { user_id: 'polo', question: 'hello' };
    const first = await post(one, 'key-1', body).expect(200);
    const calls = llm().requests.length;
    const again = await post(two, 'key-1', { question: 'hello', user_id: 'polo' }).expect(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(llm().requests.length).toBe(calls);
  });

  it('refuses the same key with a different body (422)', async () => {
    llm().enqueue({ body: completion('a') });
    await post(one, 'key-2', { user_id: 'polo', question: 'first' }).expect(200);
    const res = await post(two, 'key-2', { user_id: 'polo', question: 'second' }).expect(422);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('makes a repeat that arrives while the first runs wait for it: one model call', async () => {
    llm().enqueue({ delayMs: 400, body: completion('slow but once') });
    const calls = llm().requests.length;
    const body = { user_id: 'polo', question: 'double click' };
    const [a, b] = await Promise.all([post(one, 'key-3', body), post(two, 'key-3', body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body).toEqual(a.body);
    expect(llm().requests.length).toBe(calls + 1);
  });

  it('lets a failed request run again on retry', async () => {
    llm().enqueue({ status: 500, body: { error: { message: 'flaky' } } }, { body: completion('second time lucky') });
    const body = { user_id: 'polo', question: 'retry me' };
    await post(one, 'key-4', body).expect(502);
    const ok = await post(two, 'key-4', body).expect(200);
    expect(ok.body.data.response).toBe('second time lucky');
    // Named no thread: every attempt with this key goes to the same new thread, so an attempt
    // stored after its client heard an error is found by the retry (not left as a twin thread).
    expect(ok.body.data.thread_id).toMatch(/^polo:k[0-9a-f]{40}$/);
  });

  it('holds a running claim one lease TTL at a time, so a crashed instance blocks its key briefly, not for a day', async () => {
    const redis = createClient({ url: deployment.redis!.url });
    await redis.connect();
    try {
      const ttlsOfClaims = async () => Promise.all((await redis.keys('*:idem:*')).map((k) => redis.pTTL(k)));
      llm().enqueue({ delayMs: 1600, body: completion('slow') });
      const turn = post(one, 'key-5', { user_id: 'polo', question: 'long turn' }).then((r) => r);
      await new Promise((r) => setTimeout(r, 1300)); // past the first TTL: renewed, not expired
      const running = (await ttlsOfClaims()).filter((ttl) => ttl <= 1000); // the others are finished: ~24 h
      expect(running).toHaveLength(1);
      expect(running[0]).toBeGreaterThan(0);
      expect((await turn).status).toBe(200);
      expect(Math.max(...(await ttlsOfClaims()))).toBeGreaterThan(23 * 3_600_000);
    } finally {
      await redis.quit();
    }
  });

  it('leaves a request that is not a JSON object to validation (400, not 500)', async () => {
    const noBody = await request(one.getHttpServer()).post('/api/chat').set('Idempotency-Key', 'key-6').expect(400);
    expect(noBody.body.error.code).toBe('VALIDATION_FAILED');
    await post(one, 'key-7', [1] as unknown as object).expect(400);
  });

  it('rejects an unusable key', async () => {
    const res = await post(one, 'has spaces', { user_id: 'polo', question: 'x' }).expect(400);
    expect(res.body.error.details[0].field).toBe('Idempotency-Key');
  });
});

describe.each(['exit', 'async'])('Idempotency-Key when Redis hangs mid-turn (durability %s)', (durability) => {
  let deployment: OpenAIDeployment;
  let app: NestExpressApplication;
  let llm: FakeOpenAIServer;
  let redis: RedisTestServer;

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(1, { REDIS_COMMAND_TIMEOUT_MS: '500', CHECKPOINT_DURABILITY: durability });
    [app] = deployment.apps;
    ({ llm } = deployment);
    redis = deployment.redis!;
  });
  afterAll(() => deployment?.stop());

  it('answers the retry of a turn that was stored after its client heard 503, without running it again', async () => {
    const server = app.getHttpServer();
    const thread = 'polo:hung';
    const ask = (question: string) => request(server).post('/api/chat').set('Idempotency-Key', `key-${question}`).send({ user_id: 'polo', question, thread_id: thread });
    const stored = async () =>
      ((await request(server).get(`/api/users/polo/conversations/${thread}`).expect(200)).body.data.messages as Array<{ content: string }>).map((m) => m.content);
    llm.enqueue({ body: completion('a1') }, { delayMs: 1200, body: completion('a2') }, { body: completion('a2 again') });
    await ask('q1').expect(200);
    const pending = ask('q2').then((r) => r);
    await new Promise((r) => setTimeout(r, 600));
    redis.pause(); // the turn's writes wait in the socket: they run when Redis wakes up
    let first;
    try {
      first = await pending;
    } finally {
      redis.resume();
    }
    expect(first.status).toBe(503);
    expect(await stored()).toEqual(['q1', 'a1', 'q2', 'a2']); // stored after all
    const calls = llm.requests.length;

    const retry = await ask('q2').expect(200);
    expect(retry.body.data.response).toBe('a2');
    expect(llm.requests.length).toBe(calls);
    expect(await stored()).toEqual(['q1', 'a1', 'q2', 'a2']);
  });
});

describe('Idempotency-Key retries against what earlier attempts stored', () => {
  let deployment: OpenAIDeployment;
  let app: NestExpressApplication;
  let keepFailed: NestExpressApplication;
  let llm: FakeOpenAIServer;
  let redis: RedisTestServer;
  /** As if IDEMPOTENCY_TTL_HOURS had passed, or the attempt had failed and released its key. */
  const forgetKeys = async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    for (const key of await client.keys('*:idem:*')) await client.del(key);
    await client.quit();
  };
  const post = (target: NestExpressApplication, key: string, body: object) => request(target.getHttpServer()).post('/api/chat').set('Idempotency-Key', key).send(body);
  const stored = async (thread: string) =>
    ((await request(app.getHttpServer()).get(`/api/users/polo/conversations/${thread}`).expect(200)).body.data.messages as Array<{ content: string }>).map(
      (m) => m.content,
    );

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(1);
    [app] = deployment.apps;
    ({ llm } = deployment);
    redis = deployment.redis!;
    keepFailed = await createTestApp({ REDIS_URL: redis.url, LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl, LLM_MAX_RETRIES: '0', AGENT_KEEP_FAILED_TURNS: 'true' });
  });
  afterAll(async () => {
    await keepFailed?.close();
    await deployment?.stop();
  });
  beforeEach(() => llm.reset());

  it('runs a key reused with another question, on a named thread or a derived one', async () => {
    llm.enqueue({ body: completion('a1') }, { body: completion('a2') }, { body: completion('b1') }, { body: completion('b2') });
    await post(app, 'k1', { user_id: 'polo', question: 'first', thread_id: 'polo:reuse' }).expect(200);
    await forgetKeys();
    expect((await post(app, 'k1', { user_id: 'polo', question: 'another', thread_id: 'polo:reuse' }).expect(200)).body.data.response).toBe('a2');
    const x = await post(app, 'k2', { user_id: 'polo', question: 'x' }).expect(200);
    await forgetKeys();
    const y = await post(app, 'k2', { user_id: 'polo', question: 'y' }).expect(200);
    expect(y.body.data.response).toBe('b2');
    expect(y.body.data.thread_id).not.toBe(x.body.data.thread_id);
  });

  it('runs again, without asking twice, a kept failed turn (AGENT_KEEP_FAILED_TURNS=true)', async () => {
    llm.enqueue({ status: 500, body: { error: { message: 'down' } } }, { body: completion('second try') });
    const body = { user_id: 'polo', question: 'retry me', thread_id: 'polo:kept-failed' };
    await post(keepFailed, 'k3', body).expect(502);
    expect((await post(keepFailed, 'k3', body).expect(200)).body.data.response).toBe('second try');
    expect(await stored('polo:kept-failed')).toEqual(['retry me', 'second try']);
  });

  it('asks again, as a new turn, a question that is no longer the thread\'s last', async () => {
    llm.enqueue({ body: completion('d1') }, { body: completion('d2') }, { body: completion('d1 again') });
    await post(app, 'k4', { user_id: 'polo', question: 'q1', thread_id: 'polo:older' }).expect(200);
    await post(app, 'k5', { user_id: 'polo', question: 'q2', thread_id: 'polo:older' }).expect(200);
    await forgetKeys();
    const again = await post(app, 'k4', { user_id: 'polo', question: 'q1', thread_id: 'polo:older' }).expect(200);
    expect(again.body.data.response).toBe('d1 again');
    expect(await stored('polo:older')).toEqual(['q1', 'd1', 'q2', 'd2', 'q1', 'd1 again']);
    const list = await request(app.getHttpServer()).get('/api/users/polo/conversations').expect(200);
    expect(list.body.data.conversations.find((c: { thread_id: string }) => c.thread_id === 'polo:older')).toMatchObject({ last_question: 'q1', message_count: 6 });
  });
});

describe('Idempotency-Key: a retry after a 503 whose claim Redis ran late', () => {
  let deployment: OpenAIDeployment;
  let app: NestExpressApplication;

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(1, {
      REDIS_COMMAND_TIMEOUT_MS: '500',
      THREAD_LEASE_TTL_MS: '10000',
      THREAD_BUSY_WAIT_MS: '2000',
    });
    [app] = deployment.apps;
  });
  afterAll(() => deployment?.stop());

  it('answers the retry (200), not 409 IDEMPOTENCY_IN_PROGRESS held by a claim nobody runs', async () => {
    const post = () =>
      request(app.getHttpServer()).post('/api/chat').set('Idempotency-Key', 'hung-claim').send({ user_id: 'polo', question: 'hello' });
    deployment.llm.enqueue({ body: completion('hi there') });
    deployment.redis!.pause(); // the claim's SET waits in the socket and runs when Redis wakes up
    let first;
    try {
      first = await post();
    } finally {
      deployment.redis!.resume();
    }
    expect(first.status).toBe(503);
    expect(first.body.error.code).toBe('REDIS_UNAVAILABLE');
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const retry = await post();
    const took = Date.now() - started;
    expect({ status: retry.status, code: retry.body.error?.code, took: took < 1500 }).toEqual({ status: 200, code: undefined, took: true });
    expect(retry.body.data.response).toBe('hi there');
  });
});
