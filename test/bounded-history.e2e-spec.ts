import type { NestExpressApplication } from '@nestjs/platform-express';
import { createClient } from 'redis';
import request from 'supertest';
import { RedisTestServer } from './support/redis-server';
import { createTestApp } from './support/test-app';

describe('AGENT_MAX_HISTORY_MESSAGES with AGENT_SUMMARIZE on Redis', () => {
  let redis: RedisTestServer;
  let app: NestExpressApplication;

  beforeAll(async () => {
    redis = await RedisTestServer.start('plain');
    app = await createTestApp({ REDIS_URL: redis.url, AGENT_MAX_HISTORY_MESSAGES: '10', AGENT_SUMMARIZE: 'true' });
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('keeps a 300-turn conversation bounded in the stored state, with a running summary', async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    const storedBytes = async () => {
      const values = await client.hVals('lgcp:{polo:long}:blobs');
      return values.reduce((sum, v) => sum + v.length, 0);
    };
    const counts: number[] = [];
    const bytes: Record<number, number> = {};
    for (let turn = 1; turn <= 300; turn++) {
      const res = await request(app.getHttpServer())
        .post('/api/chat')
        .send({ user_id: 'polo', question: `question number ${turn}`, thread_id: 'polo:long' })
        .expect(200);
      counts.push(res.body.data.message_count);
      if ([20, 100, 300].includes(turn)) bytes[turn] = await storedBytes();
    }
    await client.quit();
    // The stored thread, summary and answer included, stays within the 10 messages.
    expect(Math.max(...counts)).toBeLessThanOrEqual(10);
    // One checkpoint per turn with exit durability, each with the bounded list: storage grows
    // by a bounded amount per turn instead of by the whole history.
    const perTurnEarly = (bytes[100] - bytes[20]) / 80;
    const perTurnLate = (bytes[300] - bytes[100]) / 200;
    expect(perTurnLate / perTurnEarly).toBeLessThan(1.5);

    const detail = await request(app.getHttpServer()).get('/api/users/polo/conversations/polo:long').expect(200);
    expect(detail.body.data.messages.length).toBeLessThanOrEqual(10);
    expect(detail.body.data.messages.at(-2)).toMatchObject({ type: 'human', content: 'question number 300' });
    expect(detail.body.data.summary).toMatch(/^Earlier in this conversation the user asked 29\d questions:\n- question number 1\n…\n/);
    expect(detail.body.data.summary).toContain('- question number 295');
  }, 120_000);
});
