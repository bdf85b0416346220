import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/public.decorator';
import { CHAT_LIMIT, READ_LIMIT } from '../rate-limit/rate-limit.module';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint: public, unlimited, and not part of the API docs. */
@ApiExcludeController()
@Public()
@SkipThrottle({ [CHAT_LIMIT]: true, [READ_LIMIT]: true })
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
