import { chooseCheckpointBackend } from './checkpoint-backend';

const stack = { json: true, search: true };

describe('chooseCheckpointBackend', () => {
  it('uses memory when asked, or by default without REDIS_URL', () => {
    expect(chooseCheckpointBackend('memory', true, stack)).toBe('memory');
    expect(chooseCheckpointBackend('auto', false)).toBe('memory');
  });

  it('uses the core-commands saver with REDIS_URL under auto, on any Redis', () => {
    expect(chooseCheckpointBackend('auto', true)).toBe('redis');
    expect(chooseCheckpointBackend('redis', true)).toBe('redis');
  });

  it('uses redis-stack only when asked and the server has RedisJSON and RediSearch', () => {
    expect(chooseCheckpointBackend('redis-stack', true, stack)).toBe('redis-stack');
  });

  it.each(['redis', 'redis-stack'] as const)('refuses %s without REDIS_URL', (setting) => {
    expect(() => chooseCheckpointBackend(setting, false)).toThrow(/needs REDIS_URL/);
  });

  it('names the missing modules and the Redis that is needed', () => {
    expect(() => chooseCheckpointBackend('redis-stack', true, { json: false, search: false })).toThrow(
      /lacks RedisJSON and RediSearch.*Redis 8.*CHECKPOINT_BACKEND=redis/,
    );
    expect(() => chooseCheckpointBackend('redis-stack', true, { json: true, search: false })).toThrow(
      /lacks RediSearch,/,
    );
  });
});
