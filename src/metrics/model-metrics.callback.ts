import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { LLMResult } from '@langchain/core/outputs';
import type { ModelInfo } from '../agent/agent.constants';
import type { MetricsService } from './metrics.service';

interface UsageMetadata {
  input_tokens?: number;
  output_tokens?: number;
}

/** Feeds model latency, errors, token usage and tool outcomes of one run into the metrics. */
export class ModelMetricsCallback extends BaseCallbackHandler {
  name = 'model-metrics';
  private readonly started = new Map<string, number>();
  private readonly tools = new Map<string, string>();

  constructor(
    private readonly metrics: MetricsService,
    private readonly model: ModelInfo,
  ) {
    super();
  }

  private get labels() {
    return { provider: this.model.provider, model: this.model.model };
  }

  override handleChatModelStart(_llm: unknown, _messages: unknown, runId: string): void {
    this.started.set(runId, performance.now());
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    this.observe(runId);
    const message = (output.generations?.[0]?.[0] as { message?: { usage_metadata?: UsageMetadata } } | undefined)?.message;
    const usage = message?.usage_metadata;
    if (usage?.input_tokens) this.metrics.tokens.inc({ ...this.labels, direction: 'in' }, usage.input_tokens);
    if (usage?.output_tokens) this.metrics.tokens.inc({ ...this.labels, direction: 'out' }, usage.output_tokens);
  }

  override handleLLMError(_err: unknown, runId: string): void {
    this.observe(runId);
    this.metrics.modelErrors.inc(this.labels);
  }

  override handleToolStart(..._args: unknown[]): void {
    const [, , runId, , , , runName] = _args as [unknown, unknown, string, unknown, unknown, unknown, string];
    this.tools.set(runId, runName ?? 'unknown');
  }

  override handleToolEnd(output: unknown, runId: string): void {
    const text = typeof output === 'string' ? output : String((output as { content?: unknown })?.content ?? '');
    this.countTool(runId, text.startsWith('Error') ? 'error' : 'ok');
  }

  override handleToolError(_err: unknown, runId: string): void {
    this.countTool(runId, 'error');
  }

  private countTool(runId: string, outcome: string) {
    this.metrics.toolCalls.inc({ tool: this.tools.get(runId) ?? 'unknown', outcome });
    this.tools.delete(runId);
  }

  private observe(runId: string) {
    const started = this.started.get(runId);
    this.started.delete(runId);
    if (started !== undefined) this.metrics.modelDuration.observe(this.labels, (performance.now() - started) / 1000);
  }
}
