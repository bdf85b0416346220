import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { LLMResult } from '@langchain/core/outputs';
import { MODEL_ATTEMPT_TAG } from '../agent/models/resilient-chat.model';
import type { MetricsService } from './metrics.service';

interface UsageMetadata {
  input_tokens?: number;
  output_tokens?: number;
}

type ModelLabels = { provider: string; model: string };

/**
 * Feeds the latency and token usage of each provider call (the runs tagged MODEL_ATTEMPT_TAG,
 * labelled with the model that was really called) and tool outcomes of one run into the metrics.
 * Failed calls are counted where they are classified (the model catalog's failure report).
 */
export class ModelMetricsCallback extends BaseCallbackHandler {
  name = 'model-metrics';
  private readonly started = new Map<string, { at: number; labels: ModelLabels }>();
  private readonly tools = new Map<string, string>();

  constructor(private readonly metrics: MetricsService) {
    super();
  }

  override handleChatModelStart(
    _llm: unknown,
    _messages: unknown,
    runId: string,
    _parentRunId?: string,
    _extraParams?: unknown,
    tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    if (!tags?.includes(MODEL_ATTEMPT_TAG)) return;
    const labels = { provider: String(metadata?.model_provider), model: String(metadata?.model_id) };
    this.started.set(runId, { at: performance.now(), labels });
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const labels = this.observe(runId);
    if (!labels) return;
    const message = (output.generations?.[0]?.[0] as { message?: { usage_metadata?: UsageMetadata } } | undefined)?.message;
    const usage = message?.usage_metadata;
    if (usage?.input_tokens) this.metrics.tokens.inc({ ...labels, direction: 'in' }, usage.input_tokens);
    if (usage?.output_tokens) this.metrics.tokens.inc({ ...labels, direction: 'out' }, usage.output_tokens);
  }

  override handleLLMError(_err: unknown, runId: string): void {
    this.observe(runId);
  }

  override handleToolStart(...args: unknown[]): void {
    const [, , runId, , , , runName] = args as [unknown, unknown, string, unknown, unknown, unknown, string];
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

  private observe(runId: string): ModelLabels | undefined {
    const started = this.started.get(runId);
    if (!started) return undefined;
    this.started.delete(runId);
    this.metrics.modelDuration.observe(started.labels, (performance.now() - started.at) / 1000);
    return started.labels;
  }
}
