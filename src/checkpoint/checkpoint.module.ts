import { Logger, Module } from '@nestjs/common';
import { BaseCheckpointSaver, MemorySaver } from '@langchain/langgraph-checkpoint';
import type { RedisClientType } from 'redis';
import { AppConfigService } from '../config/app-config.service';
import { instrumentSaver } from '../metrics/instrument-saver';
import { MetricsService } from '../metrics/metrics.service';
import { isCluster, type RedisConnection } from '../redis/redis-connection';
import { REDIS_CLIENT } from '../redis/redis.constants';
import { CheckpointBackendError, chooseCheckpointBackend } from './checkpoint-backend';
import { CHECKPOINTER, CHECKPOINTER_INFO, CheckpointerInfo } from './checkpoint.constants';
import { detectRedisCapabilities } from './redis-capabilities';
import { RedisStackSaver } from './redis-stack.saver';
import { RedisCheckpointSaver } from './redis.saver';

const logger = new Logger('CheckpointModule');

async function resolveInfo(config: AppConfigService, redis: RedisConnection | null): Promise<CheckpointerInfo> {
  const setting = config.get('CHECKPOINT_BACKEND');
  const capabilities = redis && setting === 'redis-stack' ? await detectRedisCapabilities(redis) : undefined;
  const backend = chooseCheckpointBackend(setting, redis !== null, capabilities);
  if (backend === 'memory') {
    logger.warn(
      'Checkpoints are kept IN PROCESS MEMORY: conversations are lost on restart and not shared ' +
        'between instances. Set REDIS_URL for durable conversations.',
    );
    return { backend, embedded: true };
  }
  const ttlMinutes = config.get('CHECKPOINT_TTL_MINUTES');
  const keepLatest = config.get('CHECKPOINT_KEEP_LATEST');
  const extras = [ttlMinutes && `TTL ${ttlMinutes} min`, keepLatest && `keeping the latest ${keepLatest} per thread`];
  logger.log(`Checkpoints are stored in Redis (${[backend, ...extras].filter(Boolean).join(', ')})`);
  return { backend, embedded: false, ttlMinutes, keepLatest };
}

async function createSaver(
  info: CheckpointerInfo,
  redis: RedisConnection | null,
  config: AppConfigService,
): Promise<BaseCheckpointSaver> {
  if (info.backend === 'memory' || !redis) return new MemorySaver();
  if (info.backend === 'redis') {
    return new RedisCheckpointSaver(redis, {
      keyPrefix: config.get('CHECKPOINT_KEY_PREFIX'),
      ttlMinutes: info.ttlMinutes,
      // A thread lives CHECKPOINT_TTL_MINUTES after its last turn, as its conversation-list entry
      // does: reading it (GET of the conversation) does not prolong one without the other.
      refreshOnRead: false,
      keepLatest: info.keepLatest,
      cacheMegabytes: config.get('CHECKPOINT_CACHE_MB'),
    });
  }
  if (isCluster(redis)) {
    throw new CheckpointBackendError('CHECKPOINT_BACKEND=redis-stack does not run on Redis Cluster; use redis (or auto).');
  }
  if (info.keepLatest) logger.warn('CHECKPOINT_KEEP_LATEST is not supported by the redis-stack backend; ignored');
  const saver = new RedisStackSaver(
    redis as RedisClientType,
    info.ttlMinutes ? { defaultTTL: info.ttlMinutes, refreshOnRead: false } : undefined,
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
      inject: [CHECKPOINTER_INFO, REDIS_CLIENT, AppConfigService, MetricsService],
      useFactory: async (info: CheckpointerInfo, redis: RedisConnection | null, config: AppConfigService, metrics: MetricsService) =>
        instrumentSaver(await createSaver(info, redis, config), info.backend, metrics),
    },
  ],
  exports: [CHECKPOINTER, CHECKPOINTER_INFO],
})
export class CheckpointModule {}
