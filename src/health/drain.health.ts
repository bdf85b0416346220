import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DrainService } from '../lifecycle/drain.service';

/** Down as soon as shutdown starts, so load balancers stop sending new work. */
@Injectable()
export class DrainHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly drain: DrainService,
  ) {}

  isHealthy(key = 'lifecycle') {
    const indicator = this.health.check(key);
    return this.drain.draining
      ? indicator.down({ message: 'draining for shutdown' })
      : indicator.up();
  }
}
