import { Logger } from '@nestjs/common';
import { createClient, type RedisClientType } from 'redis';

export type RedisClient = RedisClientType;

export interface RedisClientSettings {
  url: string;
  connectTimeoutMs: number;
}

/** Delay between reconnect attempts: quick at first, never more than 1 s, so recovery is prompt. */
export function reconnectDelay(retries: number): number {
  return Math.min(50 * 2 ** retries, 1000);
}

/** Hides credentials when a URL is logged. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable REDIS_URL>';
  }
}

/**
 * Creates and connects the one client of the process. Commands fail fast while the
 * connection is down (no offline queue), and the client keeps reconnecting by itself.
 */
export async function createRedisClient(settings: RedisClientSettings): Promise<RedisClient> {
  const logger = new Logger('Redis');
  const where = redactRedisUrl(settings.url);
  const client: RedisClient = createClient({
    url: settings.url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: settings.connectTimeoutMs,
      reconnectStrategy: reconnectDelay,
    },
  });
  let wasReady = false;
  client.on('ready', () => {
    logger.log(`${wasReady ? 're' : ''}connected to ${where}`);
    wasReady = true;
  });
  client.on('error', (err: Error) => {
    // node-redis emits every failed reconnect attempt; keep the log readable.
    if (client.isReady || wasReady) logger.warn(`${where}: ${err.message}`);
  });
  client.on('end', () => logger.log(`connection to ${where} closed`));
  logger.log(`connecting to ${where}`);
  await client.connect();
  return client;
}
