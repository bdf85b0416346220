import { deltaChannelHistoryTests, validate } from '@langchain/langgraph-checkpoint-validation';
import { RedisCheckpointSaver } from '../../src/checkpoint/redis.saver';
import { redisInitializer } from './redis-support';

// The same saver with every value stored in chunks and cached (minChunkedChars 0), so the whole
// suite goes through the path that long conversations take.
const initializer = redisInitializer(
  'RedisCheckpointSaver on plain Redis, every value in chunks',
  'plain',
  (client) => new RedisCheckpointSaver(client, { minChunkedChars: 0 }),
);

validate(initializer);
deltaChannelHistoryTests(initializer);
