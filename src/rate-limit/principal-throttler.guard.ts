import { createHash } from 'node:crypto';
import { ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';

/**
 * Counts requests per caller, not per IP: the authenticated principal, else the user_id the
 * request acts for (AUTH_MODE=none), else the client address.
 */
@Injectable()
export class PrincipalThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, any>): Promise<string> {
    const request = req as Request;
    if (request.principal) return request.principal.id;
    // Where the route takes it: path, body, or query string (GET /api/chat/stream).
    const userId: unknown = request.params?.user_id ?? (request.body as { user_id?: unknown } | undefined)?.user_id ?? request.query?.user_id;
    if (typeof userId === 'string') return `user:${userId}`;
    return `ip:${request.ip}`;
  }

  /**
   * One counter per caller and limit ("chat" or "reads"), whatever the route: by default each
   * handler counts apart, and the stream routes would triple a caller's chat turns. Hashed: the
   * tracker is read before validation, and a key must not hold whatever a body sent as user_id.
   */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${createHash('sha256').update(tracker).digest('hex')}`;
  }

  /** Requests to the stream route that run no turn are no chat turn: a HEAD (405), a reconnect (410). */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request>();
    if (req.path === '/api/chat/stream' && (req.method === 'HEAD' || req.headers['last-event-id'] !== undefined)) return true;
    return super.shouldSkip(context);
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(detail.timeToBlockExpire));
    throw new ApiException(
      HttpStatus.TOO_MANY_REQUESTS,
      ErrorCode.RATE_LIMITED,
      `Too many requests: at most ${detail.limit} per ${detail.ttl / 1000} s; retry after ${detail.timeToBlockExpire} s`,
    );
  }
}
