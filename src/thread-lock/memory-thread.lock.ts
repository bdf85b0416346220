import { type ThreadLease, type ThreadLock, waitToRetry } from './thread-lock';

/** The in-process lock that goes with in-memory checkpoints (one process holds every thread). */
export class MemoryThreadLock implements ThreadLock {
  private readonly held = new Set<string>();

  async acquire(threadId: string, waitMs: number, stop?: AbortSignal): Promise<ThreadLease | undefined> {
    const deadline = Date.now() + waitMs;
    for (let attempt = 0; this.held.has(threadId); attempt++) {
      if (Date.now() >= deadline || stop?.aborted) return undefined;
      await waitToRetry(attempt, deadline, stop);
    }
    this.held.add(threadId);
    let released = false;
    return {
      // One process holds every thread: this lease cannot be taken away.
      lost: new AbortController().signal,
      held: async () => !released,
      release: async () => {
        if (!released) this.held.delete(threadId);
        released = true;
      },
    };
  }
}
