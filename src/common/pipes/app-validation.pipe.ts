import { HttpStatus, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ApiException, FieldError } from '../errors/api.exception';
import { ErrorCode } from '../errors/error-codes';

/** Flattens nested class-validator errors into `{ field: "a.b", messages }` entries. */
export function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints
      ? [{ field, messages: Object.values(error.constraints) }]
      : [];
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/** The one validation set-up of the app: unknown fields rejected, errors name each field. */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => {
        const details = toFieldErrors(errors);
        const fields = [...new Set(details.map((d) => d.field))].join(', ');
        return new ApiException(
          HttpStatus.BAD_REQUEST,
          ErrorCode.VALIDATION_FAILED,
          `Invalid request: ${fields}`,
          details,
        );
      },
    });
  }
}
