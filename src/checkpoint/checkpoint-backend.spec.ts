import { chooseCheckpointBackend } from './checkpoint-backend';

const stack = { json: true, search: true };

describe('chooseCheckpointBackend', () => {
  it('uses memory when asked, or by default without REDIS_URL', () => {
    expect(chooseCheckpointBackend('memory', true, stack)).toBe('memory');
    expect(chooseCheckpointBackend('auto', false)).toBe('memory');
  });

  it('uses redis-stack when the server has RedisJSON and RediSearch', () => {
    expect(chooseCheckpointBackend('auto', true, stack)).toBe('redis-stack');
    expect(chooseCheckpointBackend('redis-stack', true, stack)).toBe('redis-stack');
  });

  it('refuses redis-stack without REDIS_URL', () => {
    expect(() => chooseCheckpointBackend('redis-stack', false)).toThrow(/needs REDIS_URL/);
  });

  it('names the missing modules and the Redis that is needed', () => {
    expect(() => chooseCheckpointBackend('auto', true, { json: false, search: false })).toThrow(
      /lacks RedisJSON and RediSearch.*Redis 8/,
    );
    expect(() => chooseCheckpointBackend('redis-stack', true, { json: true, search: false })).toThrow(
      /lacks RediSearch\./,
    );
  });
});
