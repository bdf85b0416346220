import { HttpStatus } from '@nestjs/common';
import { GraphRecursionError } from '@langchain/langgraph';
import { ModelTimeoutError } from '../agent/fetch-with-deadline';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { isRedisUnavailable } from '../redis/redis-errors';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

interface ErrorShape {
  name?: string;
  code?: string;
  status?: unknown;
  lc_error_code?: string;
  cause?: unknown;
}

/** The error and the errors it wraps, outermost first. */
function* causeChain(err: unknown): Generator<unknown> {
  for (let depth = 0; err && depth < 5; depth++) {
    yield err;
    err = (err as ErrorShape).cause;
  }
}

function isModelTimeout(err: unknown): boolean {
  return [...causeChain(err)].some((e) => {
    const { name } = e as ErrorShape;
    return e instanceof ModelTimeoutError || name === 'TimeoutError' || name === 'APIConnectionTimeoutError';
  });
}

/** Errors of the OpenAI SDK and LangChain's wrappers around them. */
function isModelProviderError(err: ErrorShape): boolean {
  return (
    typeof err.status === 'number' ||
    typeof err.lc_error_code === 'string' ||
    err.name === 'APIConnectionError' ||
    err.name === 'APIError' ||
    (err.code !== undefined && NETWORK_CODES.has(err.code))
  );
}

/**
 * Maps what an agent run can throw to the documented HTTP errors; anything else is a bug
 * and is left for the global filter to report as 500.
 */
export function toApiException(err: unknown): ApiException | undefined {
  if (err instanceof ApiException) return err;
  if (err instanceof GraphRecursionError) {
    return new ApiException(
      HttpStatus.UNPROCESSABLE_ENTITY,
      ErrorCode.RECURSION_LIMIT,
      'The agent reached AGENT_RECURSION_LIMIT steps without a final answer',
      undefined,
      { cause: err },
    );
  }
  if (isRedisUnavailable(err)) {
    return new ApiException(
      HttpStatus.SERVICE_UNAVAILABLE,
      ErrorCode.REDIS_UNAVAILABLE,
      'The conversation store (Redis) is unavailable; retry shortly',
      undefined,
      { cause: err },
    );
  }
  const shape = (err ?? {}) as ErrorShape;
  if (isModelTimeout(err)) {
    return new ApiException(
      HttpStatus.GATEWAY_TIMEOUT,
      ErrorCode.MODEL_TIMEOUT,
      'The language model did not answer within LLM_TIMEOUT_MS',
      undefined,
      { cause: err },
    );
  }
  if (isModelProviderError(shape)) {
    const status = typeof shape.status === 'number' ? ` (upstream status ${shape.status})` : '';
    return new ApiException(
      HttpStatus.BAD_GATEWAY,
      ErrorCode.MODEL_ERROR,
      `The language model provider returned an error${status}`,
      undefined,
      { cause: err },
    );
  }
  return undefined;
}
