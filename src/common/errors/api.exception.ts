import { HttpException, HttpStatus } from '@nestjs/common';
import { ErrorCode } from './error-codes';

/** An error with a status, a stable code and optional details, rendered by the global filter. */
export class ApiException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super({ code, message, details }, status, options);
  }
}

/** One entry of `error.details` for a validation failure. */
export interface FieldError {
  field: string;
  messages: string[];
}
