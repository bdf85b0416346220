import type { NestExpressApplication } from '@nestjs/platform-express';
import { createClient } from 'redis';
import request from 'supertest';
import { RedisTestServer } from './support/redis-server';
import { createTestApp } from './support/test-app';

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
  return last;
}

describe('health in the embedded default', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createTestApp({ REDIS_URL: undefined });
  });
  afterAll(() => app.close());

  it('GET /health says the checkpoints are in memory', async () => {
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: {
        redis: { status: 'up', mode: 'embedded' },
        checkpointer: { status: 'up', backend: 'memory', embedded: true },
        model: { status: 'up', provider: 'offline', message: expect.stringContaining('no language model configured') },
        memory_heap: { status: 'up' },
      },
      error: {},
    });
  });

  it('GET /health/live and /health/ready answer 200', async () => {
    await request(app.getHttpServer()).get('/health/live').expect(200, { status: 'ok', info: {}, error: {}, details: {} });
    const ready = await request(app.getHttpServer()).get('/health/ready').expect(200);
    expect(ready.body.info).toMatchObject({ lifecycle: { status: 'up' }, redis: { status: 'up' } });
  });

  it('serves Swagger UI and the OpenAPI document with examples', async () => {
    await request(app.getHttpServer()).get('/docs').expect(200).expect('content-type', /html/);
    const spec = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(spec.body.paths['/api/chat'].post.responses).toHaveProperty('200');
    expect(JSON.stringify(spec.body)).toContain('请问下一届足球世界杯在哪里举行?');
    expect(spec.body.components.schemas.ErrorResponseDto).toBeDefined();
  });
});

describe.each([
  { flavor: 'plain', backend: 'redis' },
  { flavor: 'stack', backend: 'redis-stack' },
] as const)('Redis outage under a running app ($backend backend on $flavor Redis)', ({ flavor, backend }) => {
  let redis: RedisTestServer;
  let app: NestExpressApplication;

  beforeAll(async () => {
    redis = await RedisTestServer.start(flavor);
    app = await createTestApp({ REDIS_URL: redis.url, CHECKPOINT_BACKEND: backend, REDIS_PING_TIMEOUT_MS: '500', REDIS_COMMAND_TIMEOUT_MS: '500' });
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('reports Redis and the checkpoint backend when it is up', async () => {
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body.info).toMatchObject({
      redis: { status: 'up' },
      checkpointer: { status: 'up', backend, embedded: false },
    });
  });

  it('answers 503 while Redis is down and recovers by itself when it returns', async () => {
    const server = app.getHttpServer();
    const ask = () => request(server).post('/api/chat').send({ user_id: 'polo', question: '你好' });
    await ask().expect(200);

    await redis.stop();
    const health = await eventually(() => request(server).get('/health'), (r) => r.status === 503, 5000);
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'error', error: { redis: { status: 'down' } } });
    await request(server).get('/health/ready').expect(503);
    await request(server).get('/health/live').expect(200);

    const started = Date.now();
    const down = await ask();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ success: false, error: { code: 'REDIS_UNAVAILABLE' } });

    await redis.start();
    const back = Date.now();
    const healthy = await eventually(() => request(server).get('/health'), (r) => r.status === 200, 5000);
    expect(healthy.status).toBe(200);
    const chat = await eventually(() => ask(), (r) => r.status === 200, 5000);
    expect(chat.status).toBe(200);
    expect(Date.now() - back).toBeLessThan(5000);
  });

  it('answers 503 while Redis refuses writes (a replica after a failover), and recovers', async () => {
    const server = app.getHttpServer();
    const ask = () => request(server).post('/api/chat').send({ user_id: 'polo', question: 'hello', thread_id: `polo:readonly-${backend}` });
    await ask().expect(200);
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      await admin.sendCommand(['REPLICAOF', '127.0.0.1', '1']); // READONLY from now on
      for (const res of [await ask(), await request(server).post('/api/chat/stream').send({ user_id: 'polo', question: 'hi' })]) {
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('REDIS_UNAVAILABLE');
      }
    } finally {
      await admin.sendCommand(['REPLICAOF', 'NO', 'ONE']);
      await admin.quit();
    }
    await ask().expect(200);
  });

  it('answers 503 while Redis hangs with the connection open, and recovers when it answers again', async () => {
    const server = app.getHttpServer();
    const ask = () => request(server).post('/api/chat').send({ user_id: 'polo', question: 'hello', thread_id: `polo:hung-${backend}` });
    await ask().expect(200);
    redis.pause();
    try {
      const started = Date.now();
      const hung = await ask();
      expect(Date.now() - started).toBeLessThan(3000);
      expect(hung.status).toBe(503);
      expect(hung.body.error.code).toBe('REDIS_UNAVAILABLE');
      await request(server).get('/health').expect(503);
    } finally {
      redis.resume();
    }
    const back = Date.now();
    const chat = await eventually(() => ask(), (r) => r.status === 200, 5000);
    expect(chat.status).toBe(200);
    // Not held up by a lease that the timed-out request's SET took when Redis woke up.
    expect(Date.now() - back).toBeLessThan(3000);
    const detail = await request(server).get(`/api/users/polo/conversations/polo:hung-${backend}`).expect(200);
    expect(detail.body.data.messages.filter((m: { type: string }) => m.type === 'human')).toHaveLength(2);
  });
});

describe('HTTP hardening', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createTestApp({ REDIS_URL: undefined, CORS_ORIGINS: 'https://chat.example.com' });
  });
  afterAll(() => app.close());

  it('sends helmet security headers and no X-Powered-By', async () => {
    const res = await request(app.getHttpServer()).get('/health/live').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('allows CORS only from CORS_ORIGINS', async () => {
    const allowed = await request(app.getHttpServer())
      .options('/api/chat')
      .set('Origin', 'https://chat.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://chat.example.com');
    const denied = await request(app.getHttpServer())
      .options('/api/chat')
      .set('Origin', 'https://evil.example.com')
      .set('Access-Control-Request-Method', 'POST');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });
});
