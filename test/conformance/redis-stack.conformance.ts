import { deltaChannelHistoryTests, validate } from '@langchain/langgraph-checkpoint-validation';
import { RedisStackSaver } from '../../src/checkpoint/redis-stack.saver';
import { redisInitializer } from './redis-support';

const initializer = redisInitializer('RedisStackSaver', 'stack', async (client) => {
  const saver = new RedisStackSaver(client);
  await saver.ensureIndexes();
  return saver;
});

validate(initializer);
deltaChannelHistoryTests(initializer);
