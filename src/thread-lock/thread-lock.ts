/** Injection token of the {@link ThreadLock} that serialises turns of one thread. */
export const THREAD_LOCK = Symbol('THREAD_LOCK');

export interface ThreadLease {
  /** What identifies this holder in the shared lease, so checkpoint writes can be fenced by it (Redis only). */
  readonly token?: string;
  /**
   * Aborts when the lease is known lost (it expired or another holder took it, e.g. after a Redis
   * failover or an event-loop stall longer than its TTL): the holder must stop writing the thread.
   */
  readonly lost: AbortSignal;
  /** Whether the lease is still this holder's, asked of the store now (not only at renewals). */
  held(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * One turn per thread at a time, across every instance. `acquire` resolves with a lease, or
 * with `undefined` when the thread stayed busy for `waitMs` (0 = do not wait) or `stop` aborted.
 */
export interface ThreadLock {
  acquire(threadId: string, waitMs: number, stop?: AbortSignal): Promise<ThreadLease | undefined>;
}

/** Waits between attempts to take a busy thread (short at first, at most 200 ms), cut short by `stop`. */
export function waitToRetry(attempt: number, deadline: number, stop?: AbortSignal): Promise<void> {
  const ms = Math.min(Math.min(10 * 2 ** attempt, 200), Math.max(1, deadline - Date.now()));
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop?.addEventListener('abort', done, { once: true });
  });
}
