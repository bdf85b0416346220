import { createClient, type RedisClientType } from 'redis';
import { RedisTestServer } from '../../../test/support/redis-server';
import { RedisConversationIndex } from './redis-conversation.index';

const turn = (threadId: string, at: Date, question = 'q') => ({
  userId: 'u',
  threadId,
  at,
  question,
  answer: 'a'.repeat(300),
  messageCount: 2,
  messageIds: [`${threadId}-m`],
});

describe('RedisConversationIndex', () => {
  let server: RedisTestServer;
  let client: RedisClientType;

  beforeAll(async () => {
    server = await RedisTestServer.start('plain');
    client = createClient({ url: server.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });

  it('keeps the first question as title, clips previews by characters, and expires with the TTL', async () => {
    const sut = new RedisConversationIndex(client, 'ttl', 60);
    await sut.record(turn('u:1', new Date(), '请'.repeat(60)));
    await sut.record(turn('u:1', new Date(), 'second'));
    const summary = await sut.get('u', 'u:1');
    expect(summary?.title).toBe('请'.repeat(50));
    expect(summary?.last_question).toBe('second');
    expect(summary?.last_answer).toHaveLength(200);
    const keys = await client.keys('ttl:user:{u}:*');
    expect(keys).toHaveLength(3);
    for (const key of keys) expect(await client.ttl(key)).toBeGreaterThan(50);
  });

  it('drops threads idle for longer than the TTL, as their checkpoints have expired', async () => {
    const sut = new RedisConversationIndex(client, 'stale', 60);
    await sut.record(turn('u:old', new Date(Date.now() - 120_000)));
    await sut.record(turn('u:new', new Date()));
    expect((await sut.list('u', 10)).items.map((i) => i.thread_id)).toEqual(['u:new']);
    expect(await sut.get('u', 'u:old')).toBeUndefined();
  });
});
