import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-codes';
import { isRedisUnavailable } from '../../redis/redis-errors';

/** The body of every error response. */
export interface ErrorResponseBody {
  success: false;
  error: { code: string; message: string; details?: unknown };
  request_id: string | null;
  timestamp: string;
}

interface RenderedError {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

/** Terminus answers a failed check with its own documented body, which probes expect as is. */
function isHealthCheckResult(body: unknown): boolean {
  const b = body as { status?: unknown; details?: unknown } | null;
  return typeof b === 'object' && b !== null && (b.status === 'error' || b.status === 'shutting_down') && 'details' in b;
}

/** `NOT_FOUND` from 404, `UNPROCESSABLE_ENTITY` from 422, … */
function codeForStatus(status: number): string {
  const name = HttpStatus[status];
  return typeof name === 'string' ? name : 'HTTP_' + status;
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** One error shape for every failure; stack traces stay in the logs. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionsHandler');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    // A stream that already started (SSE) cannot change its status any more.
    if (res.headersSent) {
      this.logger.error(`error after the response started: ${String(exception)}`);
      return;
    }
    if (exception instanceof HttpException && isHealthCheckResult(exception.getResponse())) {
      res.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const rendered = this.render(exception);
    if (rendered.status >= 500) {
      const stack = exception instanceof Error ? exception.stack : String(exception);
      // The path only: a query string can carry a question (GET /api/chat/stream), never logged.
      this.logger.error(`${req.method} ${req.originalUrl.split('?')[0]} -> ${rendered.status} ${rendered.code}`, stack);
    }
    const body: ErrorResponseBody = {
      success: false,
      error: {
        code: rendered.code,
        message: rendered.message,
        ...(rendered.details === undefined ? {} : { details: rendered.details }),
      },
      request_id: req.id ?? null,
      timestamp: new Date().toISOString(),
    };
    res.status(rendered.status).json(body);
  }

  render(exception: unknown): RenderedError {
    if (exception instanceof ApiException) {
      return {
        status: exception.getStatus(),
        code: exception.code,
        message: exception.message,
        details: exception.details,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, code: codeForStatus(status), message: messageOf(exception) };
    }
    if (isRedisUnavailable(exception)) {
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        code: ErrorCode.REDIS_UNAVAILABLE,
        message: 'The conversation store (Redis) is unavailable; retry shortly',
      };
    }
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: ErrorCode.INTERNAL_ERROR,
      message: 'Internal server error',
    };
  }
}
