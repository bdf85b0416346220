import { createClient, type RedisClientType } from 'redis';
import { RedisTestServer } from '../../test/support/redis-server';
import { type IdempotencyStore, MemoryIdempotencyStore, RedisIdempotencyStore } from './idempotency.store';

describe.each(['memory', 'redis'] as const)('%s idempotency store', (kind) => {
  let server: RedisTestServer | undefined;
  let client: RedisClientType | undefined;
  let store: IdempotencyStore;

  beforeAll(async () => {
    if (kind === 'memory') return;
    server = await RedisTestServer.start('plain');
    client = createClient({ url: server.url });
    await client.connect();
  });
  beforeEach(() => {
    store = kind === 'memory' ? new MemoryIdempotencyStore() : new RedisIdempotencyStore(client!, `t${Date.now()}`);
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });

  it('leaves alone a claim that another request took after its own expired', async () => {
    expect(await store.claim('k', 'f', 50, 'first')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 80)); // the first request's claim ran out (a stall)
    expect(await store.claim('k', 'f', 60_000, 'second')).toBeUndefined();

    await store.extend('k', 10, 'first');
    await store.release('k', 'first');
    await new Promise((r) => setTimeout(r, 30));
    expect(await store.get('k')).toMatchObject({ state: 'running', owner: 'second' });

    await store.release('k', 'second');
    expect(await store.get('k')).toBeUndefined();
  });
});

describe('memory idempotency store', () => {
  afterEach(() => jest.useRealTimers());

  it('forgets expired records of keys never used again', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-26T00:00:00Z') });
    const store = new MemoryIdempotencyStore();
    for (let i = 0; i < 100; i++) await store.complete(`once-${i}`, { state: 'done', fingerprint: 'f', status: 200, body: {} }, 1_000);
    jest.setSystemTime(new Date('2026-11-26T00:02:00Z'));
    await store.claim('new', 'f', 60_000, 'owner');
    expect((store as unknown as { records: Map<string, unknown> }).records.size).toBe(1);
  });
});
