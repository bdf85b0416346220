import type { RunHandle, RunRegistry, RunStatus } from './run-registry';

/** Runs of this process only: goes with in-memory checkpoints. */
export class MemoryRunRegistry implements RunRegistry {
  private readonly runs = new Map<string, { status: RunStatus; abort: AbortController }>();

  async start(threadId: string, runId: string, abort: AbortController): Promise<RunHandle> {
    const entry = { status: { state: 'running' as const, run_id: runId, started_at: new Date().toISOString() }, abort };
    this.runs.set(threadId, entry);
    return {
      progress: (update) => Object.assign(entry.status, update),
      end: async () => {
        if (this.runs.get(threadId) === entry) this.runs.delete(threadId);
      },
    };
  }

  async status(threadId: string): Promise<RunStatus> {
    return this.runs.get(threadId)?.status ?? { state: 'idle' };
  }

  async cancel(threadId: string): Promise<boolean> {
    const run = this.runs.get(threadId);
    run?.abort.abort();
    return run !== undefined;
  }
}
