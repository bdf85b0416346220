import { RedisSaver } from '@langchain/langgraph-checkpoint-redis';
import { deltaChannelHistoryTests, validate } from '@langchain/langgraph-checkpoint-validation';
import { redisInitializer } from './redis-support';

// The unmodified library saver, only to report its own results (it fails some tests).
const initializer = redisInitializer('RedisSaver (upstream 1.0.11)', 'stack', async (client) => {
  const saver = new RedisSaver(client as ConstructorParameters<typeof RedisSaver>[0]);
  // @ts-expect-error private in the .d.ts; the app would call it through fromUrl()
  await saver.ensureIndexes();
  return saver;
});

validate(initializer);
deltaChannelHistoryTests(initializer);
