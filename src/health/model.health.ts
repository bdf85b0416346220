import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfigService } from '../config/app-config.service';
import { DEFAULT_MODEL_OF } from '../config/model-entries';

/** Reports which model answers, and says so when none is configured (the built-in offline model). */
@Injectable()
export class ModelHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly config: AppConfigService,
  ) {}

  isHealthy(key = 'model') {
    const provider = this.config.get('LLM_PROVIDER');
    const offline = provider === 'offline';
    return this.health.check(key).up({
      provider,
      model: offline ? DEFAULT_MODEL_OF.offline : (this.config.get('LLM_MODEL') ?? DEFAULT_MODEL_OF[provider]),
      ...(offline ? { message: 'no language model configured (LLM_PROVIDER): the built-in offline model answers' } : {}),
    });
  }
}
