import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { CHECKPOINTER_INFO, type CheckpointerInfo } from '../checkpoint/checkpoint.constants';

/** Reports which checkpoint backend serves conversations, and says so when it is the embedded one. */
@Injectable()
export class CheckpointerHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(CHECKPOINTER_INFO) private readonly info: CheckpointerInfo,
  ) {}

  isHealthy(key = 'checkpointer') {
    const { backend, embedded, ttlMinutes } = this.info;
    return this.health.check(key).up({
      backend,
      embedded,
      ...(ttlMinutes ? { ttlMinutes } : {}),
      ...(embedded ? { message: 'in-memory checkpoints: conversations are lost on restart' } : {}),
    });
  }
}
