import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { FakeAnthropicServer } from './support/fake-anthropic.server';
import { FakeOllamaServer } from './support/fake-ollama.server';
import { completion, FakeOpenAIServer } from './support/fake-openai.server';
import { OpenAIDeployment } from './support/openai-deployment';
import { parseSse } from './support/sse';
import { createTestApp } from './support/test-app';

const toolCall = (args: string) => ({
  body: {
    ...completion(null),
    choices: [
      {
        index: 0,
        finish_reason: 'tool_calls',
        message: { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'calculator', arguments: args } }] },
      },
    ],
  },
});
const error = (status: number, headers: Record<string, string> = {}) => ({ status, headers, body: { error: { message: `status ${status}` } } });

describe('model calls against a flaky OpenAI-compatible provider, with a fallback', () => {
  let deployment: OpenAIDeployment;
  const backup = new FakeOpenAIServer();
  let app: NestExpressApplication;
  const primary = () => deployment.llm;
  const ask = (question: string, thread_id?: string) =>
    request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question, ...(thread_id ? { thread_id } : {}) });
  const stored = async (thread: string) => {
    const res = await request(app.getHttpServer()).get(`/api/users/polo/conversations/${thread}`).expect(200);
    return (res.body.data.messages as Array<{ type: string; content: string }>).map((m) => `${m.type}:${m.content}`);
  };

  beforeAll(async () => {
    await backup.start();
    deployment = await OpenAIDeployment.start(1, {
      LLM_MODEL: 'primary',
      LLM_MAX_RETRIES: '2',
      LLM_RETRY_BASE_MS: '20',
      LLM_RETRY_MAX_DELAY_MS: '2000',
      LLM_TIMEOUT_MS: '400',
      LLM_FALLBACKS: JSON.stringify([{ provider: 'openai', model: 'backup', base_url: backup.baseUrl, api_key: 'sk-backup' }]),
    });
    [app] = deployment.apps;
  });
  afterAll(async () => {
    await deployment?.stop();
    await backup.stop();
  });
  beforeEach(() => {
    primary().requests.splice(0);
    backup.requests.splice(0);
  });

  it('waits as Retry-After says after a 429, then answers from the same model', async () => {
    primary().enqueue(error(429, { 'retry-after': '1' }), { body: completion('after the pause') });
    const started = Date.now();
    const res = await ask('hello').expect(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(res.body.data).toMatchObject({ response: 'after the pause', model: 'primary' });
    expect(primary().requests).toHaveLength(2);
    expect(backup.requests).toHaveLength(0);
  });

  it('backs off and retries 5xx answers', async () => {
    primary().enqueue(error(500), error(503), { body: completion('third time lucky') });
    const res = await ask('hello').expect(200);
    expect(res.body.data.response).toBe('third time lucky');
    expect(primary().requests).toHaveLength(3);
  });

  it('retries answers that are not JSON or have no choices', async () => {
    primary().enqueue({ raw: '<html>gateway hiccup</html>' }, { body: { id: 'x', object: 'chat.completion' } }, { body: completion('sane again') });
    const res = await ask('hello').expect(200);
    expect(res.body.data.response).toBe('sane again');
    expect(primary().requests).toHaveLength(3);
  });

  it('retries a tool call whose arguments are not JSON, then runs the tool from a tool-call-only answer', async () => {
    primary().enqueue(toolCall('{"expression": "6 *'), toolCall('{"expression": "6 * 7"}'), { body: completion('It is 42.') });
    const res = await ask('six times seven?').expect(200);
    expect(res.body.data).toMatchObject({ response: 'It is 42.', tool_calls: [{ name: 'calculator', args: { expression: '6 * 7' }, result: '42' }] });
    expect(primary().requests).toHaveLength(3);
  });

  it('tells the model about a tool that does not exist instead of failing the turn', async () => {
    primary().enqueue({ body: completion(null, [{ id: 'c9', name: 'no_such_tool', args: {} }]) }, { body: completion('Sorry, no such tool.') });
    const res = await ask('use a tool').expect(200);
    expect(res.body.data.response).toBe('Sorry, no such tool.');
    expect(primary().requests[1].messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringContaining('not found') });
  });

  it('falls back to the next model at once when the first one times out, and says which model answered', async () => {
    const abandoned = primary().abandoned;
    primary().enqueue({ delayMs: 1500, body: completion('too late') });
    backup.enqueue({ body: completion('from the backup') });
    const started = Date.now();
    const res = await ask('hello', 'polo:fallback').expect(200);
    expect(Date.now() - started).toBeLessThan(1200);
    expect(res.body.data).toMatchObject({ response: 'from the backup', model: 'backup' });
    expect(backup.requests[0].model).toBe('backup');
    // Not waited for a second time: the hung request was closed and the fallback took over.
    expect(primary().requests).toHaveLength(1);
    expect(primary().abandoned).toBe(abandoned + 1);
    expect(await stored('polo:fallback')).toEqual(['human:hello', 'ai:from the backup']);
  });

  it('moves on at once when Retry-After is longer than LLM_RETRY_MAX_DELAY_MS, and reports the rate limit', async () => {
    primary().enqueue(error(429, { 'retry-after': '60' }));
    backup.enqueue(error(429, { 'retry-after': '30' }));
    const started = Date.now();
    const res = await ask('hello').expect(502);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.body.error).toMatchObject({ code: 'MODEL_RATE_LIMITED', details: { provider: 'openai', model: 'backup', retry_after_ms: 30000 } });
  });

  it('gives 504 MODEL_TIMEOUT when no model answers in time, and leaves the thread as it was', async () => {
    primary().enqueue({ body: completion('kept') });
    await ask('first', 'polo:slow').expect(200);
    const slow = { delayMs: 1500, body: completion('too late') };
    // The primary once (then the fallback takes over), the last model with its retries.
    primary().enqueue(slow);
    backup.enqueue(slow, slow, slow);
    const res = await ask('second', 'polo:slow').expect(504);
    expect(res.body.error.code).toBe('MODEL_TIMEOUT');
    expect(await stored('polo:slow')).toEqual(['human:first', 'ai:kept']);
  });

  it('gives 502 MODEL_BAD_RESPONSE when every answer is unusable', async () => {
    const garbage = { raw: 'not json' };
    primary().enqueue(garbage, garbage, garbage);
    backup.enqueue(garbage, garbage, garbage);
    const res = await ask('hello').expect(502);
    expect(res.body.error.code).toBe('MODEL_BAD_RESPONSE');
  });

  it('gives 502 MODEL_UNREACHABLE when no provider can be reached', async () => {
    const down = await createTestApp({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      LLM_MAX_RETRIES: '1',
      LLM_RETRY_BASE_MS: '10',
    });
    try {
      const res = await request(down.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'hello' }).expect(502);
      expect(res.body.error.code).toBe('MODEL_UNREACHABLE');
    } finally {
      await down.close();
    }
  });

  it('counts errors by kind, retries and fallbacks in /metrics', async () => {
    const text = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    expect(text).toMatch(/^model_call_errors_total\{provider="openai",model="primary",kind="rate_limited"\} [1-9]/m);
    expect(text).toMatch(/^model_call_errors_total\{provider="openai",model="primary",kind="timeout"\} [1-9]/m);
    expect(text).toMatch(/^model_call_errors_total\{provider="openai",model="primary",kind="bad_response"\} [1-9]/m);
    expect(text).toMatch(/^model_call_retries_total\{provider="openai",model="primary"\} [1-9]/m);
    expect(text).toMatch(/^model_fallbacks_total\{provider="openai",model="backup"\} [1-9]/m);
    expect(text).toMatch(/^model_call_duration_seconds_count\{provider="openai",model="backup"\} [1-9]/m);
  });
});

