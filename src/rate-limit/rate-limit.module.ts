import { Logger, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfigService } from '../config/app-config.service';
import type { RedisConnection } from '../redis/redis-connection';
import { REDIS_CLIENT } from '../redis/redis.constants';
import { PrincipalThrottlerGuard } from './principal-throttler.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/** Named limits: chat turns cost a model call, reads are cheap. */
export const CHAT_LIMIT = 'chat';
export const READ_LIMIT = 'reads';

@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfigService, REDIS_CLIENT],
      useFactory: (config: AppConfigService, redis: RedisConnection | null) => {
        const windowMs = config.get('RATE_LIMIT_WINDOW_SECONDS') * 1000;
        if (!redis) new Logger('RateLimit').log('rate limits are counted in this process (no REDIS_URL)');
        return {
          throttlers: [
            { name: CHAT_LIMIT, ttl: windowMs, limit: config.get('RATE_LIMIT_CHAT') },
            { name: READ_LIMIT, ttl: windowMs, limit: config.get('RATE_LIMIT_READS') },
          ],
          // Shared by every instance when Redis is there; the in-process default otherwise.
          storage: redis ? new RedisThrottlerStorage(redis, config.get('CHECKPOINT_KEY_PREFIX')) : undefined,
          skipIf: () => !config.get('RATE_LIMIT_ENABLED'),
        };
      },
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: PrincipalThrottlerGuard }],
})
export class RateLimitModule {}
