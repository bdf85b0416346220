import { plainRedisForSuite } from '../../../test/support/redis-client';
import { RedisConversationIndex } from './redis-conversation.index';

const turn = (threadId: string, at: Date, question = 'q') => ({
  userId: 'u',
  threadId,
  at,
  question,
  answer: 'a'.repeat(300),
  messageCount: 2,
  messageIds: [`${threadId}-m`],
  threadMessageIds: [`${threadId}-m`],
});

describe('RedisConversationIndex', () => {
  const redis = plainRedisForSuite();

  it('keeps the first question as title, clips previews by characters, and expires with the TTL', async () => {
    const sut = new RedisConversationIndex(redis.client, 'ttl', 60);
    await sut.record(turn('u:1', new Date(), '请'.repeat(60)));
    await sut.record(turn('u:1', new Date(), 'second'));
    const summary = await sut.get('u', 'u:1');
    expect(summary?.title).toBe('请'.repeat(50));
    expect(summary?.last_question).toBe('second');
    expect(summary?.last_answer).toHaveLength(200);
    const keys = await redis.client.keys('ttl:user:{u}:*');
    expect(keys).toHaveLength(3);
    for (const key of keys) expect(await redis.client.ttl(key)).toBeGreaterThan(50);
  });

  it('drops threads idle for longer than the TTL, as their checkpoints have expired', async () => {
    const sut = new RedisConversationIndex(redis.client, 'stale', 60);
    await sut.record(turn('u:old', new Date(Date.now() - 120_000)));
    await sut.record(turn('u:new', new Date()));
    expect((await sut.list('u', 10)).items.map((i) => i.thread_id)).toEqual(['u:new']);
    expect(await sut.get('u', 'u:old')).toBeUndefined();
  });

  it('keeps a message\'s first time, and only the times of messages still in the thread', async () => {
    const sut = new RedisConversationIndex(redis.client, 'times');
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    const record = (s: number, added: string[], still: string[]) =>
      sut.record({ ...turn('u:t', at(s)), messageIds: added, threadMessageIds: still });
    await record(1, ['h1', 'a1'], ['h1', 'a1']);
    await record(2, ['h2', 'a2'], ['h1', 'a1', 'h2', 'a2']);
    await record(3, ['h2', 'a2'], ['h1', 'a1', 'h2', 'a2']); // recorded again (a replayed answer)
    await record(4, ['h3', 'a3'], ['summary', 'h2', 'a2', 'h3', 'a3']); // bounded history cut turn 1
    expect(await sut.messageTimes('u', 'u:t')).toEqual({
      h2: at(2).toISOString(),
      a2: at(2).toISOString(),
      h3: at(4).toISOString(),
      a3: at(4).toISOString(),
    });
  });
});
