import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { loadMcpTools } from '@langchain/mcp-adapters';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { AppConfigService } from '../../config/app-config.service';
import type { McpServerEntry } from '../../config/mcp-servers';
import type { AgentTool } from '../agent-tool';
import { textToolResult } from './text-tool-result';

const CLIENT_INFO = { name: 'langgraph-agent-service', version: '0.1.0' };

function transportOf(server: McpServerEntry): Transport {
  if (server.transport === 'http') {
    return new StreamableHTTPClientTransport(new URL(server.url), server.headers ? { requestInit: { headers: server.headers } } : undefined);
  }
  return new StdioClientTransport({
    command: server.command,
    args: server.args,
    // A server's own env replaces the inherited one; PATH stays, so commands such as npx resolve.
    ...(server.env ? { env: { PATH: process.env.PATH ?? '', ...server.env } } : {}),
    ...(server.cwd ? { cwd: server.cwd } : {}),
    stderr: 'inherit',
  });
}

/**
 * The tools of the MCP servers in MCP_SERVERS, loaded once at start-up (MCP SDK clients, tools
 * adapted by `@langchain/mcp-adapters`) and named `<server>__<tool>`. Servers connect in parallel,
 * each within MCP_CONNECT_TIMEOUT_MS; one that fails or hangs is closed (its process stopped),
 * logged and left out, so it can neither hold start-up past the startup probe nor linger.
 */
@Injectable()
export class McpToolsService implements OnApplicationShutdown {
  private readonly logger = new Logger(McpToolsService.name);
  private readonly clients: Client[] = [];

  constructor(private readonly config: AppConfigService) {}

  async load(): Promise<AgentTool[]> {
    const servers = this.config.get('MCP_SERVERS') ?? [];
    const loaded = await Promise.all(servers.map((server) => this.connect(server)));
    return loaded.flat();
  }

  /** After the drain: turns still running could call a tool until then. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.close()));
  }

  private async connect(server: McpServerEntry): Promise<AgentTool[]> {
    const limitMs = this.config.get('MCP_CONNECT_TIMEOUT_MS');
    const client = new Client(CLIENT_INFO);
    let timedOut = false;
    // Closing the client rejects whatever it still waits for (initialize, tools/list).
    const timer = setTimeout(() => {
      timedOut = true;
      void client.close();
    }, limitMs);
    try {
      await client.connect(transportOf(server), { timeout: limitMs });
      const tools = await loadMcpTools(server.name, client, {
        prefixToolNameWithServerName: true,
        additionalToolNamePrefix: '',
        throwOnLoadError: true,
        // Everything a tool returns reaches the model, as text (see textToolResult).
        outputHandling: 'content',
        afterToolCall: ({ result: [content] }) => {
          const text = textToolResult(content);
          return text === undefined ? undefined : { result: text };
        },
      });
      this.clients.push(client);
      this.logger.log(`MCP server "${server.name}": ${tools.map((t) => t.name).join(', ') || 'no tools'}`);
      const timeoutMs = server.timeoutMs ?? this.config.get('AGENT_TOOL_TIMEOUT_MS');
      return tools.map((tool) => ({ tool, source: `mcp:${server.name}`, timeoutMs }));
    } catch (err) {
      const reason = timedOut ? `no answer within MCP_CONNECT_TIMEOUT_MS (${limitMs} ms)` : ((err as Error)?.message ?? String(err));
      this.logger.error(`MCP server "${server.name}" is unavailable; its tools are left out: ${reason}`);
      await client.close().catch(() => undefined);
      return [];
    } finally {
      clearTimeout(timer);
    }
  }
}
