/** A model request that did not get an answer within LLM_TIMEOUT_MS. */
export class ModelTimeoutError extends Error {
  override name = 'ModelTimeoutError';

  constructor(
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`the model did not answer within ${timeoutMs} ms`, options);
  }
}

/**
 * `fetch` for the model client with a deadline we own. The OpenAI SDK reports its own
 * timeouts as generic connection errors in some runtimes; this error stays recognisable
 * (the SDK keeps it as the `cause`). Given in the client's configuration, it survives the
 * model copies that `bindTools`/`withConfig` make.
 */
export function fetchWithDeadline(timeoutMs: number, baseFetch: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init = {}) => {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, deadline.signal]) : deadline.signal;
    try {
      return await baseFetch(input, { ...init, signal });
    } catch (err) {
      if (deadline.signal.aborted) throw new ModelTimeoutError(timeoutMs, { cause: err });
      throw err;
    } finally {
      clearTimeout(timer);
    }
  };
}
