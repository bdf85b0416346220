import { createHash, randomUUID } from 'node:crypto';
import { CallHandler, ExecutionContext, HttpStatus, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfigService } from '../config/app-config.service';
import { DrainService } from '../lifecycle/drain.service';
import { shuttingDown } from '../lifecycle/shutting-down';
import { waitToRetry } from '../thread-lock/thread-lock';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from './idempotency.store';

const SANE_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

declare module 'express-serve-static-core' {
  interface Request {
    /** The request's Idempotency-Key with its body, scoped by caller and user (hex SHA-256). */
    idempotencyKey?: string;
  }
}

/** Canonical JSON (sorted keys), so the same body always has the same fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * `Idempotency-Key` on POST /api/chat: a repeat with the same key and body gets the stored
 * response without a second model call; the same key with another body is 422; a repeat while
 * the first still runs waits for it (up to THREAD_BUSY_WAIT_MS) or gets 409.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    private readonly config: AppConfigService,
    private readonly drain: DrainService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const header = req.get('idempotency-key');
    if (header === undefined) return next.handle();
    if (!SANE_KEY.test(header)) {
      throw new ApiException(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, 'Invalid Idempotency-Key', [
        { field: 'Idempotency-Key', messages: ['Idempotency-Key must be 1-200 characters from [A-Za-z0-9._:-]'] },
      ]);
    }
    const body: unknown = req.body;
    // Not a JSON object (no body, an array): validation answers 400; nothing to remember.
    if (!body || typeof body !== 'object' || Array.isArray(body)) return next.handle();
    const userId: unknown = (body as { user_id?: unknown }).user_id;
    // Scoped by caller and user, so one client's keys never answer another's requests.
    const key = createHash('sha256').update(`${req.principal?.id ?? ''}\n${typeof userId === 'string' ? userId : ''}\n${header}`).digest('hex');
    const fingerprint = createHash('sha256').update(canonical(body)).digest('hex');
    // The key and the body: a key reused with another body (after its lifetime) is another request.
    req.idempotencyKey = createHash('sha256').update(`${key}\n${fingerprint}`).digest('hex');
    const ttlMs = this.config.get('IDEMPOTENCY_TTL_HOURS') * 3_600_000;
    // A running claim lives one lease TTL at a time, renewed while its request runs: the claim of an
    // instance that crashed mid-turn frees itself as that turn's thread lease does, not after a day.
    const claimTtlMs = this.config.get('THREAD_LEASE_TTL_MS');

    const owner = randomUUID();
    let record = await this.store.claim(key, fingerprint, claimTtlMs, owner);
    const deadline = Date.now() + this.config.get('THREAD_BUSY_WAIT_MS');
    // A shutdown past its deadline stops the wait: the request gets 503 before its connection closes.
    const stop = this.drain.deadlineSignal;
    for (let attempt = 0; record?.state === 'running' && record.fingerprint === fingerprint && Date.now() < deadline; attempt++) {
      await waitToRetry(attempt, deadline, stop);
      if (stop.aborted) throw shuttingDown();
      record = (await this.store.get(key)) ?? (await this.store.claim(key, fingerprint, claimTtlMs, owner));
    }
    if (record && record.fingerprint !== fingerprint) {
      throw new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, ErrorCode.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used with a different request body');
    }
    if (record?.state === 'running') {
      throw new ApiException(HttpStatus.CONFLICT, ErrorCode.IDEMPOTENCY_IN_PROGRESS, 'A request with this Idempotency-Key is still running');
    }
    if (record?.state === 'done') {
      res.status(record.status).setHeader('Idempotent-Replayed', 'true');
      return from([record.body]);
    }
    return from(this.run(next, key, fingerprint, ttlMs, claimTtlMs, owner));
  }

  private async run(next: CallHandler, key: string, fingerprint: string, ttlMs: number, claimTtlMs: number, owner: string): Promise<unknown> {
    const renewal = setInterval(() => void this.store.extend(key, claimTtlMs, owner).catch(() => undefined), Math.max(100, Math.floor(claimTtlMs / 3)));
    renewal.unref();
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle());
    } catch (err) {
      clearInterval(renewal);
      // A failed request is not recorded: the retry runs again.
      await this.store.release(key, owner).catch(() => undefined);
      throw err;
    }
    clearInterval(renewal);
    // The turn is stored: answer it even if its response cannot be recorded (an error would make
    // the client retry, and run it twice).
    await this.store.complete(key, { state: 'done', fingerprint, status: HttpStatus.OK, body }, ttlMs).catch(() => undefined);
    return body;
  }
}
