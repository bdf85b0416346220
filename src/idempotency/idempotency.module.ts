import { Module } from '@nestjs/common';
import { CheckpointModule } from '../checkpoint/checkpoint.module';
import { CHECKPOINTER_INFO, type CheckpointerInfo } from '../checkpoint/checkpoint.constants';
import { AppConfigService } from '../config/app-config.service';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CLIENT } from '../redis/redis.constants';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IDEMPOTENCY_STORE, MemoryIdempotencyStore, RedisIdempotencyStore } from './idempotency.store';

@Module({
  imports: [CheckpointModule],
  providers: [
    IdempotencyInterceptor,
    {
      provide: IDEMPOTENCY_STORE,
      inject: [CHECKPOINTER_INFO, REDIS_CLIENT, AppConfigService],
      useFactory: (info: CheckpointerInfo, redis: RedisConnection | null, config: AppConfigService) =>
        info.embedded || !redis ? new MemoryIdempotencyStore() : new RedisIdempotencyStore(redis, config.get('CHECKPOINT_KEY_PREFIX')),
    },
  ],
  exports: [IdempotencyInterceptor, IDEMPOTENCY_STORE],
})
export class IdempotencyModule {}
