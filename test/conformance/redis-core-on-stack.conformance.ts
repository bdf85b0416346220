import { deltaChannelHistoryTests, validate } from '@langchain/langgraph-checkpoint-validation';
import { RedisCheckpointSaver } from '../../src/checkpoint/redis.saver';
import { redisInitializer } from './redis-support';

// Our core-commands saver on Redis Stack: it must not depend on what the modules add.
const initializer = redisInitializer('RedisCheckpointSaver on Redis Stack', 'stack', (client) => new RedisCheckpointSaver(client));

validate(initializer);
deltaChannelHistoryTests(initializer);
