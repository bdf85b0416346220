import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, MemoryHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../auth/public.decorator';
import { CHAT_LIMIT, READ_LIMIT } from '../rate-limit/rate-limit.module';
import { AppConfigService } from '../config/app-config.service';
import { CheckpointerHealthIndicator } from './checkpointer.health';
import { DrainHealthIndicator } from './drain.health';
import { ModelHealthIndicator } from './model.health';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('health')
@Public()
@SkipThrottle({ [CHAT_LIMIT]: true, [READ_LIMIT]: true })
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly redis: RedisHealthIndicator,
    private readonly checkpointer: CheckpointerHealthIndicator,
    private readonly drain: DrainHealthIndicator,
    private readonly model: ModelHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
    private readonly config: AppConfigService,
  ) {}

  /** Everything: Redis, checkpoint backend, model, heap. */
  @Get()
  @HealthCheck()
  check() {
    const heapLimit = this.config.get('HEALTH_HEAP_LIMIT_MB') * 1024 * 1024;
    return this.health.check([
      () => this.redis.isHealthy(),
      () => this.checkpointer.isHealthy(),
      () => this.model.isHealthy(),
      () => this.memory.checkHeap('memory_heap', heapLimit),
    ]);
  }

  /** Liveness: the process answers. No dependency, so a Redis outage never restarts pods. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Startup: the server only listens once every provider is ready (Redis connected, indexes
   * created, agent compiled), so answering at all means start-up is done.
   */
  @Get('startup')
  @HealthCheck()
  startup() {
    return this.health.check([() => this.checkpointer.isHealthy()]);
  }

  /** Readiness: can serve chat turns now (Redis reachable, not shutting down). */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.drain.isHealthy(),
      () => this.redis.isHealthy(),
    ]);
  }
}
