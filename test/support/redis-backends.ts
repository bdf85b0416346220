import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { createClient, createCluster, type RedisClientType } from 'redis';
import { RedisStackSaver } from '../../src/checkpoint/redis-stack.saver';
import { RedisCheckpointSaver } from '../../src/checkpoint/redis.saver';
import type { RedisConnection } from '../../src/redis/redis-connection';
import { RedisTestCluster } from './redis-cluster';
import { RedisTestServer } from './redis-server';

/** A real Redis deployment started for a test, with the app settings that select one backend. */
export interface RunningBackend {
  /** REDIS_URL and CHECKPOINT_BACKEND for the app. */
  env: Record<string, string>;
  /** A fresh connection plus a saver of the same kind as the app's, to read what the app stored. */
  openReader(): Promise<{ saver: BaseCheckpointSaver; redis: RedisConnection; close(): Promise<void> }>;
  stop(): Promise<void>;
  /** Stops and restarts the server(s) on the same port(s), for outage tests (standalone only). */
  server?: RedisTestServer;
}

export interface BackendUnderTest {
  name: string;
  start(): Promise<RunningBackend>;
}

async function connect(url: string): Promise<RedisConnection> {
  const urls = url.split(',');
  const redis: RedisConnection =
    urls.length > 1 ? createCluster({ rootNodes: urls.map((u) => ({ url: u })) }) : createClient({ url });
  await redis.connect();
  return redis;
}

function backend(
  name: string,
  startServer: () => Promise<{ url: string; stop(): Promise<void>; server?: RedisTestServer }>,
  setting: 'auto' | 'redis' | 'redis-stack',
): BackendUnderTest {
  return {
    name,
    async start() {
      const running = await startServer();
      return {
        env: { REDIS_URL: running.url, CHECKPOINT_BACKEND: setting },
        server: running.server,
        stop: () => running.stop(),
        async openReader() {
          const redis = await connect(running.url);
          const saver =
            setting === 'redis-stack'
              ? new RedisStackSaver(redis as RedisClientType)
              : new RedisCheckpointSaver(redis);
          return { saver, redis, close: async () => void (await redis.quit()) };
        },
      };
    },
  };
}

const standalone = (flavor: 'plain' | 'stack') => async () => {
  const server = await RedisTestServer.start(flavor);
  return { url: server.url, stop: () => server.stop(), server };
};

const cluster = async () => {
  const nodes = await RedisTestCluster.start(3);
  return { url: nodes.rootNodes.map((n) => n.url).join(','), stop: () => nodes.stop() };
};

/** Every Redis backend the service supports, each on the kind of server it is meant for. */
export const REDIS_BACKENDS: BackendUnderTest[] = [
  backend('redis (core commands) on plain Redis', standalone('plain'), 'auto'),
  backend('redis (core commands) on a 3-master Redis Cluster', cluster, 'auto'),
  backend('redis (core commands) on Redis Stack', standalone('stack'), 'redis'),
  backend('redis-stack (RedisJSON + RediSearch) on Redis Stack', standalone('stack'), 'redis-stack'),
];
