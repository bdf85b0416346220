import type { UsageMetadata } from '@langchain/core/messages';
import { ModelCallError, type ModelRef } from './model-call.error';
import type { ModelRetryPolicy } from './model-retry.policy';

/** Where a failed attempt leads: a retry of the same model after a pause, or the next model. */
export interface NextStep {
  retryInMs?: number;
  fallback?: ModelRef;
}

/** Told about every provider call behind a model call, for logs and metrics. */
export interface ModelCallObserver {
  /** A provider call ended, answered or not: how long it took, and the tokens it reported. */
  called(target: ModelRef, seconds: number, usage?: UsageMetadata): void;
  /** It failed; `next` is what happens now (undefined: nothing, the failure is final). */
  failed(failure: ModelCallError, next: NextStep | undefined): void;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The order of attempts of one model call: the first model, its retries, then each fallback with
 * retries of its own. `failed` decides after every failure; it throws when nothing is left.
 */
export class ModelAttempts<M extends { ref: ModelRef }> {
  private index = 0;
  /** Retries of the current model so far. */
  retry = 0;

  constructor(
    private readonly models: readonly M[],
    private readonly policy: ModelRetryPolicy,
    private readonly signal?: AbortSignal,
    private readonly observer?: ModelCallObserver,
  ) {}

  get current(): M {
    return this.models[this.index];
  }

  /** 0 for the first model, 1 for the first fallback, … */
  get fallbackIndex(): number {
    return this.index;
  }

  /**
   * After a failed attempt: pauses before a retry, or moves on to the next model. Throws the
   * classified failure when no model is left, and the abort reason when the run was cancelled
   * or ran out of time (no retry can help then).
   */
  async failed(err: unknown): Promise<void> {
    if (this.signal?.aborted) throw this.signal.reason;
    const failure = ModelCallError.from(err, this.current.ref);
    const next = this.models[this.index + 1];
    const delay = this.policy.delayBefore(this.retry + 1, failure, next !== undefined);
    if (delay !== undefined) {
      this.observer?.failed(failure, { retryInMs: delay });
      this.retry++;
      await pause(delay, this.signal);
      return;
    }
    this.observer?.failed(failure, next ? { fallback: next.ref } : undefined);
    if (!next) throw failure;
    this.index++;
    this.retry = 0;
  }
}
