import { type ToolCall, ToolMessage } from '@langchain/core/messages/tool';
import type { Command, LangGraphRunnableConfig } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import type { AgentTool } from './agent-tool';

/**
 * The agent's tool node: a tool call that fails, or outlasts its tool's limit, becomes an error
 * message for the model (which can answer without it or try something else) instead of failing
 * the turn. A call past its limit is aborted through its signal.
 */
export class TimeLimitedToolNode extends ToolNode {
  private readonly limits: Map<string, number>;

  constructor(agentTools: readonly AgentTool[]) {
    super(agentTools.map((t) => t.tool));
    this.limits = new Map(agentTools.map((t) => [t.tool.name, t.timeoutMs]));
  }

  protected override async runTool(call: ToolCall, config: LangGraphRunnableConfig, state: unknown): Promise<ToolMessage | Command> {
    const limitMs = this.limits.get(call.name);
    if (limitMs === undefined) return super.runTool(call, config, state);
    const deadline = new AbortController();
    const signal = config.signal ? AbortSignal.any([config.signal, deadline.signal]) : deadline.signal;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<ToolMessage>((resolve) => {
      timer = setTimeout(() => {
        deadline.abort();
        resolve(
          new ToolMessage({
            status: 'error',
            name: call.name,
            tool_call_id: call.id ?? '',
            content: `Error: the tool ${call.name} did not finish within ${limitMs} ms; answer without it or try another way.`,
          }),
        );
      }, limitMs);
    });
    try {
      // metadata.timeoutMs is the MCP tools' request timeout: without it the MCP SDK cuts every call
      // at its own 60 s default, whatever the tool's limit.
      const limited = { ...config, signal, metadata: { ...config.metadata, timeoutMs: limitMs } };
      return await Promise.race([super.runTool(call, limited, state), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
