import { deltaChannelHistoryTests, validate } from '@langchain/langgraph-checkpoint-validation';
import { RedisCheckpointSaver } from '../../src/checkpoint/redis.saver';
import { redisInitializer } from './redis-support';

// Our core-commands saver on a local 3-master Redis Cluster (Debian's redis-server).
const initializer = redisInitializer('RedisCheckpointSaver on Redis Cluster', 'cluster', (redis) => new RedisCheckpointSaver(redis));

validate(initializer);
deltaChannelHistoryTests(initializer);
