import { GraphRecursionError } from '@langchain/langgraph';
import { ClientClosedError, ClientOfflineError } from 'redis';
import { toApiException } from './run-errors';

describe('toApiException', () => {
  it.each([
    ['recursion limit', new GraphRecursionError('too deep'), 422, 'RECURSION_LIMIT'],
    ['closed Redis client', new ClientClosedError(), 503, 'REDIS_UNAVAILABLE'],
    ['offline Redis client', new ClientOfflineError(), 503, 'REDIS_UNAVAILABLE'],
    ['model timeout', Object.assign(new Error('Request timed out.'), { name: 'TimeoutError' }), 504, 'MODEL_TIMEOUT'],
    ['provider HTTP error', Object.assign(new Error('500 boom'), { status: 500 }), 502, 'MODEL_ERROR'],
    ['provider rate limit', Object.assign(new Error('429'), { status: 429, lc_error_code: 'MODEL_RATE_LIMIT' }), 502, 'MODEL_ERROR'],
    ['provider unreachable', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), 502, 'MODEL_ERROR'],
  ])('maps a %s to %d %s', (_name, error, status, code) => {
    const mapped = toApiException(error);
    expect(mapped?.getStatus()).toBe(status);
    expect(mapped?.code).toBe(code);
    expect(mapped?.cause).toBe(error);
  });

  it('leaves programming errors to become 500s', () => {
    expect(toApiException(new TypeError('x is undefined'))).toBeUndefined();
  });
});
