import type { AddressInfo } from 'node:net';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { anthropicMessage, FakeAnthropicServer } from './support/fake-anthropic.server';
import { FakeOllamaServer, ollamaMessage } from './support/fake-ollama.server';
import { completion, FakeOpenAIServer } from './support/fake-openai.server';
import { parseSse } from './support/sse';
import { createTestApp } from './support/test-app';

describe('providers: OpenAI-compatible, Anthropic and Ollama, chosen per request', () => {
  const openai = new FakeOpenAIServer();
  const anthropic = new FakeAnthropicServer();
  const ollama = new FakeOllamaServer();
  let app: NestExpressApplication;
  const ask = (body: Record<string, unknown>) => request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', ...body });

  beforeAll(async () => {
    await Promise.all([openai.start(), anthropic.start(), ollama.start()]);
    app = await createTestApp({
      REDIS_URL: undefined,
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: openai.baseUrl,
      LLM_MODEL: 'qwen-test',
      LLM_MAX_RETRIES: '1',
      LLM_RETRY_BASE_MS: '10',
      // What the service we replace had hard-coded for Qwen3: no thinking on non-streaming calls.
      LLM_EXTRA_BODY: '{"enable_thinking": false}',
      LLM_MODELS: JSON.stringify([
        { name: 'claude', provider: 'anthropic', model: 'fake-claude', base_url: anthropic.baseUrl, api_key: 'sk-ant-test' },
        { name: 'llama', provider: 'ollama', model: 'fake-llama', base_url: ollama.baseUrl },
      ]),
      LLM_FALLBACKS: JSON.stringify([
        { name: 'claude-backup', provider: 'anthropic', model: 'fake-claude-backup', base_url: anthropic.baseUrl, api_key: 'sk-ant-test' },
      ]),
    });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([openai.stop(), anthropic.stop(), ollama.stop()]);
  });

  it('lists the models a request may choose', async () => {
    const res = await request(app.getHttpServer()).get('/api/models').expect(200);
    expect(res.body.data.models).toEqual([
      { name: 'qwen-test', provider: 'openai', model: 'qwen-test', default: true },
      { name: 'claude', provider: 'anthropic', model: 'fake-claude', default: false },
      { name: 'llama', provider: 'ollama', model: 'fake-llama', default: false },
    ]);
  });

  it('rejects a model outside the allow-list with 400 naming the field', async () => {
    const res = await ask({ question: 'hi', model: 'gpt-5' }).expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details).toEqual([{ field: 'model', messages: ['model must be one of: qwen-test, claude, llama'] }]);
  });

  it('runs a tool call and an answer through Anthropic', async () => {
    anthropic.enqueue(
      { body: anthropicMessage(null, [{ id: 'toolu_1', name: 'calculator', input: { expression: '6 * 7' } }]) },
      { body: anthropicMessage('Six times seven is 42.') },
    );
    const res = await ask({ question: 'What is six times seven?', model: 'claude', thread_id: 'polo:mixed' }).expect(200);
    expect(res.body.data).toMatchObject({
      response: 'Six times seven is 42.',
      model: 'claude',
      tool_calls: [{ name: 'calculator', args: { expression: '6 * 7' }, result: '42' }],
      usage: { input_tokens: 20, output_tokens: 10 },
    });
    const [first, second] = anthropic.requests.slice(-2);
    expect(first.model).toBe('fake-claude');
    expect(first.system).toBeDefined();
    expect(first.tools?.map((t) => t.name).sort()).toEqual(['calculator', 'current_time']);
    expect(JSON.stringify(second.messages.at(-1))).toContain('tool_result');
  });

  it("continues the same conversation on Ollama's native API, which sees the earlier turn", async () => {
    ollama.enqueue({ body: ollamaMessage('Still 42, from llama.') });
    const res = await ask({ question: 'And again?', model: 'llama', thread_id: 'polo:mixed' }).expect(200);
    expect(res.body.data).toMatchObject({ response: 'Still 42, from llama.', model: 'llama', message_count: 6 });
    const sent = ollama.requests.at(-1)!;
    expect(sent.model).toBe('fake-llama');
    expect(sent.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
  });

  it('streams tokens from Anthropic', async () => {
    anthropic.enqueue({ body: anthropicMessage('Streaming from Claude works.') });
    const res = await request(app.getHttpServer())
      .post('/api/chat/stream')
      .send({ user_id: 'polo', question: 'stream please', model: 'claude' })
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString()));
        r.on('end', () => done(null, text));
      })
      .expect(200);
    const { events } = parseSse(res.body as string);
    expect(events[0]).toMatchObject({ event: 'metadata', data: { model: 'claude' } });
    const tokens = events.filter((e) => e.event === 'token').map((e) => e.data.text);
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.join('')).toBe('Streaming from Claude works.');
    expect(events.find((e) => e.event === 'message')?.data).toMatchObject({ response: 'Streaming from Claude works.', model: 'claude' });
  });

  it('sends LLM_EXTRA_BODY with every call to the default model, streamed or not', async () => {
    openai.enqueue({ body: completion('plain') }, { body: completion('streamed') });
    await ask({ question: 'hi' }).expect(200);
    await request(app.getHttpServer()).post('/api/chat/stream').send({ user_id: 'polo', question: 'hi' }).expect(200);
    const [plain, streamed] = openai.requests.slice(-2);
    expect(plain).toMatchObject({ enable_thinking: false });
    expect(streamed).toMatchObject({ enable_thinking: false, stream: true });
    // Switches of one provider stay with it.
    expect(JSON.stringify(anthropic.requests)).not.toContain('enable_thinking');
  });

  it('falls back from the OpenAI-compatible model to Anthropic when it keeps failing', async () => {
    openai.enqueue({ status: 500 }, { status: 500 });
    anthropic.enqueue({ body: anthropicMessage('Claude took over.') });
    const res = await ask({ question: 'hello' }).expect(200);
    expect(res.body.data).toMatchObject({ response: 'Claude took over.', model: 'claude-backup' });
    expect(anthropic.requests.at(-1)?.model).toBe('fake-claude-backup');
  });
});

