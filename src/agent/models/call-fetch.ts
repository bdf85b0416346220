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
    return base(input, { ...init, body, signal: init.signal ? AbortSignal.any([init.signal, signal]) : signal });
  };
}
