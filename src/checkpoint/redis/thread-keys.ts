/** Escapes what would end or nest a Redis Cluster hash tag, so `{…}` always holds the whole id. */
export function hashTagOf(threadId: string): string {
  return threadId.replace(/[%{}]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The five keys of one thread; they share one hash tag, so one Cluster slot. */
export function threadKeys(prefix: string, threadId: string): string[] {
  const base = `${prefix}:{${hashTagOf(threadId)}}`;
  return [`${base}:idx`, `${base}:cp`, `${base}:blobs`, `${base}:writes`, `${base}:widx`];
}

/** The lease of the thread's running turn (RedisThreadLock); same hash tag, so scripts can check it. */
export function threadLeaseKey(prefix: string, threadId: string): string {
  return `${prefix}:{${hashTagOf(threadId)}}:lease`;
}

/**
 * Thread ids scored by their last write (ms), used only by `list()` without a thread (an admin
 * operation); with a TTL, threads idle past it are trimmed as their keys expire.
 */
export const threadRegistryKey = (prefix: string) => `${prefix}:thread-registry`;

export const SEP = '\u0000';
