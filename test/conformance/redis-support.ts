import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { createClient, createCluster, type RedisClientType } from 'redis';
import { isCluster, type RedisConnection } from '../../src/redis/redis-connection';
import { RedisTestCluster } from '../support/redis-cluster';
import { type RedisFlavor, RedisTestServer } from '../support/redis-server';

/** Where the conformance suite runs: a standalone server of a flavor, or a 3-master Cluster. */
export type Deployment = RedisFlavor | 'cluster';

async function startDeployment(deployment: Deployment) {
  if (deployment === 'cluster') {
    const cluster = await RedisTestCluster.start(3);
    return { connect: () => createCluster({ rootNodes: cluster.rootNodes }) as RedisConnection, stop: () => cluster.stop() };
  }
  const server = await RedisTestServer.start(deployment);
  return { connect: () => createClient({ url: server.url }) as RedisConnection, stop: () => server.stop() };
}

/** FLUSHALL everywhere; it also drops the RediSearch indexes. */
async function flush(redis: RedisConnection) {
  if (isCluster(redis)) await Promise.all(redis.masters.map(async (m) => (await redis.nodeClient(m)).flushAll()));
  else await redis.flushAll();
}

/**
 * A conformance initializer on real Redis: the deployment lives for the whole file, every
 * checkpointer gets its own connection, and its data is wiped afterwards.
 */
export function redisInitializer<T extends BaseCheckpointSaver, C extends RedisConnection = RedisClientType>(
  checkpointerName: string,
  deployment: Deployment,
  makeSaver: (redis: C) => T | Promise<T>,
): CheckpointSaverTestInitializer<T> {
  let running: Awaited<ReturnType<typeof startDeployment>> | undefined;
  const connections = new Map<T, RedisConnection>();
  return {
    checkpointerName,
    beforeAllTimeout: 60_000,
    async beforeAll() {
      running = await startDeployment(deployment);
    },
    async afterAll() {
      await Promise.all([...connections.values()].map((c) => c.quit().catch(() => undefined)));
      await running?.stop();
    },
    async createCheckpointer() {
      const redis = running!.connect();
      await redis.connect();
      const saver = await makeSaver(redis as C);
      connections.set(saver, redis);
      return saver;
    },
    async destroyCheckpointer(saver) {
      const redis = connections.get(saver);
      connections.delete(saver);
      if (!redis) return;
      await flush(redis);
      await redis.quit();
    },
  };
}

