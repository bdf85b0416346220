import { Module } from '@nestjs/common';
import { CheckpointModule } from '../checkpoint/checkpoint.module';
import { CHECKPOINTER_INFO, type CheckpointerInfo } from '../checkpoint/checkpoint.constants';
import { AppConfigService } from '../config/app-config.service';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CLIENT } from '../redis/redis.constants';
import { MemoryRunRegistry } from './memory-run.registry';
import { RedisRunRegistry } from './redis-run.registry';
import { RUN_REGISTRY, type RunRegistry } from './run-registry';

@Module({
  imports: [CheckpointModule],
  providers: [
    {
      provide: RUN_REGISTRY,
      inject: [CHECKPOINTER_INFO, REDIS_CLIENT, AppConfigService],
      useFactory: async (info: CheckpointerInfo, redis: RedisConnection | null, config: AppConfigService): Promise<RunRegistry> => {
        if (info.embedded || !redis) return new MemoryRunRegistry();
        const registry = new RedisRunRegistry(redis, config.get('CHECKPOINT_KEY_PREFIX'), config.get('THREAD_LEASE_TTL_MS'));
        await registry.listen();
        return registry;
      },
    },
  ],
  exports: [RUN_REGISTRY],
})
export class RunsModule {}
