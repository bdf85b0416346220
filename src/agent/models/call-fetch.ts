import { ModelCallError } from './model-call.error';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The `fetch` a provider client uses for one model call: every request of it ends when `signal`
 * does (our timeout or the run's cancel reach the connection, whatever the client does with
 * signals), and `extraBody` is merged into its JSON body — the provider switches (Qwen's
 * `enable_thinking`, Ollama's `keep_alive`, …) that a LangChain class has no option for.
 */
export function callFetch(signal: AbortSignal, extraBody?: Record<string, unknown>, base: typeof fetch = globalThis.fetch): typeof fetch {
  return (input, init = {}) => {
    let body = init.body;
    if (extraBody && typeof body === 'string') {
      try {
        const parsed: unknown = JSON.parse(body);
        if (isPlainObject(parsed)) body = JSON.stringify({ ...parsed, ...extraBody });
      } catch {
        // Not JSON: sent as it is.
      }
    }
    return base(input, { ...init, body, signal: init.signal ? AbortSignal.any([init.signal, signal]) : signal }).then((res) => {
      if (!res.ok) errorResponses.set(signal, res.headers);
      return res;
    });
  };
}

/** The headers of each call's last error response, by the call's signal. */
const errorResponses = new WeakMap<AbortSignal, Headers>();

/**
 * `err` carrying the headers of its call's error response, when the client's error dropped them
 * (Ollama's ResponseError has only the status): a Retry-After must count for every provider.
 */
export function withResponseHeaders(err: unknown, signal: AbortSignal): unknown {
  const headers = errorResponses.get(signal);
  // Our own classification (a timeout, a bad answer) and a call cut off by its deadline stay as they are.
  if (!headers || signal.aborted || !(err instanceof Error) || err instanceof ModelCallError || 'headers' in err) return err;
  return Object.assign(new Error(err.message, { cause: err }), { headers });
}
