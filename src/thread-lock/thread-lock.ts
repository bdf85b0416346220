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
 * with `undefined` when the thread stayed busy for `waitMs` (0 = do not wait).
 */
export interface ThreadLock {
  acquire(threadId: string, waitMs: number): Promise<ThreadLease | undefined>;
}

/** Waits between attempts to take a busy thread: short at first, at most 200 ms. */
export const retryDelay = (attempt: number) => Math.min(10 * 2 ** attempt, 200);
