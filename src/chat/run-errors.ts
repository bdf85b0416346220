import { HttpStatus } from '@nestjs/common';
import { GraphRecursionError } from '@langchain/langgraph';
import { causeChain, ModelCallError, type ModelFailureKind } from '../agent/models/model-call.error';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { FencedWriteError } from '../checkpoint/redis/fenced-write.error';
import { isRedisUnavailable } from '../redis/redis-errors';

/** How each kind of model failure (after retries and fallbacks) reaches the client. */
const MODEL_FAILURES: Record<ModelFailureKind, { status: HttpStatus; code: ErrorCode; message: string }> = {
  timeout: { status: HttpStatus.GATEWAY_TIMEOUT, code: ErrorCode.MODEL_TIMEOUT, message: 'The language model did not answer within LLM_TIMEOUT_MS' },
  rate_limited: { status: HttpStatus.BAD_GATEWAY, code: ErrorCode.MODEL_RATE_LIMITED, message: 'The language model provider is rate limiting this service' },
  unavailable: { status: HttpStatus.BAD_GATEWAY, code: ErrorCode.MODEL_ERROR, message: 'The language model provider returned an error' },
  rejected: { status: HttpStatus.BAD_GATEWAY, code: ErrorCode.MODEL_ERROR, message: 'The language model provider refused the request' },
  unreachable: { status: HttpStatus.BAD_GATEWAY, code: ErrorCode.MODEL_UNREACHABLE, message: 'The language model provider could not be reached' },
  bad_response: { status: HttpStatus.BAD_GATEWAY, code: ErrorCode.MODEL_BAD_RESPONSE, message: 'The language model returned an answer that could not be used' },
};

function modelFailure(err: ModelCallError): ApiException {
  const { status, code, message } = MODEL_FAILURES[err.kind];
  const upstream = err.status ? ` (upstream status ${err.status})` : '';
  const details = {
    provider: err.target.provider,
    model: err.target.model,
    ...(err.retryAfterMs !== undefined ? { retry_after_ms: err.retryAfterMs } : {}),
  };
  return new ApiException(status, code, message + upstream, details, { cause: err });
}

/** The turn lost its thread lease: stopped by the lease watchdog, or a write fenced by Redis. */
export const leaseLost = (cause?: unknown) =>
  new ApiException(
    HttpStatus.SERVICE_UNAVAILABLE,
    ErrorCode.THREAD_LEASE_LOST,
    'The turn lost its hold on the conversation (Redis failover or a stall) and was stopped; retry the turn',
    undefined,
    cause ? { cause } : undefined,
  );

export const isFencedWrite = (err: unknown) => [...causeChain(err)].some((e) => e instanceof FencedWriteError);

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
  if (isFencedWrite(err)) return leaseLost(err);
  if (isRedisUnavailable(err)) {
    return new ApiException(
      HttpStatus.SERVICE_UNAVAILABLE,
      ErrorCode.REDIS_UNAVAILABLE,
      'The conversation store (Redis) is unavailable; retry shortly',
      undefined,
      { cause: err },
    );
  }
  // LangGraph may wrap what a node threw.
  const modelError = [...causeChain(err)].find((e): e is ModelCallError => e instanceof ModelCallError);
  return modelError ? modelFailure(modelError) : undefined;
}

/** Statuses a client may simply retry. */
const RETRYABLE_STATUSES = new Set<number>([HttpStatus.CONFLICT, HttpStatus.BAD_GATEWAY, HttpStatus.SERVICE_UNAVAILABLE, HttpStatus.GATEWAY_TIMEOUT]);

/**
 * Whether retrying the turn as it is can succeed: not after a cancel, and not when the provider
 * refused the request (a 4xx other than 429: a bad key, a request it does not accept).
 */
export function isRetryable(err: ApiException): boolean {
  if (err.code === ErrorCode.CANCELLED || !RETRYABLE_STATUSES.has(err.getStatus())) return false;
  return !(err.cause instanceof ModelCallError && err.cause.kind === 'rejected');
}
