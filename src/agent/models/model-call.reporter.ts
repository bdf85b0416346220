import { Logger } from '@nestjs/common';
import type { UsageMetadata } from '@langchain/core/messages';
import type { MetricsService } from '../../metrics/metrics.service';
import type { ModelCallError, ModelRef } from './model-call.error';
import type { ModelCallObserver, NextStep } from './model-attempts';

/** Every provider call into the metrics (by the model really called); every failure also into the log. */
export class ModelCallReporter implements ModelCallObserver {
  constructor(
    private readonly metrics: MetricsService,
    private readonly logger = new Logger('ModelCalls'),
  ) {}

  called({ provider, model }: ModelRef, seconds: number, usage?: UsageMetadata): void {
    this.metrics.modelDuration.observe({ provider, model }, seconds);
    if (usage?.input_tokens) this.metrics.tokens.inc({ provider, model, direction: 'in' }, usage.input_tokens);
    if (usage?.output_tokens) this.metrics.tokens.inc({ provider, model, direction: 'out' }, usage.output_tokens);
  }

  failed(failure: ModelCallError, next: NextStep | undefined): void {
    const { provider, model } = failure.target;
    this.metrics.modelErrors.inc({ provider, model, kind: failure.kind });
    if (next?.retryInMs !== undefined) this.metrics.modelRetries.inc({ provider, model });
    if (next?.fallback) this.metrics.modelFallbacks.inc({ provider: next.fallback.provider, model: next.fallback.model });
    const then =
      next?.retryInMs !== undefined
        ? `retrying in ${next.retryInMs} ms`
        : next?.fallback
          ? `falling back to ${next.fallback.provider}:${next.fallback.model}`
          : 'no model left to try';
    this.logger.warn(`${failure.message} [${failure.kind}]; ${then}`);
  }
}
