import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';

/** Observes every request by its route template (never the raw path: ids would explode the labels). */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const stop = this.metrics.httpDuration.startTimer();
    let observed = false;
    const observe = (status: string) => {
      if (observed) return;
      observed = true;
      const route = (req.route as { path?: string } | undefined)?.path;
      stop({ method: req.method, route: route ? `${req.baseUrl}${route}` : 'unmatched', status });
    };
    res.once('finish', () => observe(String(res.statusCode)));
    // A client that hangs up first (a stream left early) ends the request too: 499, as nginx says.
    res.once('close', () => observe(res.writableFinished ? String(res.statusCode) : '499'));
    next();
  }
}
