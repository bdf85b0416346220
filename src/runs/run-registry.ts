/** Injection token of the {@link RunRegistry}. */
export const RUN_REGISTRY = Symbol('RUN_REGISTRY');

export interface RunStatus {
  state: 'idle' | 'running';
  run_id?: string;
  step?: number;
  tool?: string;
  started_at?: string;
}

export interface RunHandle {
  /** Records what the run is doing now, for status polls. */
  progress(update: { step?: number; tool?: string }): void;
  end(): Promise<void>;
}

/**
 * The turns running now, visible and cancellable from every instance. A run is registered
 * while its thread lease is held, so at most one run per thread shows.
 */
export interface RunRegistry {
  start(threadId: string, runId: string, abort: AbortController): Promise<RunHandle>;
  status(threadId: string): Promise<RunStatus>;
  /** Asks whichever instance runs the thread to stop. True when a run was there to cancel. */
  cancel(threadId: string): Promise<boolean>;
}
