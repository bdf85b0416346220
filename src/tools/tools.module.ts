import { Module } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import { AGENT_TOOLS, type AgentTool, TOOL_NODE } from './agent-tool';
import { BUILTIN_TOOLS } from './builtin/builtin-tools';
import { McpToolsService } from './mcp/mcp-tools.service';
import { TimeLimitedToolNode } from './time-limited-tool.node';
import { ToolsController } from './tools.controller';

/** What the agent can call: the built-in tools AGENT_BUILTIN_TOOLS keeps, and the tools of MCP_SERVERS. */
@Module({
  controllers: [ToolsController],
  providers: [
    McpToolsService,
    {
      provide: AGENT_TOOLS,
      inject: [AppConfigService, McpToolsService],
      useFactory: async (config: AppConfigService, mcp: McpToolsService): Promise<AgentTool[]> => {
        const timeoutMs = config.get('AGENT_TOOL_TIMEOUT_MS');
        const builtin = config.get('AGENT_BUILTIN_TOOLS').map((name) => ({ tool: BUILTIN_TOOLS[name], source: 'builtin', timeoutMs }));
        return [...builtin, ...(await mcp.load())];
      },
    },
    {
      provide: TOOL_NODE,
      inject: [AGENT_TOOLS],
      useFactory: (tools: AgentTool[]) => new TimeLimitedToolNode(tools),
    },
  ],
  exports: [AGENT_TOOLS, TOOL_NODE],
})
export class ToolsModule {}
