import type { RedisClient } from '../redis/redis-client.factory';

export interface RedisCapabilities {
  json: boolean;
  search: boolean;
}

const isUnknownCommand = (err: unknown) =>
  /unknown command|ERR unknown/i.test((err as Error)?.message ?? '');

async function supports(client: RedisClient, command: string[]): Promise<boolean> {
  try {
    await client.sendCommand(command);
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
export async function detectRedisCapabilities(client: RedisClient): Promise<RedisCapabilities> {
  const [json, search] = await Promise.all([
    supports(client, ['JSON.TYPE', '__capability_probe__']),
    supports(client, ['FT._LIST']),
  ]);
  return { json, search };
}
