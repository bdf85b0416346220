import type { ModelCallError } from './model-call.error';

export interface RetrySettings {
  /** Retries of one model before moving on to the next (LLM_MAX_RETRIES). */
  maxRetries: number;
  /** First backoff step (LLM_RETRY_BASE_MS); each retry doubles it. */
  baseDelayMs: number;
  /** Longest pause (LLM_RETRY_MAX_DELAY_MS); a Retry-After beyond it moves on at once. */
  maxDelayMs: number;
}

/** When to try the same model again after a failure, and after how long. */
export class ModelRetryPolicy {
  constructor(
    private readonly settings: RetrySettings,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * The pause before retry number `retry` (1-based) of the model that just failed, or undefined
   * to move on to the next model: the failure is not transient, the retries are used up, the
   * provider asked for a longer pause than we are willing to wait, or the model timed out while a
   * fallback is left (waiting LLM_TIMEOUT_MS again would spend the turn's budget on a hung model).
   */
  delayBefore(retry: number, failure: ModelCallError, fallbackLeft = false): number | undefined {
    const { maxRetries, baseDelayMs, maxDelayMs } = this.settings;
    if (!failure.transient || retry > maxRetries) return undefined;
    if (failure.kind === 'timeout' && fallbackLeft) return undefined;
    if (failure.retryAfterMs !== undefined) return failure.retryAfterMs <= maxDelayMs ? failure.retryAfterMs : undefined;
    // Exponential backoff with "equal jitter": half fixed, so pauses still grow; half random, so
    // callers that failed together do not come back together.
    const step = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
    return Math.round(step / 2 + this.random() * (step / 2));
  }
}
