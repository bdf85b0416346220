import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { DrainService } from './drain.service';

/** Lets the drain on shutdown know which requests are still running. */
@Injectable()
export class InFlightMiddleware implements NestMiddleware {
  constructor(private readonly drain: DrainService) {}

  use(_req: Request, res: Response, next: NextFunction): void {
    this.drain.track((done) => {
      res.once('finish', done);
      res.once('close', done);
    });
    next();
  }
}
