import type { NestExpressApplication } from '@nestjs/platform-express';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import request from 'supertest';
import { CHECKPOINTER } from '../src/checkpoint/checkpoint.constants';
import { CONVERSATION_INDEX, type ConversationIndex } from '../src/conversations/index/conversation-index';
import { RedisUnavailableError } from '../src/redis/redis-errors';
import { completion, FakeOpenAIServer } from './support/fake-openai.server';
import { OpenAIDeployment } from './support/openai-deployment';
import { hangUpAfter } from './support/hang-up';
import { createTestApp } from './support/test-app';

describe.each([
  { keep: false, name: 'by default' },
  { keep: true, name: 'with AGENT_KEEP_FAILED_TURNS=true' },
])('a failed turn $name', ({ keep }) => {
  let deployment: OpenAIDeployment;
  let app: NestExpressApplication;
  const llm = () => deployment.llm;
  const ask = (question: string, thread: string) =>
    request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question, thread_id: thread });
  const stored = async (thread: string) => {
    const res = await request(app.getHttpServer()).get(`/api/users/polo/conversations/${thread}`);
    return res.status === 404 ? undefined : (res.body.data.messages as Array<{ type: string; content: string }>).map((m) => `${m.type}:${m.content}`);
  };

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(1, { AGENT_KEEP_FAILED_TURNS: String(keep) });
    [app] = deployment.apps;
  });
  afterAll(() => deployment?.stop());

  it(keep ? 'keeps what the turn stored' : 'leaves the thread exactly as before the turn', async () => {
    llm().enqueue(
      { body: completion('first answer') },
      { body: completion(null, [{ id: 'c1', name: 'calculator', args: { expression: '1+1' } }]) },
      { status: 500, body: { error: { message: 'down' } } },
      { body: completion('third answer') },
    );
    await ask('first', 'polo:f').expect(200);
    await ask('second', 'polo:f').expect(502);
    const after = await stored('polo:f');
    if (keep) expect(after).toEqual(['human:first', 'ai:first answer', 'human:second', 'ai:', 'tool:2']);
    else expect(after).toEqual(['human:first', 'ai:first answer']);
    await ask('third', 'polo:f').expect(200);
    expect((await stored('polo:f'))?.slice(-2)).toEqual(['human:third', 'ai:third answer']);
  });

  it(keep ? 'keeps a new thread whose first turn failed' : 'leaves no trace of a new thread whose first turn failed', async () => {
    llm().enqueue({ status: 500, body: { error: { message: 'down' } } });
    await ask('hello', 'polo:new').expect(502);
    if (keep) expect(await stored('polo:new')).toEqual(['human:hello']);
    else expect(await stored('polo:new')).toBeUndefined();
  });
});

describe.each([
  { keep: false, name: 'by default' },
  { keep: true, name: 'with AGENT_KEEP_FAILED_TURNS=true' },
])('a turn cut off during its tool call, $name', ({ keep }) => {
  let deployment: OpenAIDeployment;
  let app: NestExpressApplication;
  const ask = (question: string) => request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question, thread_id: 'polo:cut' });

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(1, {
      AGENT_KEEP_FAILED_TURNS: String(keep),
      AGENT_TURN_TIMEOUT_MS: '1500',
      MCP_SERVERS: JSON.stringify({ mcpServers: { math: { command: process.execPath, args: ['test/support/mcp-test.server.mjs'] } } }),
    });
    [app] = deployment.apps;
  });
  afterAll(() => deployment?.stop());

  it('leaves a conversation that a strict provider (OpenAI) still accepts', async () => {
    deployment.llm.enqueue(
      { body: completion('first answer') },
      { body: completion(null, [{ id: 'call_sleep', name: 'math__sleep', args: { ms: 10_000 } }]) },
      { body: completion('third answer') },
    );
    await ask('first').expect(200);
    expect((await ask('second').expect(504)).body.error.code).toBe('TURN_TIMEOUT');
    const third = await ask('third');
    expect(third.body.data?.response ?? third.body).toBe('third answer');
    const sent = deployment.llm.requests.at(-1)!.messages.map((m) => `${m.role}:${m.tool_call_id ?? m.content}`);
    expect(sent.slice(1)).toEqual([
      'user:first',
      'assistant:first answer',
      // Kept, the cut-off call reaches the model answered by an error result, not bare.
      ...(keep ? ['user:second', 'assistant:', 'tool:call_sleep'] : []),
      'user:third',
    ]);
  });
});

