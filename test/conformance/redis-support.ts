import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { createClient, type RedisClientType } from 'redis';
import { type RedisFlavor, RedisTestServer } from '../support/redis-server';

/**
 * A conformance initializer on a real Redis server: the server lives for the whole file, every
 * checkpointer gets its own client, and FLUSHALL (which also drops the RediSearch indexes)
 * wipes its data afterwards.
 */
export function redisInitializer<T extends BaseCheckpointSaver>(
  checkpointerName: string,
  flavor: RedisFlavor,
  makeSaver: (client: RedisClientType) => T | Promise<T>,
): CheckpointSaverTestInitializer<T> {
  let server: RedisTestServer | undefined;
  const clients = new Map<T, RedisClientType>();
  return {
    checkpointerName,
    beforeAllTimeout: 30_000,
    async beforeAll() {
      server = await RedisTestServer.start(flavor);
    },
    async afterAll() {
      await Promise.all([...clients.values()].map((client) => client.quit().catch(() => undefined)));
      await server?.stop();
    },
    async createCheckpointer() {
      const client: RedisClientType = createClient({ url: server!.url });
      await client.connect();
      const saver = await makeSaver(client);
      clients.set(saver, client);
      return saver;
    },
    async destroyCheckpointer(saver) {
      const client = clients.get(saver);
      clients.delete(saver);
      if (!client) return;
      await client.flushAll();
      await client.quit();
    },
  };
}
