import { CanActivate, ExecutionContext, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { IS_PUBLIC } from './public.decorator';
import { type Authenticator, canActFor, type Principal } from './principal';

/** Injection token of the configured {@link Authenticator}, or `null` when AUTH_MODE=none. */
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function credentialOf(req: Request): string | undefined {
  const apiKey = req.get('x-api-key');
  if (apiKey) return apiKey;
  const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
  return match?.[1];
}

/** Every user_id a request names, wherever it does (path, query string, body): each must be allowed. */
function userIdsOf(req: Request): unknown[] {
  const body = req.body as { user_id?: unknown } | undefined;
  return [req.params?.user_id, req.query?.user_id, body?.user_id].flat();
}

/**
 * Every route needs a valid credential unless marked @Public(), and the caller must be allowed
 * to act for every `user_id` in the path, query string or body: a caller-asserted user id proves nothing.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic || !this.authenticator) return true;
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const credential = credentialOf(req);
    const principal = credential ? await this.authenticator.authenticate(credential) : undefined;
    if (!principal) {
      http.getResponse<Response>().setHeader('WWW-Authenticate', `${this.authenticator.scheme} realm="agent-service"`);
      throw new ApiException(
        HttpStatus.UNAUTHORIZED,
        ErrorCode.UNAUTHORIZED,
        credential ? 'The credential is invalid or expired' : 'A credential is required (X-API-Key or Authorization: Bearer)',
      );
    }
    req.principal = principal;
    if (userIdsOf(req).some((userId) => typeof userId === 'string' && !canActFor(principal, userId))) {
      throw new ApiException(HttpStatus.FORBIDDEN, ErrorCode.FORBIDDEN_USER, 'This credential may not act for this user_id');
    }
    return true;
  }
}
