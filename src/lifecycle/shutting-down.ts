import { HttpStatus } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';

/** 503 for a request that this instance, shutting down, will not serve: the client retries elsewhere. */
export const shuttingDown = () => new ApiException(HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.SHUTTING_DOWN, 'This instance is shutting down; retry the turn');
