/** Which model a call went to: a configured name, its provider and the provider's model id. */
export interface ModelRef {
  name: string;
  provider: string;
  model: string;
}

/**
 * - `timeout`: no answer within LLM_TIMEOUT_MS
 * - `rate_limited`: HTTP 429
 * - `unavailable`: HTTP 408 or 5xx
 * - `unreachable`: no HTTP answer at all (refused, reset, DNS)
 * - `bad_response`: an answer we cannot use (not JSON, no choices, empty, broken tool-call arguments)
 * - `rejected`: any other HTTP 4xx (bad key, unknown model, request too large)
 */
export type ModelFailureKind = 'timeout' | 'rate_limited' | 'unavailable' | 'unreachable' | 'bad_response' | 'rejected';

const TRANSIENT: ReadonlySet<ModelFailureKind> = new Set(['timeout', 'rate_limited', 'unavailable', 'unreachable', 'bad_response']);

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);
const NETWORK_NAMES = new Set(['APIConnectionError', 'FetchError']);

interface ErrorShape {
  name?: string;
  code?: unknown;
  message?: string;
  status?: unknown;
  status_code?: unknown;
  headers?: unknown;
  response?: { status?: unknown; headers?: unknown };
  cause?: unknown;
}

/** The error and the errors it wraps, outermost first. */
export function* causeChain(err: unknown): Generator<ErrorShape> {
  for (let depth = 0; err && typeof err === 'object' && depth < 6; depth++) {
    yield err as ErrorShape;
    err = (err as ErrorShape).cause;
  }
}

function httpStatusOf(err: unknown): number | undefined {
  for (const e of causeChain(err)) {
    for (const candidate of [e.status, e.status_code, e.response?.status]) {
      if (typeof candidate === 'number' && candidate >= 400 && candidate < 600) return candidate;
    }
  }
  return undefined;
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** `Retry-After` (seconds or an HTTP date) or `retry-after-ms`, as milliseconds from `now`. */
export function retryAfterMsOf(err: unknown, now = Date.now()): number | undefined {
  for (const e of causeChain(err)) {
    const headers = e.headers ?? e.response?.headers;
    const ms = Number(header(headers, 'retry-after-ms'));
    if (header(headers, 'retry-after-ms') !== undefined && Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
    const value = header(headers, 'retry-after');
    if (value === undefined) continue;
    const seconds = Number(value);
    if (value.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
    const date = Date.parse(value);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  return undefined;
}

function isNetworkError(err: unknown): boolean {
  return [...causeChain(err)].some(
    (e) => NETWORK_NAMES.has(e.name ?? '') || (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) || e.message === 'fetch failed',
  );
}

/** A model call that failed, classified so the caller can retry, fall back, or map it to 502/504. */
export class ModelCallError extends Error {
  override name = 'ModelCallError';

  constructor(
    readonly kind: ModelFailureKind,
    readonly target: ModelRef,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(`${target.provider}:${target.model}: ${message}`, options);
  }

  /** Worth another try (on this model after a pause, or on the next one). */
  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }

  static timeout(target: ModelRef, timeoutMs: number): ModelCallError {
    return new ModelCallError('timeout', target, `no answer within ${timeoutMs} ms`);
  }

  static badResponse(target: ModelRef, why: string): ModelCallError {
    return new ModelCallError('bad_response', target, why);
  }

  /** Classifies whatever a provider client threw. */
  static from(err: unknown, target: ModelRef): ModelCallError {
    if (err instanceof ModelCallError) return err;
    const options = { cause: err };
    const status = httpStatusOf(err);
    if (status === 429) {
      return new ModelCallError('rate_limited', target, 'rate limited (HTTP 429)', { status, retryAfterMs: retryAfterMsOf(err) }, options);
    }
    if (status !== undefined && (status >= 500 || status === 408)) {
      return new ModelCallError('unavailable', target, `HTTP ${status}`, { status, retryAfterMs: retryAfterMsOf(err) }, options);
    }
    if (status !== undefined) return new ModelCallError('rejected', target, `HTTP ${status}`, { status }, options);
    if (isNetworkError(err)) return new ModelCallError('unreachable', target, 'could not reach the provider', {}, options);
    const reason = err instanceof Error ? err.message : String(err);
    return new ModelCallError('bad_response', target, `unusable answer (${reason.slice(0, 200)})`, {}, options);
  }
}
