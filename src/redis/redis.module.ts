import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { createRedisClient } from './redis-client.factory';
import { isConnected, type RedisConnection } from './redis-connection';
import { REDIS_CLIENT } from './redis.constants';
import { setRedisCommandTimeout } from './redis-script';

@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfigService],
      useFactory: async (config: AppConfigService): Promise<RedisConnection | null> => {
        const url = config.get('REDIS_URL');
        if (!url) return null;
        setRedisCommandTimeout(config.get('REDIS_COMMAND_TIMEOUT_MS'));
        return createRedisClient({
          url,
          connectTimeoutMs: config.get('REDIS_CONNECT_TIMEOUT_MS'),
        });
      },
    },
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisModule.name);

  constructor(@Inject(REDIS_CLIENT) private readonly client: RedisConnection | null) {}

  /** Runs after the HTTP server has drained, so in-flight turns could still write. */
  async onApplicationShutdown(): Promise<void> {
    if (!this.client?.isOpen) return;
    // QUIT needs a live connection; while Redis is down, just stop reconnecting.
    if (!isConnected(this.client)) {
      await this.client.disconnect().catch(() => undefined);
      return;
    }
    try {
      await this.client.quit();
    } catch (err) {
      this.logger.warn(`quit failed, disconnecting: ${(err as Error).message}`);
      await this.client.disconnect().catch(() => undefined);
    }
  }
}
