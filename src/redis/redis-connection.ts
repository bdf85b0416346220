import type { RedisClientType, RedisClusterType } from 'redis';

/** The process's Redis: a standalone client, or a Cluster client when REDIS_URL lists several nodes. */
export type RedisConnection = RedisClientType | RedisClusterType;

export function isCluster(redis: RedisConnection): redis is RedisClusterType {
  return 'masters' in redis;
}

/** A command with no key, e.g. PING or FT._LIST (on a Cluster: any node). */
export function sendKeyless(redis: RedisConnection, args: string[]): Promise<unknown> {
  return isCluster(redis) ? redis.sendCommand(undefined, true, args) : redis.sendCommand(args);
}

/** Whether commands can be sent now; false while (re)connecting. */
export function isConnected(redis: RedisConnection): boolean {
  return isCluster(redis) ? redis.isOpen : redis.isReady;
}

/** PINGs the server, or every master of a Cluster. */
export async function pingAll(redis: RedisConnection): Promise<void> {
  if (!isCluster(redis)) {
    await redis.ping();
    return;
  }
  await Promise.all(redis.masters.map(async (master) => (await redis.nodeClient(master)).ping()));
}

/**
 * A command routed by `firstKey` on a Cluster. node-redis 4's own `eval`/`evalSha` derive the
 * key from the wrong argument and land on a random node, so scripts go through here.
 */
export function sendKeyed(redis: RedisConnection, firstKey: string, args: string[]): Promise<unknown> {
  return isCluster(redis) ? redis.sendCommand(firstKey, false, args) : redis.sendCommand(args);
}
