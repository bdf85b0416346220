import type { StructuredToolInterface } from '@langchain/core/tools';

/** A tool the agent may call, with where it comes from and how long one call may take. */
export interface AgentTool {
  tool: StructuredToolInterface;
  /** `builtin`, or `mcp:<server>` for a tool of an MCP server. */
  source: string;
  timeoutMs: number;
}

/** Injection token of the agent's tools (AgentTool[]): the enabled built-in ones, then those of MCP_SERVERS. */
export const AGENT_TOOLS = Symbol('AGENT_TOOLS');
/** Injection token of the agent's TimeLimitedToolNode, which runs those tools. */
export const TOOL_NODE = Symbol('TOOL_NODE');