describe('AGENT_TURN_TIMEOUT_MS', () => {
  let deployment: OpenAIDeployment;
  let app: NestExpressApplication;

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(1, { AGENT_TURN_TIMEOUT_MS: '1000', LLM_TIMEOUT_MS: '5000' });
    [app] = deployment.apps;
  });
  afterAll(() => deployment?.stop());
  beforeEach(() => deployment.llm.reset());

  it('ends a turn whose model calls together outlast the budget with 504 TURN_TIMEOUT, leaving the thread as it was', async () => {
    const llm = deployment.llm;
    const http = () => request(app.getHttpServer());
    llm.enqueue({ body: completion('kept') });
    await http().post('/api/chat').send({ user_id: 'polo', question: 'first', thread_id: 'polo:budget' }).expect(200);
    // Each call is well within LLM_TIMEOUT_MS; the tool loop as a whole is not within the budget.
    const step = () => ({ delayMs: 400, body: completion(null, [{ id: `c${Math.random()}`, name: 'calculator', args: { expression: '1+1' } }]) });
    llm.enqueue(step, step, step, step);
    const started = Date.now();
    const res = await http().post('/api/chat').send({ user_id: 'polo', question: 'loop', thread_id: 'polo:budget' }).expect(504);
    expect(res.body.error.code).toBe('TURN_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2000);
    const thread = await http().get('/api/users/polo/conversations/polo:budget').expect(200);
    expect(thread.body.data.messages.map((m: { content: string }) => m.content)).toEqual(['first', 'kept']);
  });

  it('ends a streamed turn past the budget with an error event, then done', async () => {
    deployment.llm.enqueue({ delayMs: 3000, body: completion('too late') });
    const res = await request(app.getHttpServer()).post('/api/chat/stream').send({ user_id: 'polo', question: 'slow' }).expect(200);
    const { events } = parseSse(res.text);
    expect(events.map((e) => e.event)).toEqual(['metadata', 'error', 'done']);
    expect(events[1].data).toEqual({ code: 'TURN_TIMEOUT', message: expect.any(String), retryable: true });
  });
});