describe.each(['exit', 'async', 'sync'])('a failed turn with CHECKPOINT_KEEP_LATEST=1 and durability %s', (durability) => {
  let deployment: OpenAIDeployment;
  let app: NestExpressApplication;
  const ask = (question: string) => request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question, thread_id: 'polo:kept' });

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(1, { CHECKPOINT_KEEP_LATEST: '1', CHECKPOINT_DURABILITY: durability });
    [app] = deployment.apps;
  });
  afterAll(() => deployment?.stop());

  it('is rolled back although its own checkpoints pruned the one it started from', async () => {
    const call = (id: string) => ({ body: completion(null, [{ id, name: 'calculator', args: { expression: '1+1' } }]) });
    deployment.llm.enqueue(
      { body: completion('first answer') },
      call('c1'),
      call('c2'),
      { status: 500, body: { error: { message: 'down' } } },
      { body: completion('third answer') },
    );
    await ask('first').expect(200);
    await ask('second').expect(502);
    const res = await request(app.getHttpServer()).get('/api/users/polo/conversations/polo:kept').expect(200);
    expect(res.body.data.messages.map((m: { type: string; content: string }) => `${m.type}:${m.content}`)).toEqual([
      'human:first',
      'ai:first answer',
    ]);
    await ask('third').expect(200);
  });
});

describe('a turn that fails around the model call', () => {
  let deployment: OpenAIDeployment;
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());
  const ask = (question: string, thread: string, headers: Record<string, string> = {}) =>
    http().post('/api/chat').set(headers).send({ user_id: 'polo', question, thread_id: thread });
  const stored = async (thread: string) =>
    ((await http().get(`/api/users/polo/conversations/${thread}`).expect(200)).body.data.messages as Array<{ type: string; content: string }>).map(
      (m) => `${m.type}:${m.content}`,
    );
  const unavailable = () => new RedisUnavailableError(new Error('connection lost'));

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(1, { THREAD_BUSY_POLICY: 'queue', THREAD_BUSY_WAIT_MS: '5000' });
    [app] = deployment.apps;
  });
  afterAll(() => deployment?.stop());
  afterEach(() => jest.restoreAllMocks());

  it('is rolled back when indexing fails after the checkpoint, so a retry stores it once', async () => {
    deployment.llm.enqueue({ body: completion('a1') }, { body: completion('a2') }, { body: completion('a2 again') });
    await ask('q1', 'polo:idx').expect(200);
    jest.spyOn(app.get<ConversationIndex>(CONVERSATION_INDEX), 'record').mockRejectedValueOnce(unavailable());
    const failed = await ask('q2', 'polo:idx', { 'Idempotency-Key': 'idx-retry' }).expect(503);
    expect(failed.body.error.code).toBe('REDIS_UNAVAILABLE');
    expect(await stored('polo:idx')).toEqual(['human:q1', 'ai:a1']);
    await ask('q2', 'polo:idx', { 'Idempotency-Key': 'idx-retry' }).expect(200);
    expect(await stored('polo:idx')).toEqual(['human:q1', 'ai:a1', 'human:q2', 'ai:a2 again']);
  });

  it('leaves no running turn behind when its first read fails', async () => {
    deployment.llm.enqueue({ body: completion('a1') });
    await ask('q1', 'polo:read').expect(200);
    jest.spyOn(app.get<BaseCheckpointSaver>(CHECKPOINTER), 'getTuple').mockRejectedValueOnce(unavailable());
    await ask('q2', 'polo:read').expect(503);
    const status = await http().get('/api/users/polo/conversations/polo:read/status').expect(200);
    expect(status.body.data).toEqual({ state: 'idle' });
  });

  it('does not run a streamed turn whose client left while it waited for the thread', async () => {
    deployment.llm.reset();
    deployment.llm.enqueue({ body: completion('slow answer'), delayMs: 800 }, { body: completion('never asked') });
    const first = ask('first', 'polo:left');
    const firstDone = first.then((res) => res.status);
    await new Promise((r) => setTimeout(r, 200));
    await hangUpAfter(http().post('/api/chat/stream').send({ user_id: 'polo', question: 'abandoned', thread_id: 'polo:left' }), 200);
    expect(await firstDone).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await stored('polo:left')).toEqual(['human:first', 'ai:slow answer']);
    expect(deployment.llm.requests).toHaveLength(1);
  });
});

