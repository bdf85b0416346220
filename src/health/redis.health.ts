import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfigService } from '../config/app-config.service';
import { isConnected, pingAll, type RedisConnection } from '../redis/redis-connection';
import { REDIS_CLIENT } from '../redis/redis.constants';

/** PINGs the shared client; down at once when it is not connected. Never throws. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly client: RedisConnection | null,
    private readonly config: AppConfigService,
  ) {}

  async isHealthy(key = 'redis') {
    const indicator = this.health.check(key);
    if (!this.client) {
      return indicator.up({ mode: 'embedded', message: 'REDIS_URL is not set: checkpoints are kept in memory' });
    }
    if (!isConnected(this.client)) {
      return indicator.down({ message: 'not connected; reconnecting' });
    }
    const timeoutMs = this.config.get('REDIS_PING_TIMEOUT_MS');
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        pingAll(this.client),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`PING timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return indicator.up({ responseTimeMs: Date.now() - started });
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
