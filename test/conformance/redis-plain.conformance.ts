import { deltaChannelHistoryTests, validate } from '@langchain/langgraph-checkpoint-validation';
import { RedisCheckpointSaver } from '../../src/checkpoint/redis.saver';
import { redisInitializer } from './redis-support';

// Our core-commands saver on Debian's plain redis-server (no modules).
const initializer = redisInitializer('RedisCheckpointSaver on plain Redis', 'plain', (client) => new RedisCheckpointSaver(client));

validate(initializer);
deltaChannelHistoryTests(initializer);
