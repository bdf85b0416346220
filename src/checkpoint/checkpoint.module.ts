import { Logger, Module } from '@nestjs/common';
import { BaseCheckpointSaver, MemorySaver } from '@langchain/langgraph-checkpoint';
import { AppConfigService } from '../config/app-config.service';
import type { RedisClient } from '../redis/redis-client.factory';
import { REDIS_CLIENT } from '../redis/redis.constants';
import { chooseCheckpointBackend } from './checkpoint-backend';
import { CHECKPOINTER, CHECKPOINTER_INFO, CheckpointerInfo } from './checkpoint.constants';
import { detectRedisCapabilities } from './redis-capabilities';
import { RedisStackSaver } from './redis-stack.saver';

const logger = new Logger('CheckpointModule');

async function resolveInfo(
  config: AppConfigService,
  client: RedisClient | null,
): Promise<CheckpointerInfo> {
  const setting = config.get('CHECKPOINT_BACKEND');
  const capabilities = client && setting !== 'memory' ? await detectRedisCapabilities(client) : undefined;
  const backend = chooseCheckpointBackend(setting, client !== null, capabilities);
  if (backend === 'memory') {
    logger.warn(
      'Checkpoints are kept IN PROCESS MEMORY: conversations are lost on restart and not shared ' +
        'between instances. Set REDIS_URL to a Redis 8 / Redis Stack server for durable conversations.',
    );
    return { backend, embedded: true };
  }
  const ttlMinutes = config.get('CHECKPOINT_TTL_MINUTES');
  logger.log(`Checkpoints are stored in Redis (${backend}${ttlMinutes ? `, TTL ${ttlMinutes} min` : ''})`);
  return { backend, embedded: false, ttlMinutes };
}

async function createSaver(info: CheckpointerInfo, client: RedisClient | null): Promise<BaseCheckpointSaver> {
  if (info.backend === 'memory' || !client) return new MemorySaver();
  const saver = new RedisStackSaver(
    client,
    info.ttlMinutes ? { defaultTTL: info.ttlMinutes, refreshOnRead: true } : undefined,
  );
  // Created now rather than on the first request, so a broken server fails start-up.
  await saver.ensureIndexes();
  return saver;
}

@Module({
  providers: [
    {
      provide: CHECKPOINTER_INFO,
      inject: [AppConfigService, REDIS_CLIENT],
      useFactory: resolveInfo,
    },
    {
      provide: CHECKPOINTER,
      inject: [CHECKPOINTER_INFO, REDIS_CLIENT],
      useFactory: createSaver,
    },
  ],
  exports: [CHECKPOINTER, CHECKPOINTER_INFO],
})
export class CheckpointModule {}
