import { GraphRecursionError } from '@langchain/langgraph';
import { ClientClosedError, ClientOfflineError } from 'redis';
import { ModelCallError, type ModelFailureKind } from '../agent/models/model-call.error';
import { toApiException } from './run-errors';

const target = { name: 'qwen', provider: 'openai', model: 'qwen-plus' };
const failure = (kind: ModelFailureKind, details = {}) => new ModelCallError(kind, target, kind, details);

describe('toApiException', () => {
  it.each([
    ['recursion limit', new GraphRecursionError('too deep'), 422, 'RECURSION_LIMIT'],
    ['closed Redis client', new ClientClosedError(), 503, 'REDIS_UNAVAILABLE'],
    ['offline Redis client', new ClientOfflineError(), 503, 'REDIS_UNAVAILABLE'],
    ['model timeout', failure('timeout'), 504, 'MODEL_TIMEOUT'],
    ['provider 5xx', failure('unavailable', { status: 500 }), 502, 'MODEL_ERROR'],
    ['provider 4xx', failure('rejected', { status: 401 }), 502, 'MODEL_ERROR'],
    ['provider rate limit', failure('rate_limited', { status: 429, retryAfterMs: 2000 }), 502, 'MODEL_RATE_LIMITED'],
    ['provider unreachable', failure('unreachable'), 502, 'MODEL_UNREACHABLE'],
    ['malformed answer', failure('bad_response'), 502, 'MODEL_BAD_RESPONSE'],
  ])('maps a %s to %d %s', (_name, error, status, code) => {
    const mapped = toApiException(error);
    expect(mapped?.getStatus()).toBe(status);
    expect(mapped?.code).toBe(code);
    expect(mapped?.cause).toBe(error);
  });

  it('names the model that failed last and the pause the provider asked for', () => {
    const mapped = toApiException(failure('rate_limited', { status: 429, retryAfterMs: 2000 }));
    expect(mapped?.details).toEqual({ provider: 'openai', model: 'qwen-plus', retry_after_ms: 2000 });
    expect(mapped?.message).toContain('upstream status 429');
  });

  it('finds a model failure that LangGraph wrapped', () => {
    const wrapped = new Error('node agent failed', { cause: failure('timeout') });
    expect(toApiException(wrapped)?.code).toBe('MODEL_TIMEOUT');
  });

  it('leaves programming errors to become 500s', () => {
    expect(toApiException(new TypeError('x is undefined'))).toBeUndefined();
  });
});
