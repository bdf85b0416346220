/**
 * A checkpoint write refused by Redis because the writer no longer holds the thread's lease: the
 * turn lost it (a stall or failover past its TTL) and another may run, so this one must not write.
 */
export class FencedWriteError extends Error {
  override name = 'FencedWriteError';

  constructor(threadId: string) {
    super(`The lease of thread ${threadId} is no longer held by this turn; the write was refused`);
  }
}

/** The error reply of the checkpoint scripts when the fence token does not match. */
export const FENCE_REPLY = 'FENCED';

export const isFencedReply = (err: unknown) => typeof (err as Error)?.message === 'string' && (err as Error).message.startsWith(FENCE_REPLY);
