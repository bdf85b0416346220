import type { CheckpointBackendSetting } from '../config/env.validation';
import type { CheckpointBackend } from './checkpoint.constants';
import type { RedisCapabilities } from './redis-capabilities';

/** Thrown at start-up when the configuration asks for a backend this deployment cannot provide. */
export class CheckpointBackendError extends Error {
  override name = 'CheckpointBackendError';
}

/**
 * Picks the backend from the setting, whether `REDIS_URL` is set and (for `redis-stack`) what
 * that server offers. `auto` with Redis is our core-commands saver: it runs on every Redis and
 * measured faster than the RedisJSON/RediSearch one (README, "Choosing a backend").
 */
export function chooseCheckpointBackend(
  setting: CheckpointBackendSetting,
  redisConfigured: boolean,
  capabilities?: RedisCapabilities,
): CheckpointBackend {
  if (setting === 'memory') return 'memory';
  if (!redisConfigured) {
    if (setting === 'auto') return 'memory';
    throw new CheckpointBackendError(`CHECKPOINT_BACKEND=${setting} needs REDIS_URL to be set.`);
  }
  if (setting !== 'redis-stack') return 'redis';
  if (capabilities?.json && capabilities.search) return 'redis-stack';
  const missing = [!capabilities?.json && 'RedisJSON', !capabilities?.search && 'RediSearch']
    .filter(Boolean)
    .join(' and ');
  throw new CheckpointBackendError(
    `The Redis at REDIS_URL lacks ${missing}, which CHECKPOINT_BACKEND=redis-stack needs: use Redis 8 ` +
      '(or Redis Stack), or CHECKPOINT_BACKEND=redis (or auto), which runs on any Redis.',
  );
}
