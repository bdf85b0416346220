import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { LoopbackHttpServer } from './loopback-http.server';

/**
 * A local MCP server over streamable HTTP (`POST /mcp`, stateless: a fresh server and transport
 * per request, as the SDK suggests for simple servers) with one tool, `weather` {city},
 * so tests drive a real MCP client without reaching any network.
 */
export class McpHttpServer extends LoopbackHttpServer {
  /** Number of `weather` calls received. */
  calls = 0;

  get url(): string {
    return `${this.origin}/mcp`;
  }

  private createMcpServer(): McpServer {
    const mcp = new McpServer({ name: 'mcp-http-test-server', version: '1.0.0' });
    mcp.registerTool(
      'weather',
      { description: 'Current weather of a city.', inputSchema: { city: z.string() } },
      async ({ city }) => {
        this.calls++;
        return { content: [{ type: 'text', text: `Sunny in ${city}, 21 °C` }] };
      },
    );
    return mcp;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    // Stateless: no standalone SSE stream (GET) and no session to end (DELETE).
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const mcp = this.createMcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.once('close', () => void mcp.close());
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  }
}
