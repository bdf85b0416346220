import type { IncomingMessage } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfigService } from '../config/app-config.service';

/** Requests that probes and scrapers make every few seconds: logged at debug only. */
const QUIET = /^\/(health(\/.*)?|metrics)$/;

/** Every header or field that may carry a secret. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
];

/** The serialized request without its query string (nor `query`): it may hold a question. */
export function withoutQuery<T extends { url?: string; query?: unknown }>(req: T): T {
  const { query: _query, ...rest } = req;
  return { ...rest, url: req.url?.split('?')[0] } as T;
}

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => ({
        // user_id, thread_id and run_id assigned during the request also go on its final line.
        assignResponse: true,
        pinoHttp: {
          level: config.get('LOG_LEVEL'),
          ...(config.get('LOG_PRETTY') ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
          // The id requestIdMiddleware chose (a sane X-Request-Id, or a new one).
          genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? 'unknown',
          // On every line logged while serving the request, not only in `req`.
          customProps: (req: IncomingMessage) => ({ request_id: (req as IncomingMessage & { id?: string }).id }),
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          // GET /api/chat/stream carries the question in its query string: log paths only.
          serializers: { req: withoutQuery },
          customLogLevel: (req: IncomingMessage, res, err) => {
            if (err || res.statusCode >= 500) return 'error';
            if (QUIET.test((req.url ?? '').split('?')[0])) return 'debug';
            return res.statusCode >= 400 ? 'warn' : 'info';
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
