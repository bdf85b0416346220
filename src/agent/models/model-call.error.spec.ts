import { ModelCallError, retryAfterMsOf } from './model-call.error';

const target = { name: 'qwen', provider: 'openai', model: 'qwen-plus' };
const httpError = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`${status} status code`), { status, headers: new Headers(headers) });

describe('ModelCallError.from', () => {
  it.each([
    ['a 429', httpError(429), 'rate_limited', true],
    ['a 500', httpError(500), 'unavailable', true],
    ['a 503 in Ollama\'s shape', Object.assign(new Error('busy'), { status_code: 503 }), 'unavailable', true],
    ['a 408', httpError(408), 'unavailable', true],
    ['a 401', httpError(401), 'rejected', false],
    ['a 404 (unknown model)', httpError(404), 'rejected', false],
    ['a refused connection', new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }), 'unreachable', true],
    ["the OpenAI SDK's connection error", Object.assign(new Error('Connection error.'), { name: 'APIConnectionError' }), 'unreachable', true],
    ['an answer without choices', new TypeError("Cannot read properties of undefined (reading '0')"), 'bad_response', true],
    ['a body that is not JSON', new SyntaxError('Unexpected token < in JSON'), 'bad_response', true],
  ])('classifies %s as %s', (_name, err, kind, transient) => {
    const failure = ModelCallError.from(err, target);
    expect(failure.kind).toBe(kind);
    expect(failure.transient).toBe(transient);
    expect(failure.cause).toBe(err);
    expect(failure.target).toBe(target);
  });

  it('keeps the status and the pause a 429 asked for', () => {
    const failure = ModelCallError.from(httpError(429, { 'retry-after': '3' }), target);
    expect(failure.status).toBe(429);
    expect(failure.retryAfterMs).toBe(3000);
  });

  it('finds the status of an error wrapped by LangChain', () => {
    const wrapped = new Error('model failed', { cause: httpError(502) });
    expect(ModelCallError.from(wrapped, target).kind).toBe('unavailable');
  });

  it('returns a ModelCallError unchanged', () => {
    const timeout = ModelCallError.timeout(target, 1000);
    expect(ModelCallError.from(timeout, target)).toBe(timeout);
    expect(timeout.kind).toBe('timeout');
    expect(timeout.message).toBe('openai:qwen-plus: no answer within 1000 ms');
  });
});

describe('retryAfterMsOf', () => {
  const now = Date.parse('2026-11-26T10:00:00Z');

  it.each([
    ['seconds', { 'retry-after': '2' }, 2000],
    ['fractional seconds', { 'retry-after': '0.25' }, 250],
    ['an HTTP date', { 'retry-after': 'Thu, 26 Nov 2026 10:00:05 GMT' }, 5000],
    ['a date in the past', { 'retry-after': 'Thu, 26 Nov 2026 09:00:00 GMT' }, 0],
    ['retry-after-ms, which wins', { 'retry-after-ms': '1500', 'retry-after': '9' }, 1500],
  ])('reads %s', (_name, headers, ms) => {
    expect(retryAfterMsOf(httpError(429, headers), now)).toBe(ms);
  });

  it('reads headers given as a plain object', () => {
    expect(retryAfterMsOf({ status: 429, headers: { 'retry-after': '1' } }, now)).toBe(1000);
  });

  it('is undefined without the header or with garbage in it', () => {
    expect(retryAfterMsOf(httpError(429), now)).toBeUndefined();
    expect(retryAfterMsOf(httpError(429, { 'retry-after': 'soon' }), now)).toBeUndefined();
  });
});
