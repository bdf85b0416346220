import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ErrorReply,
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

/**
 * Error replies of a Redis that cannot serve right now and will again: a replica after a failover
 * (READONLY), a server loading its data (LOADING), a Cluster in failover (CLUSTERDOWN, TRYAGAIN,
 * MASTERDOWN), or out of memory (OOM).
 */
const UNAVAILABLE_REPLY = /^(READONLY|LOADING|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|OOM|BUSY)\b/;

export function isRedisUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof RedisUnavailableError || CONNECTION_ERRORS.some((type) => e instanceof type)) return true;
    if (e instanceof ErrorReply && UNAVAILABLE_REPLY.test(e.message)) return true;
  }
  return false;
}
