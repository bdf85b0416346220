import { type RedisConnection, sendKeyless } from '../redis/redis-connection';

export interface RedisCapabilities {
  json: boolean;
  search: boolean;
}

const isUnknownCommand = (err: unknown) =>
  /unknown command|ERR unknown/i.test((err as Error)?.message ?? '');

async function supports(redis: RedisConnection, command: string[]): Promise<boolean> {
  try {
    await sendKeyless(redis, command);
    return true;
  } catch (err) {
    if (isUnknownCommand(err)) return false;
    throw err;
  }
}

/**
 * Probes RedisJSON and RediSearch by calling a harmless command of each;
 * managed services often forbid `MODULE LIST`, so it is not used.
 */
export async function detectRedisCapabilities(redis: RedisConnection): Promise<RedisCapabilities> {
  const [json, search] = await Promise.all([
    supports(redis, ['JSON.TYPE', '__capability_probe__']),
    supports(redis, ['FT._LIST']),
  ]);
  return { json, search };
}
