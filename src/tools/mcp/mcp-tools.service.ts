import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type Connection, MultiServerMCPClient } from '@langchain/mcp-adapters';
import { AppConfigService } from '../../config/app-config.service';
import type { McpServerEntry } from '../../config/mcp-servers';
import type { AgentTool } from '../agent-tool';

function connectionOf(server: McpServerEntry): Connection {
  if (server.transport === 'http') {
    return { transport: 'http', url: server.url, ...(server.headers ? { headers: server.headers } : {}) };
  }
  return {
    transport: 'stdio',
    command: server.command,
    args: server.args,
    ...(server.env ? { env: server.env } : {}),
    ...(server.cwd ? { cwd: server.cwd } : {}),
  };
}

/**
 * The tools of the MCP servers in MCP_SERVERS, loaded once at start-up through
 * `@langchain/mcp-adapters` and named `<server>__<tool>`. A server that cannot be reached is
 * logged and left out: the agent still serves with the other tools.
 */
@Injectable()
export class McpToolsService implements OnApplicationShutdown {
  private readonly logger = new Logger(McpToolsService.name);
  private client?: MultiServerMCPClient;

  constructor(private readonly config: AppConfigService) {}

  async load(): Promise<AgentTool[]> {
    const servers = this.config.get('MCP_SERVERS') ?? [];
    if (servers.length === 0) return [];
    this.client = new MultiServerMCPClient({
      mcpServers: Object.fromEntries(servers.map((s) => [s.name, connectionOf(s)])),
      prefixToolNameWithServerName: true,
      additionalToolNamePrefix: '',
      throwOnLoadError: false,
      onConnectionError: ({ serverName, error }) =>
        this.logger.error(`MCP server "${serverName}" is unavailable; its tools are left out: ${(error as Error)?.message ?? String(error)}`),
    });
    const toolsByServer = await this.client.initializeConnections();
    const defaultTimeout = this.config.get('AGENT_TOOL_TIMEOUT_MS');
    return servers.flatMap((server) => {
      const tools = toolsByServer[server.name] ?? [];
      if (tools.length) this.logger.log(`MCP server "${server.name}": ${tools.map((t) => t.name).join(', ')}`);
      return tools.map((tool) => ({ tool, source: `mcp:${server.name}`, timeoutMs: server.timeoutMs ?? defaultTimeout }));
    });
  }

  /** After the drain: turns still running could call a tool until then. */
  async onApplicationShutdown(): Promise<void> {
    await this.client?.close();
  }
}
