import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { MetricsService } from './metrics.service';

/** Feeds the tool calls of one run, by tool and outcome, into the metrics. */
export class ToolMetricsCallback extends BaseCallbackHandler {
  name = 'tool-metrics';
  private readonly tools = new Map<string, string>();

  constructor(private readonly metrics: MetricsService) {
    super();
  }

  override handleToolStart(...args: unknown[]): void {
    const [, , runId, , , , runName] = args as [unknown, unknown, string, unknown, unknown, unknown, string];
    this.tools.set(runId, runName ?? 'unknown');
  }

  override handleToolEnd(output: unknown, runId: string): void {
    const text = typeof output === 'string' ? output : String((output as { content?: unknown })?.content ?? '');
    this.count(runId, text.startsWith('Error') ? 'error' : 'ok');
  }

  override handleToolError(_err: unknown, runId: string): void {
    this.count(runId, 'error');
  }

  private count(runId: string, outcome: string) {
    this.metrics.toolCalls.inc({ tool: this.tools.get(runId) ?? 'unknown', outcome });
    this.tools.delete(runId);
  }
}
