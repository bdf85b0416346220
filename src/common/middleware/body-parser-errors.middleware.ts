import { HttpStatus } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ApiException } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-codes';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * body-parser reports through Express's error chain, which bypasses Nest's filters;
 * translate its errors into ApiExceptions so the global filter renders them.
 */
export function bodyParserErrorsMiddleware(
  err: unknown,
  _req: Request,
  _res: Response,
  next: NextFunction,
): void {
  const { type, limit } = (err ?? {}) as BodyParserError;
  switch (type) {
    case 'entity.parse.failed':
      return next(
        new ApiException(HttpStatus.BAD_REQUEST, ErrorCode.MALFORMED_JSON, 'Request body is not valid JSON', undefined, { cause: err }),
      );
    case 'entity.too.large':
      return next(
        new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, ErrorCode.PAYLOAD_TOO_LARGE, `Request body exceeds the limit of ${limit} bytes`, undefined, { cause: err }),
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return next(
        new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Request body encoding or charset is not supported', undefined, { cause: err }),
      );
    default:
      return next(err);
  }
}

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** A body that is not JSON would reach validation as `{}`; say what is wrong instead. */
export function requireJsonBodyMiddleware(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (METHODS_WITH_BODY.has(req.method) && hasBody && !req.is('application/json')) {
    return next(
      new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, ErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Content-Type must be application/json'),
    );
  }
  next();
}
