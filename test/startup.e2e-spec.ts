import { createClient } from 'redis';
import { RedisCheckpointSaver } from '../src/checkpoint/redis.saver';
import { AppProcess } from './support/app-process';
import { completion, FakeOpenAIServer } from './support/fake-openai.server';
import { RedisTestServer } from './support/redis-server';

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

  it('starts with no configuration at all and says it keeps checkpoints in memory', async () => {
    const app = await spawn();
    await app.ready();
    expect(app.output).toContain('IN PROCESS MEMORY');
    const res = await fetch(`${app.url}/api/chat`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ user_id: 'polo', question: '你好' }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).data.model).toBe('offline');
    const health = await (await fetch(`${app.url}/health`)).json();
    expect(health.info.checkpointer).toMatchObject({ backend: 'memory', embedded: true });
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
  });
});
