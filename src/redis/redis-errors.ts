import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ReconnectStrategyError,
  RootNodesUnavailableError,
  SocketClosedUnexpectedlyError,
} from 'redis';

const CONNECTION_ERRORS = [
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ReconnectStrategyError,
  RootNodesUnavailableError,
  SocketClosedUnexpectedlyError,
];

/** Redis could not be reached (as opposed to a command that Redis rejected). */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';

  constructor(cause: unknown) {
    super(`Redis is unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

export function isRedisUnavailable(err: unknown): boolean {
  return err instanceof RedisUnavailableError || CONNECTION_ERRORS.some((type) => err instanceof type);
}
