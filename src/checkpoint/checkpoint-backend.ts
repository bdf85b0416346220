import type { CheckpointBackendSetting } from '../config/env.validation';
import type { CheckpointBackend } from './checkpoint.constants';
import type { RedisCapabilities } from './redis-capabilities';

/** Thrown at start-up when the configuration asks for a backend this deployment cannot provide. */
export class CheckpointBackendError extends Error {
  override name = 'CheckpointBackendError';
}

const STACK_NEEDED =
  'The redis-stack checkpointer needs RedisJSON and RediSearch: use Redis 8 (or Redis Stack), ' +
  'or set CHECKPOINT_BACKEND=memory to keep conversations in process memory.';

/** Picks the backend from the setting, whether `REDIS_URL` is set and what that server offers. */
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
  if (capabilities?.json && capabilities.search) return 'redis-stack';
  const missing = [!capabilities?.json && 'RedisJSON', !capabilities?.search && 'RediSearch']
    .filter(Boolean)
    .join(' and ');
  throw new CheckpointBackendError(`The Redis at REDIS_URL lacks ${missing}. ${STACK_NEEDED}`);
}
