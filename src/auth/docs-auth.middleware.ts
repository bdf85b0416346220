import { HttpStatus } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { credentialOf } from './auth.guard';
import type { Authenticator } from './principal';

/**
 * With DOCS_PUBLIC=false, Swagger UI and the OpenAPI document need a valid credential too.
 * They are served by Express, outside Nest's guards, hence a middleware.
 */
export function docsAuthMiddleware(authenticator: Authenticator) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const credential = credentialOf(req);
    if (credential && (await authenticator.authenticate(credential))) return next();
    res.setHeader('WWW-Authenticate', `${authenticator.scheme} realm="agent-service"`);
    next(new ApiException(HttpStatus.UNAUTHORIZED, ErrorCode.UNAUTHORIZED, 'The API docs need a credential (DOCS_PUBLIC=false)'));
  };
}