/**
 * README: "A Retry-After (or retry-after-ms) header is obeyed; one longer than
 * LLM_RETRY_MAX_DELAY_MS moves on to the next model at once instead of waiting" — for every provider.
 */
describe.each([
  ['ollama', () => new FakeOllamaServer()],
  ['anthropic', () => new FakeAnthropicServer()],
])('%s: a 429 with a Retry-After longer than LLM_RETRY_MAX_DELAY_MS', (provider, make) => {
  const server = make();
  let app: NestExpressApplication;
  let noFallback: NestExpressApplication;

  beforeAll(async () => {
    await server.start();
    const common = {
      REDIS_URL: undefined,
      LLM_PROVIDER: provider,
      LLM_MODEL: `fake-${provider}`,
      LLM_BASE_URL: server.baseUrl,
      LLM_API_KEY: 'k',
      LLM_MAX_RETRIES: '2',
      LLM_RETRY_BASE_MS: '10',
      LLM_RETRY_MAX_DELAY_MS: '1000',
    };
    app = await createTestApp({ ...common, LLM_FALLBACKS: 'offline:offline' });
    noFallback = await createTestApp(common);
  });
  afterAll(async () => {
    await app?.close();
    await noFallback?.close();
    await server.stop();
  });

  it('moves on to the fallback at once, without retrying the rate-limited model', async () => {
    server.reset();
    server.enqueue(...[1, 2, 3].map(() => ({ status: 429, headers: { 'retry-after': '60' } })));
    const res = await request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'hi' }).expect(200);
    expect(res.body.data.model).toBe('offline');
    expect(server.requests).toHaveLength(1);
  });

  it('answers 502 MODEL_RATE_LIMITED with details.retry_after_ms when no model is left', async () => {
    server.reset();
    server.enqueue(...[1, 2, 3].map(() => ({ status: 429, headers: { 'retry-after': '60' } })));
    const res = await request(noFallback.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'hi' }).expect(502);
    expect(res.body.error.code).toBe('MODEL_RATE_LIMITED');
    expect(res.body.error.details).toMatchObject({ provider, retry_after_ms: 60_000 });
    expect(server.requests).toHaveLength(1);
  });
});
