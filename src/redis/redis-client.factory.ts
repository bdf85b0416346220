import { Logger } from '@nestjs/common';
import { createClient, createCluster } from 'redis';
import type { RedisConnection } from './redis-connection';

export interface RedisClientSettings {
  /** One URL, or several separated by commas for a Redis Cluster. */
  url: string;
  connectTimeoutMs: number;
}

/** Delay between reconnect attempts: quick at first, never more than 1 s, so recovery is prompt. */
export function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** retries, 1000);
}

/** Hides credentials when a URL is logged. */
export function redactRedisUrl(url: string): string {
  return url
    .split(',')
    .map((one) => {
      try {
        const parsed = new URL(one.trim());
        if (parsed.password) parsed.password = '***';
        return parsed.toString();
      } catch {
        return '<unparseable URL>';
      }
    })
    .join(',');
}

/**
 * Creates and connects the one client of the process. Commands fail fast while the
 * connection is down (no offline queue), and the client keeps reconnecting by itself.
 */
export async function createRedisClient(settings: RedisClientSettings): Promise<RedisConnection> {
  const logger = new Logger('Redis');
  const where = redactRedisUrl(settings.url);
  const urls = settings.url.split(',').map((u) => u.trim());
  const options = {
    disableOfflineQueue: true,
    socket: { connectTimeout: settings.connectTimeoutMs, reconnectStrategy: reconnectDelay },
  };
  const redis: RedisConnection =
    urls.length > 1
      ? createCluster({ rootNodes: urls.map((url) => ({ url })), defaults: options })
      : createClient({ url: urls[0], ...options });
  let connected = false;
  redis.on('ready', () => logger.log(`${connected ? 're' : ''}connected to ${where}`));
  redis.on('error', (err: Error) => {
    // node-redis emits every failed reconnect attempt; keep the log readable.
    if (connected) logger.warn(`${where}: ${err.message}`);
  });
  logger.log(`connecting to ${where}${urls.length > 1 ? ' (Redis Cluster)' : ''}`);
  await redis.connect();
  connected = true;
  return redis;
}