/** An Anthropic Messages endpoint that records the headers of every request. */
async function recordingAnthropic(): Promise<{ server: Server; url: string; headers: IncomingHttpHeaders[] }> {
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    headers.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(anthropicMessage('hello from elsewhere')));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, headers };
}

describe('an Anthropic entry with its own base_url inherits no key, not even ANTHROPIC_API_KEY', () => {
  const PRIMARY_KEY = 'sk-ant-primary-secret-0123456789';
  let primary: Awaited<ReturnType<typeof recordingAnthropic>>;
  let other: Awaited<ReturnType<typeof recordingAnthropic>>;
  let app: NestExpressApplication;
  const saved = process.env.ANTHROPIC_API_KEY;

  beforeAll(async () => {
    primary = await recordingAnthropic();
    other = await recordingAnthropic();
    // README: "Anthropic falls back to ANTHROPIC_API_KEY" (the primary's key); the process keeps its env.
    process.env.ANTHROPIC_API_KEY = PRIMARY_KEY;
    app = await createTestApp({
      REDIS_URL: undefined,
      LLM_PROVIDER: 'anthropic',
      LLM_MODEL: 'fake-claude',
      LLM_BASE_URL: primary.url,
      LLM_MODELS: JSON.stringify([{ name: 'elsewhere', provider: 'anthropic', model: 'other-claude', base_url: other.url }]),
    });
  });
  afterAll(async () => {
    await app?.close();
    if (saved === undefined) delete process.env.ANTHROPIC_API_KEY;
    else process.env.ANTHROPIC_API_KEY = saved;
    await Promise.all([primary, other].map(({ server }) => new Promise((r) => server.close(r))));
  });

  it('uses the primary key for the primary endpoint', async () => {
    await request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'hi' }).expect(200);
    expect(primary.headers.at(-1)?.['x-api-key']).toBe(PRIMARY_KEY);
  });

  it('never sends the primary key to the host of an entry with its own base_url', async () => {
    await request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'hi', model: 'elsewhere' });
    expect(other.headers.length).toBeGreaterThan(0);
    expect(JSON.stringify(other.headers)).not.toContain(PRIMARY_KEY);
  });
});
