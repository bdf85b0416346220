import { MemorySaver } from '@langchain/langgraph-checkpoint';
import {
  deltaChannelHistoryTests,
  validate,
  type CheckpointSaverTestInitializer,
} from '@langchain/langgraph-checkpoint-validation';

const initializer: CheckpointSaverTestInitializer<MemorySaver> = {
  checkpointerName: 'MemorySaver',
  createCheckpointer: () => new MemorySaver(),
};

validate(initializer);
deltaChannelHistoryTests(initializer);
