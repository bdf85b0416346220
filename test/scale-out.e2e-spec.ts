import { createClient } from 'redis';
import { RedisCheckpointSaver } from '../src/checkpoint/redis.saver';
import { AppProcess } from './support/app-process';
import { inParallel } from './support/checkpoint-turns';
import { RedisTestServer } from './support/redis-server';

describe('three app processes on one Redis', () => {
  let redis: RedisTestServer;
  let apps: AppProcess[] = [];

  beforeAll(async () => {
    redis = await RedisTestServer.start('plain');
    apps = await Promise.all([0, 1, 2].map(() => AppProcess.spawn({ REDIS_URL: redis.url, RATE_LIMIT_ENABLED: 'false' })));
    await Promise.all(apps.map((a) => a.ready()));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await redis?.stop();
  });

  it('serve 300 turns over 30 threads round-robin, every history complete and linear', async () => {
    const threads = Array.from({ length: 30 }, (_, i) => `scale:t${i}`);
    let request = 0;
    for (let turn = 0; turn < 10; turn++) {
      await inParallel(threads, 30, async (thread) => {
        const app = apps[request++ % apps.length];
        const res = await fetch(`${app.url}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user_id: 'scale', question: `${thread} #${turn}`, thread_id: thread }),
        });
        expect(res.status).toBe(200);
        expect((await res.json()).data.message_count).toBe(2 * (turn + 1));
      });
    }
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const saver = new RedisCheckpointSaver(client as never);
      for (const thread of threads) {
        const latest = await saver.getTuple({ configurable: { thread_id: thread } });
        const questions = (latest?.checkpoint.channel_values.messages as Array<{ content: string }>)
          .filter((_, i) => i % 2 === 0)
          .map((m) => m.content);
        expect(questions).toEqual(Array.from({ length: 10 }, (_, t) => `${thread} #${t}`));
        const history: Array<{ id: string; parent?: string }> = [];
        for await (const t of saver.list({ configurable: { thread_id: thread } })) {
          history.push({ id: t.config.configurable?.checkpoint_id, parent: t.parentConfig?.configurable?.checkpoint_id });
        }
        history.forEach((c, i) => expect(c.parent).toBe(history[i + 1]?.id));
      }
    } finally {
      await client.quit();
    }
  }, 120_000);
});
