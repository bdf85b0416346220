import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { RedisTestServer } from './support/redis-server';
import { createTestApp } from './support/test-app';

const LIMITS = { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_CHAT: '4', RATE_LIMIT_READS: '6', RATE_LIMIT_WINDOW_SECONDS: '60' };

const chat = (app: NestExpressApplication, user: string, headers: Record<string, string> = {}) =>
  request(app.getHttpServer()).post('/api/chat').set(headers).send({ user_id: user, question: 'hi' });

describe('rate limits shared through Redis by two instances', () => {
  let redis: RedisTestServer;
  let one: NestExpressApplication;
  let two: NestExpressApplication;

  beforeAll(async () => {
    redis = await RedisTestServer.start('plain');
    one = await createTestApp({ REDIS_URL: redis.url, ...LIMITS });
    two = await createTestApp({ REDIS_URL: redis.url, ...LIMITS });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await redis?.stop();
  });

  it('answers exactly one 429 to N+1 chat requests spread across both', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await chat(i % 2 ? two : one, 'dora')).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    expect(statuses.at(-1)).toBe(429);
    const limited = await chat(one, 'dora').expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another user, the read limit and health probes are counted apart.
    await chat(two, 'eve').expect(200);
    await request(one.getHttpServer()).get('/api/users/dora/conversations').expect(200);
    for (let i = 0; i < 20; i++) await request(two.getHttpServer()).get('/health/ready').expect(200);
  });

  it('counts GET /api/chat/stream per user_id of its query string, not per IP', async () => {
    const stream = (user: string) => request(one.getHttpServer()).get('/api/chat/stream').query({ user_id: user, question: 'hi' });
    for (let i = 0; i < 4; i++) await stream('gil').expect(200);
    const limited = await stream('gil').expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    await stream('hal').expect(200); // same IP, another user
  });

  it('limits reads separately', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await request((i % 2 ? two : one).getHttpServer()).get('/api/users/fay/conversations')).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    await chat(one, 'fay').expect(200);
  });
});

describe('rate limits in memory mode', () => {
  it('still limit within the process, per principal', async () => {
    const app = await createTestApp({
      REDIS_URL: undefined,
      ...LIMITS,
      AUTH_MODE: 'api-key',
      API_KEYS: 'backend-key=*,gus-key=gus',
    });
    try {
      const backend = { 'X-API-Key': 'backend-key' };
      // A trusted backend acting for many users is one caller.
      const statuses = [];
      for (const user of ['u1', 'u2', 'u3', 'u4', 'u5']) statuses.push((await chat(app, user, backend)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      await chat(app, 'gus', { 'X-API-Key': 'gus-key' }).expect(200);
    } finally {
      await app.close();
    }
  });
});

/** One chat-turn limit and one read limit per caller, not one per route. */
describe('rate limits across the routes they cover', () => {
  let redis: RedisTestServer;
  let app: NestExpressApplication;

  beforeAll(async () => {
    redis = await RedisTestServer.start('plain');
    app = await createTestApp({ REDIS_URL: redis.url, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_CHAT: '2', RATE_LIMIT_READS: '2', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('counts streamed turns against the same chat limit as POST /api/chat', async () => {
    const server = app.getHttpServer();
    await request(server).post('/api/chat').send({ user_id: 'ivy', question: 'one' }).expect(200);
    await request(server).post('/api/chat').send({ user_id: 'ivy', question: 'two' }).expect(200);
    await request(server).post('/api/chat').send({ user_id: 'ivy', question: 'three' }).expect(429);
    // The caller is over its chat-turn limit: a turn through another route is still a turn.
    const post = await request(server).post('/api/chat/stream').send({ user_id: 'ivy', question: 'four' });
    const get = await request(server).get('/api/chat/stream').query({ user_id: 'ivy', question: 'five' });
    expect([post.status, get.status]).toEqual([429, 429]);
  });

  it('counts every conversation read against one read limit', async () => {
    const server = app.getHttpServer();
    await request(server).get('/api/users/jo/conversations').expect(200);
    await request(server).get('/api/users/jo/conversations').expect(200);
    await request(server).get('/api/users/jo/conversations').expect(429);
    const detail = await request(server).get('/api/users/jo/conversations/jo:x');
    const status = await request(server).get('/api/users/jo/conversations/jo:x/status');
    expect([detail.status, status.status]).toEqual([429, 429]);
  });
});

describe('rate limits while Redis is down', () => {
  it('still count, in each instance, and do not refuse requests that need no Redis', async () => {
    const redis = await RedisTestServer.start('plain');
    const app = await createTestApp({ REDIS_URL: redis.url, ...LIMITS, RATE_LIMIT_READS: '3' });
    try {
      await redis.stop();
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await request(app.getHttpServer()).get('/api/models')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      // A turn needs Redis: that one is a 503.
      expect((await chat(app, 'erin')).status).toBe(503);
    } finally {
      await app.close();
      await redis.stop();
    }
  });
});

describe('RATE_LIMIT_CHAT counts chat turns, not stream requests that run none', () => {
  let app: NestExpressApplication;
  beforeAll(async () => {
    app = await createTestApp({ REDIS_URL: undefined, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_CHAT: '2', RATE_LIMIT_WINDOW_SECONDS: '60' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('an EventSource reconnect (410) and a HEAD (405) do not use up the chat limit', async () => {
    const query = { user_id: 'ivy', question: 'hello', thread_id: 'ivy:es' };
    await request(app.getHttpServer()).get('/api/chat/stream').query(query).expect(200);
    // What EventSource does by itself after the stream ends, and a link checker.
    await request(app.getHttpServer()).get('/api/chat/stream').query(query).set('Last-Event-ID', '5').expect(410);
    await request(app.getHttpServer()).head('/api/chat/stream').query(query).expect(405);
    // Second turn of the caller within a limit of 2 turns.
    const second = await request(app.getHttpServer()).post('/api/chat').send({ user_id: 'ivy', question: 'again', thread_id: 'ivy:es' });
    expect(second.status).toBe(200);
  });
});
