import { createClient } from 'redis';
import { RedisCheckpointSaver } from '../src/checkpoint/redis.saver';
import { AppProcess } from './support/app-process';
import { completion, FakeOpenAIServer } from './support/fake-openai.server';
import { RedisTestServer } from './support/redis-server';
import { parseSse } from './support/sse';

const json = { 'content-type': 'application/json' };

describe('the built server as a process', () => {
  const processes: AppProcess[] = [];
  const spawn = async (env: Record<string, string> = {}) => {
    const app = await AppProcess.spawn(env);
    processes.push(app);
    return app;
  };
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
  });

  it('starts with no configuration at all and says it keeps checkpoints in memory and has no model', async () => {
    const app = await spawn();
    await app.ready();
    expect(app.output).toContain('IN PROCESS MEMORY');
    expect(app.output).toContain('no language model configured');
    const res = await fetch(`${app.url}/api/chat`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ user_id: 'polo', question: '你好' }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).data.model).toBe('offline');
    const health = await (await fetch(`${app.url}/health`)).json();
    expect(health.info.checkpointer).toMatchObject({ backend: 'memory', embedded: true });
    expect(health.info.model).toMatchObject({ provider: 'offline', message: expect.stringContaining('no language model configured') });
  });

  it('refuses to start on invalid configuration, naming the variable and the accepted values', async () => {
    const app = await spawn({ CHECKPOINT_BACKEND: 'postgres', LLM_TIMEOUT_MS: 'soon' });
    expect(await app.exited).toBe(1);
    expect(app.output).toMatch(/CHECKPOINT_BACKEND="postgres".*auto, redis, redis-stack, memory/);
    expect(app.output).toMatch(/LLM_TIMEOUT_MS="soon"/);
  });

  it('runs on a plain Redis by default, and refuses redis-stack there saying which Redis is needed', async () => {
    const plain = await RedisTestServer.start('plain');
    try {
      const auto = await spawn({ REDIS_URL: plain.url });
      await auto.ready();
      const health = await (await fetch(`${auto.url}/health`)).json();
      expect(health.info.checkpointer).toMatchObject({ backend: 'redis', embedded: false });
      await auto.stop();

      const stack = await spawn({ REDIS_URL: plain.url, CHECKPOINT_BACKEND: 'redis-stack' });
      expect(await stack.exited).toBe(1);
      expect(stack.output).toMatch(/lacks RedisJSON and RediSearch.*Redis 8/);
    } finally {
      await plain.stop();
    }
  });

  describe('on SIGTERM', () => {
    const llm = new FakeOpenAIServer();
    let redis: RedisTestServer;

    beforeAll(async () => {
      await llm.start();
      redis = await RedisTestServer.start('stack');
    });
    afterAll(async () => {
      await llm.stop();
      await redis.stop();
    });

    it('turns readiness 503, finishes the turn in flight, stores it, then exits 0', async () => {
      const app = await spawn({
        REDIS_URL: redis.url,
        LLM_PROVIDER: 'openai',
        LLM_BASE_URL: llm.baseUrl,
        LLM_MODEL: 'slow-model',
        SHUTDOWN_TIMEOUT_MS: '10000',
      });
      await app.ready();
      llm.enqueue({ delayMs: 1500, body: completion('finished despite SIGTERM') });
      const turn = fetch(`${app.url}/api/chat`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ user_id: 'polo', question: 'slow question', thread_id: 'polo:sigterm' }),
      });
      while (llm.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
      app.signal('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      const ready = await fetch(`${app.url}/health/ready`);
      expect(ready.status).toBe(503);

      const res = await turn;
      expect(res.status).toBe(200);
      expect((await res.json()).data.response).toBe('finished despite SIGTERM');
      expect(await app.exited).toBe(0);

      const fresh = createClient({ url: redis.url });
      await fresh.connect();
      try {
        const tuple = await new RedisCheckpointSaver(fresh as never).getTuple({ configurable: { thread_id: 'polo:sigterm' } });
        const messages = tuple?.checkpoint.channel_values.messages as Array<{ content: unknown }>;
        expect(messages.map((m) => m.content)).toEqual(['slow question', 'finished despite SIGTERM']);
      } finally {
        await fresh.quit();
      }
    });

    const storedMessages = async (threadId: string) => {
      const fresh = createClient({ url: redis.url });
      await fresh.connect();
      try {
        const tuple = await new RedisCheckpointSaver(fresh as never).getTuple({ configurable: { thread_id: threadId } });
        return ((tuple?.checkpoint.channel_values.messages ?? []) as Array<{ content: unknown }>).map((m) => m.content);
      } finally {
        await fresh.quit();
      }
    };
    const env = () => ({ REDIS_URL: redis.url, LLM_PROVIDER: 'openai', LLM_BASE_URL: llm.baseUrl, LLM_MAX_RETRIES: '0' });
    const stream = (app: AppProcess, threadId: string) =>
      fetch(`${app.url}/api/chat/stream`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ user_id: 'polo', question: `stream on ${threadId}`, thread_id: threadId }),
      });

    it('lets a stream in flight finish and store its turn', async () => {
      const app = await spawn({ ...env(), SHUTDOWN_TIMEOUT_MS: '10000' });
      await app.ready();
      llm.enqueue({ delayMs: 800, body: completion('streamed to the end') });
      const res = await stream(app, 'polo:stream-ok');
      while (llm.requests.length === 0 || llm.requests.at(-1)?.messages.at(-1)?.content !== 'stream on polo:stream-ok') {
        await new Promise((r) => setTimeout(r, 20));
      }
      app.signal('SIGTERM');
      const { events } = parseSse(await res.text());
      expect(events.map((e) => e.event).slice(-2)).toEqual(['message', 'done']);
      expect(await app.exited).toBe(0);
      expect(await storedMessages('polo:stream-ok')).toEqual(['stream on polo:stream-ok', 'streamed to the end']);
    });

    it('ends a stream that outlasts SHUTDOWN_TIMEOUT_MS with an error event, leaving the thread usable', async () => {
      const app = await spawn({ ...env(), SHUTDOWN_TIMEOUT_MS: '500' });
      await app.ready();
      llm.enqueue({ delayMs: 5000, body: completion('never sent') });
      const res = await stream(app, 'polo:stream-cut');
      while (llm.requests.at(-1)?.messages.at(-1)?.content !== 'stream on polo:stream-cut') await new Promise((r) => setTimeout(r, 20));
      app.signal('SIGTERM');
      const { events } = parseSse(await res.text());
      expect(events.map((e) => e.event).slice(-2)).toEqual(['error', 'done']);
      expect(events.at(-2)?.data).toMatchObject({ code: 'SHUTTING_DOWN', retryable: true });
      expect(await app.exited).toBe(0);
      // No half turn: nothing, or only the question, and the next instance continues the thread.
      expect((await storedMessages('polo:stream-cut')).filter((c) => c !== 'stream on polo:stream-cut')).toEqual([]);
      const next = await spawn(env());
      await next.ready();
      llm.enqueue({ body: completion('carried on') });
      const again = await fetch(`${next.url}/api/chat`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ user_id: 'polo', question: 'again', thread_id: 'polo:stream-cut' }),
      });
      expect(again.status).toBe(200);
      expect((await again.json()).data.response).toBe('carried on');
    });

    it('serves requests that arrive during SHUTDOWN_GRACE_MS', async () => {
      const app = await spawn({ ...env(), SHUTDOWN_GRACE_MS: '1500' });
      await app.ready();
      app.signal('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      expect((await fetch(`${app.url}/health/ready`)).status).toBe(503);
      llm.enqueue({ body: completion('served while draining') });
      const res = await fetch(`${app.url}/api/chat`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ user_id: 'polo', question: 'late', thread_id: 'polo:grace' }),
      });
      expect(res.status).toBe(200);
      expect(await app.exited).toBe(0);
    });
  });
});
