import { Module } from '@nestjs/common';
import { CheckpointModule } from '../checkpoint/checkpoint.module';
import { CHECKPOINTER_INFO, type CheckpointerInfo } from '../checkpoint/checkpoint.constants';
import { AppConfigService } from '../config/app-config.service';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CLIENT } from '../redis/redis.constants';
import { MemoryThreadLock } from './memory-thread.lock';
import { RedisThreadLock } from './redis-thread.lock';
import { THREAD_LOCK, type ThreadLock } from './thread-lock';

@Module({
  imports: [CheckpointModule],
  providers: [
    {
      provide: THREAD_LOCK,
      inject: [CHECKPOINTER_INFO, REDIS_CLIENT, AppConfigService],
      // Where the checkpoints are shared between instances, so is the lock.
      useFactory: (info: CheckpointerInfo, redis: RedisConnection | null, config: AppConfigService): ThreadLock =>
        info.embedded || !redis
          ? new MemoryThreadLock()
          : new RedisThreadLock(redis, config.get('CHECKPOINT_KEY_PREFIX'), config.get('THREAD_LEASE_TTL_MS')),
    },
  ],
  exports: [THREAD_LOCK],
})
export class ThreadLockModule {}
