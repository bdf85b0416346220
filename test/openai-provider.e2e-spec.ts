import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { completion, FakeOpenAIServer } from './support/fake-openai.server';
import { createTestApp } from './support/test-app';

describe('LLM_PROVIDER=openai against a local OpenAI-compatible server', () => {
  const llm = new FakeOpenAIServer();
  let app: NestExpressApplication;

  beforeAll(async () => {
    await llm.start();
    app = await createTestApp({
      REDIS_URL: undefined,
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: llm.baseUrl,
      LLM_API_KEY: 'sk-test',
      LLM_MODEL: 'qwen-test',
      LLM_TIMEOUT_MS: '1000',
      LLM_MAX_RETRIES: '0',
      AGENT_RECURSION_LIMIT: '4',
    });
  });
  afterAll(async () => {
    await app?.close();
    await llm.stop();
  });
  beforeEach(() => llm.requests.splice(0));

  it('runs a tool call, then answers from its result', async () => {
    llm.enqueue(
      { body: completion(null, [{ id: 'call_1', name: 'calculator', args: { expression: '6 * 7' } }]) },
      { body: completion('The answer is 42.') },
    );
    const res = await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'polo', question: 'What is six times seven?' })
      .expect(200);
    expect(res.body.data).toMatchObject({
      response: 'The answer is 42.',
      model: 'qwen-test',
      message_count: 4,
      tool_calls: [{ name: 'calculator', args: { expression: '6 * 7' }, result: '42' }],
      // Two model calls of 10 prompt and 5 completion tokens each, as the server reported.
      usage: { input_tokens: 20, output_tokens: 10 },
    });
    expect(llm.requests).toHaveLength(2);
    const [first, second] = llm.requests;
    expect(first.model).toBe('qwen-test');
    expect(first.tools?.map((t) => t.function.name).sort()).toEqual(['calculator', 'current_time']);
    expect(first.messages[0]).toMatchObject({ role: 'system' });
    expect(second.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1', content: '42' });
  });

  it('sends the earlier turns of the thread to the model', async () => {
    llm.enqueue({ body: completion('first answer') }, { body: completion('second answer') });
    const first = await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'polo', question: '你好' })
      .expect(200);
    await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'polo', question: '请问下一届足球世界杯在哪里举行?', thread_id: first.body.thread_id })
      .expect(200);
    const contents = llm.requests[1].messages.map((m) => [m.role, m.content]);
    expect(contents).toEqual([
      ['system', expect.any(String)],
      ['user', '你好'],
      ['assistant', 'first answer'],
      ['user', '请问下一届足球世界杯在哪里举行?'],
    ]);
  });

  it('maps a provider error to 502 MODEL_ERROR', async () => {
    llm.enqueue({ status: 500, body: { error: { message: 'upstream exploded' } } });
    const res = await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'polo', question: 'hello' })
      .expect(502);
    expect(res.body.error.code).toBe('MODEL_ERROR');
    expect(JSON.stringify(res.body)).not.toContain('upstream exploded');
  });

  it('maps a model that does not answer in LLM_TIMEOUT_MS to 504 MODEL_TIMEOUT', async () => {
    llm.enqueue({ delayMs: 3000, body: completion('too late') });
    const res = await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'polo', question: 'hello' })
      .expect(504);
    expect(res.body.error.code).toBe('MODEL_TIMEOUT');
  });

  it('maps an agent that never stops calling tools to 422 RECURSION_LIMIT', async () => {
    const loop = () => ({ body: completion(null, [{ id: `c${Math.random()}`, name: 'calculator', args: { expression: '1+1' } }]) });
    llm.enqueue(loop, loop, loop, loop, loop);
    const res = await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'polo', question: 'loop forever' })
      .expect(422);
    expect(res.body.error.code).toBe('RECURSION_LIMIT');
  });
});
