import type { NestExpressApplication } from '@nestjs/platform-express';
import type { BaseMessage } from '@langchain/core/messages';
import { createClient } from 'redis';
import { RedisCheckpointSaver } from '../src/checkpoint/redis.saver';
import { completion, FakeOpenAIServer } from './support/fake-openai.server';
import { RedisTestServer } from './support/redis-server';
import { parseSse } from './support/sse';
import { createTestApp } from './support/test-app';

const json = { 'content-type': 'application/json' };

async function listen(env: Record<string, string | undefined>) {
  const app = await createTestApp(env);
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

describe('chat streaming with the offline model on Redis', () => {
  let redis: RedisTestServer;
  let app: NestExpressApplication;
  let url: string;

  beforeAll(async () => {
    redis = await RedisTestServer.start('plain');
    ({ app, url } = await listen({ REDIS_URL: redis.url }));
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('streams metadata, tokens, the stored answer and done (POST)', async () => {
    const res = await fetch(`${url}/api/chat/stream`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ user_id: 'polo', question: '你好', thread_id: 'polo:s1' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    expect(res.headers.get('content-encoding')).toBeNull();
    const { events } = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual(['metadata', 'token', 'message', 'done']);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    expect(events[0].data).toMatchObject({ thread_id: 'polo:s1', model: 'offline', run_id: expect.any(String) });
    expect(events[2].data).toMatchObject({ thread_id: 'polo:s1', user_id: 'polo', message_count: 2, tool_calls: [] });
    expect(events[1].data.text).toBe(events[2].data.response);

    // When done was sent, the turn is stored: a fresh client reads it.
    const client = createClient({ url: redis.url });
    await client.connect();
    const tuple = await new RedisCheckpointSaver(client as never).getTuple({ configurable: { thread_id: 'polo:s1' } });
    await client.quit();
    expect((tuple?.checkpoint.channel_values.messages as BaseMessage[]).map((m) => m.content)).toEqual([
      '你好',
      events[2].data.response,
    ]);
  });

  it('streams tool calls and their results for EventSource (GET)', async () => {
    const query = new URLSearchParams({ user_id: 'polo', question: 'What is 6 * 7?', thread_id: 'polo:s1' });
    const res = await fetch(`${url}/api/chat/stream?${query}`, { headers: { accept: 'text/event-stream' } });
    const { events } = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual(['metadata', 'tool_call', 'tool_result', 'token', 'message', 'done']);
    expect(events[1].data).toMatchObject({ name: 'calculator', args: { expression: '6 * 7' } });
    expect(events[2].data).toMatchObject({ id: events[1].data.id, content: '42' });
    expect(events[4].data).toMatchObject({ response: '6 * 7 = 42', message_count: 6 });
  });

  it('does not run the question again when EventSource reconnects, or for HEAD', async () => {
    const query = new URLSearchParams({ user_id: 'polo', question: 'hello', thread_id: 'polo:es' });
    const first = parseSse(await (await fetch(`${url}/api/chat/stream?${query}`)).text()).events;
    // What EventSource does by itself once a stream ends (or drops): the same URL, with the last id.
    const reconnect = await fetch(`${url}/api/chat/stream?${query}`, { headers: { 'last-event-id': String(first.at(-1)?.id) } });
    expect([reconnect.status, ((await reconnect.json()) as { error: { code: string } }).error.code]).toEqual([410, 'STREAM_NOT_RESUMABLE']);
    // A fetch-based client retrying its POST stream the same way.
    const post = await fetch(`${url}/api/chat/stream`, { method: 'POST', headers: { ...json, 'last-event-id': '3' }, body: JSON.stringify(Object.fromEntries(query)) });
    expect(post.status).toBe(410);
    const head = await fetch(`${url}/api/chat/stream?${query}`, { method: 'HEAD' });
    expect([head.status, head.headers.get('allow')]).toEqual([405, 'GET, POST']);
    const stored = await fetch(`${url}/api/users/polo/conversations/polo:es`);
    expect((await stored.json()).data.messages.map((m: { type: string }) => m.type)).toEqual(['human', 'ai']);
  });

  it('answers bad input with an ordinary JSON error before any event', async () => {
    const res = await fetch(`${url}/api/chat/stream`, { method: 'POST', headers: json, body: JSON.stringify({ user_id: 'polo' }) });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect((await res.json()).error.code).toBe('VALIDATION_FAILED');
    const get = await fetch(`${url}/api/chat/stream?user_id=polo&question=hi&thread_id=alice:1`);
    expect(get.status).toBe(400);
  });
});

describe('chat streaming from an OpenAI-compatible model', () => {
  const llm = new FakeOpenAIServer();
  let app: NestExpressApplication;
  let url: string;
  const ask = (body: object, signal?: AbortSignal) =>
    fetch(`${url}/api/chat/stream`, { method: 'POST', headers: json, body: JSON.stringify(body), signal });

  beforeAll(async () => {
    await llm.start();
    ({ app, url } = await listen({
      REDIS_URL: undefined,
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: llm.baseUrl,
      LLM_MAX_RETRIES: '0',
      STREAM_HEARTBEAT_MS: '50',
    }));
  });
  afterAll(async () => {
    await app?.close();
    await llm.stop();
  });

  it('sends tokens as they come, and heartbeats while the model thinks', async () => {
    llm.enqueue({ delayMs: 300, body: completion('The next World Cup is in 2026.') });
    const { events, comments } = parseSse(await (await ask({ user_id: 'polo', question: 'world cup?' })).text());
    const tokens = events.filter((e) => e.event === 'token').map((e) => e.data.text);
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.join('')).toBe('The next World Cup is in 2026.');
    expect(comments.filter((c) => c === 'heartbeat').length).toBeGreaterThanOrEqual(2);
    expect(events.at(-2)?.data.response).toBe('The next World Cup is in 2026.');
    expect(llm.requests.at(-1)?.stream).toBe(true);
  });

  it('reports an error after the start as an error event followed by done', async () => {
    llm.enqueue({ status: 500, body: { error: { message: 'boom' } } });
    const res = await ask({ user_id: 'polo', question: 'fail please' });
    expect(res.status).toBe(200);
    const { events } = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual(['metadata', 'error', 'done']);
    expect(events[1].data).toEqual({ code: 'MODEL_ERROR', message: expect.any(String), retryable: true });
  });

  it('says an error is not worth retrying when the provider refused the request (a bad key)', async () => {
    llm.enqueue({ status: 401, body: { error: { message: 'Incorrect API key provided' } } });
    const { events } = parseSse(await (await ask({ user_id: 'polo', question: 'refused' })).text());
    expect(events[1].data).toEqual({ code: 'MODEL_ERROR', message: expect.stringContaining('refused'), retryable: false });
  });

  it('closes the upstream model request when the client disconnects, and the thread stays usable', async () => {
    const before = llm.abandoned;
    llm.enqueue({ delayMs: 3000, body: completion('too late') });
    const abort = new AbortController();
    const res = await ask({ user_id: 'polo', question: 'slow one', thread_id: 'polo:gone' }, abort.signal);
    const reader = res.body!.getReader();
    await reader.read(); // metadata
    abort.abort();
    const deadline = Date.now() + 2000;
    while (llm.abandoned === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(llm.abandoned).toBe(before + 1);

    llm.enqueue({ body: completion('back') });
    const next = parseSse(await (await ask({ user_id: 'polo', question: 'again', thread_id: 'polo:gone' })).text());
    expect(next.events.at(-2)?.data).toMatchObject({ response: 'back' });
  });
});
