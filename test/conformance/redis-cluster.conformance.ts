import { deltaChannelHistoryTests, validate, type CheckpointSaverTestInitializer } from '@langchain/langgraph-checkpoint-validation';
import { createCluster, type RedisClusterType } from 'redis';
import { RedisCheckpointSaver } from '../../src/checkpoint/redis.saver';
import { RedisTestCluster } from '../support/redis-cluster';

// Our core-commands saver on a local 3-master Redis Cluster (Debian's redis-server).
let cluster: RedisTestCluster | undefined;
const clients = new Map<RedisCheckpointSaver, RedisClusterType>();

const initializer: CheckpointSaverTestInitializer<RedisCheckpointSaver> = {
  checkpointerName: 'RedisCheckpointSaver on Redis Cluster',
  beforeAllTimeout: 60_000,
  async beforeAll() {
    cluster = await RedisTestCluster.start(3);
  },
  async afterAll() {
    await Promise.all([...clients.values()].map((c) => c.quit().catch(() => undefined)));
    await cluster?.stop();
  },
  async createCheckpointer() {
    const client: RedisClusterType = createCluster({ rootNodes: cluster!.rootNodes });
    await client.connect();
    const saver = new RedisCheckpointSaver(client);
    clients.set(saver, client);
    return saver;
  },
  async destroyCheckpointer(saver) {
    const client = clients.get(saver);
    clients.delete(saver);
    if (!client) return;
    await Promise.all(client.masters.map(async (m) => (await client.nodeClient(m)).flushAll()));
    await client.quit();
  },
};

validate(initializer);
deltaChannelHistoryTests(initializer);