describe('a turn that was queued for its thread when shutdown ended the turns in flight', () => {
  const llm = new FakeOpenAIServer();
  let app: NestExpressApplication;

  beforeAll(async () => {
    await llm.start();
    app = await createTestApp({
      REDIS_URL: undefined,
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: llm.baseUrl,
      LLM_MAX_RETRIES: '0',
      SHUTDOWN_GRACE_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '400',
      THREAD_BUSY_POLICY: 'queue',
    });
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => llm.stop());

  it('does not start (503 SHUTTING_DOWN) and is not stored', async () => {
    llm.enqueue({ delayMs: 3000, body: completion('first') }, { delayMs: 2500, body: completion('second') });
    const url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/api/chat`;
    const checkpointer = app.get<BaseCheckpointSaver>(CHECKPOINTER);
    const ask = (question: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: 'polo', question, thread_id: 'polo:t1' }) }).then(
        async (res) => ({ status: res.status, body: (await res.json()) as { error?: { code: string } } }),
        (err: Error) => ({ status: -1, body: { error: { code: err.message } } }),
      );
    const first = ask('one');
    await new Promise((r) => setTimeout(r, 150));
    const queued = ask('two');
    await new Promise((r) => setTimeout(r, 100));
    const closing = app.close();
    expect(await first).toMatchObject({ status: 503, body: { error: { code: 'SHUTTING_DOWN' } } });
    expect(await queued).toMatchObject({ status: 503, body: { error: { code: 'SHUTTING_DOWN' } } });
    await closing;
    await new Promise((r) => setTimeout(r, 300));
    expect(await checkpointer.getTuple({ configurable: { thread_id: 'polo:t1' } })).toBeUndefined();
    expect(llm.requests).toHaveLength(1);
  });
});

/**
 * Instance A shuts down while one of its requests waits for a thread (or an Idempotency-Key) held
 * by a turn on instance B. README: after SHUTDOWN_TIMEOUT_MS the requests are stopped and answered
 * 503 SHUTTING_DOWN, not cut off.
 */
describe.each(['thread', 'idempotency-key'] as const)('shutdown while a request waits for a %s held on another instance', (what) => {
  let deployment: OpenAIDeployment;
  let a: NestExpressApplication;
  let b: NestExpressApplication;

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(2, { THREAD_BUSY_POLICY: 'queue', THREAD_BUSY_WAIT_MS: '8000', SHUTDOWN_GRACE_MS: '0', SHUTDOWN_TIMEOUT_MS: '400' });
    [a, b] = deployment.apps;
    await a.listen(0, '127.0.0.1');
  });
  afterAll(() => deployment?.stop());

  it('answers the waiting request 503 SHUTTING_DOWN instead of dropping its connection', async () => {
    deployment.llm.enqueue({ delayMs: 2500, body: completion('slow on B') });
    const body = { user_id: 'polo', question: 'q', thread_id: 'polo:drain' };
    const onB = request(b.getHttpServer()).post('/api/chat').set('Idempotency-Key', 'drain-key').send(body).then((r) => r);
    await new Promise((r) => setTimeout(r, 300));
    const url = `${(await a.getUrl()).replace('[::1]', '127.0.0.1')}/api/chat`;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(what === 'idempotency-key' ? { 'idempotency-key': 'drain-key' } : {}) };
    const waiting = fetch(url, { method: 'POST', headers, body: JSON.stringify(what === 'thread' ? { ...body, question: 'other' } : body) }).then(
      async (res) => ({ status: res.status, code: ((await res.json()) as { error?: { code: string } }).error?.code }),
      (err: Error) => ({ status: -1, code: `connection: ${err.message}` }),
    );
    await new Promise((r) => setTimeout(r, 300));
    // Instance A shuts down (and is no longer the deployment's to stop).
    deployment.apps.splice(deployment.apps.indexOf(a), 1);
    const closing = a.close();
    expect(await waiting).toEqual({ status: 503, code: 'SHUTTING_DOWN' });
    await closing;
    await onB;
  });
});
