import { ModelCallError, type ModelRef } from './model-call.error';

/**
 * LLM_TIMEOUT_MS for one model call: a signal for the provider client, restarted whenever a
 * stream makes progress (so it bounds silence, not the length of an answer), and a race that
 * settles on time even when a client ignores the abort.
 */
export class CallDeadline {
  private readonly controller = new AbortController();
  private timer?: NodeJS.Timeout;
  /** Aborts at the deadline or when the run is cancelled (`parent`). */
  readonly signal: AbortSignal;

  constructor(
    private readonly timeoutMs: number,
    private readonly target: ModelRef,
    parent?: AbortSignal,
  ) {
    this.signal = parent ? AbortSignal.any([parent, this.controller.signal]) : this.controller.signal;
    this.restart();
  }

  restart(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(ModelCallError.timeout(this.target, this.timeoutMs)), this.timeoutMs);
  }

  clear(): void {
    clearTimeout(this.timer);
  }

  /** Why the call ended early: our timeout, or whatever cancelled the run. */
  get reason(): unknown {
    return this.signal.reason;
  }

  /** `work`'s outcome, unless the deadline passes or the run is cancelled first. */
  race<T>(work: Promise<T>): Promise<T> {
    if (this.signal.aborted) {
      work.catch(() => undefined);
      return Promise.reject(this.reason);
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.reason);
      this.signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          this.signal.removeEventListener('abort', onAbort);
          if (this.signal.aborted) reject(this.reason);
          else resolve(value);
        },
        (err: unknown) => {
          this.signal.removeEventListener('abort', onAbort);
          // A client reports our abort as its own error; the reason is what happened.
          reject(this.signal.aborted ? this.reason : err);
        },
      );
    });
  }
}
