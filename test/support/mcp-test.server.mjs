/**
 * A tiny MCP server over stdio for e2e tests, started as a child process with
 * `node test/support/mcp-test.server.mjs`. Tools:
 * - `add` {a, b}: the sum as text;
 * - `lookup_city` {city}: the population from a built-in table, an `isError` result for an unknown city;
 * - `sleep` {ms}: answers "slept <ms> ms" after ms (stops early when the client cancels the call);
 * - `explode` {}: throws inside the handler;
 * - `chart` {}: a caption, a PNG image, an embedded CSV resource and a link to a PDF.
 * stdout carries the protocol only.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const POPULATIONS = { Paris: 2102650, Berlin: 3596999, Tokyo: 14192184 };

/** A tool result with one text block. */
const text = (value) => ({ content: [{ type: 'text', text: value }] });

const server = new McpServer({ name: 'mcp-test-server', version: '1.0.0' });

server.registerTool(
  'add',
  { description: 'Adds two numbers.', inputSchema: { a: z.number(), b: z.number() } },
  async ({ a, b }) => text(String(a + b)),
);

server.registerTool(
  'lookup_city',
  { description: 'Looks up the population of a city.', inputSchema: { city: z.string() } },
  async ({ city }) =>
    Object.hasOwn(POPULATIONS, city)
      ? text(`Population of ${city}: ${POPULATIONS[city]}`)
      : { ...text(`Unknown city: ${city}`), isError: true },
);

server.registerTool(
  'sleep',
  { description: 'Waits the given number of milliseconds.', inputSchema: { ms: z.number().int().nonnegative() } },
  ({ ms }, { signal }) =>
    new Promise((resolve, reject) => {
      // Unref'd: a sleep still running when the client hangs up must not keep the process alive.
      const timer = setTimeout(() => resolve(text(`slept ${ms} ms`)), ms).unref();
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(new Error('cancelled'));
        },
        { once: true },
      );
    }),
);

server.registerTool('explode', { description: 'Always fails.' }, async () => {
  throw new Error('boom');
});

// A 1×1 transparent PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

server.registerTool('chart', { description: 'Draws the sales chart.' }, async () => ({
  content: [
    { type: 'text', text: 'Sales by month' },
    { type: 'image', data: PNG, mimeType: 'image/png' },
    { type: 'resource', resource: { uri: 'file:///sales.csv', mimeType: 'text/csv', text: 'month,sales\nJan,10' } },
    { type: 'resource_link', uri: 'https://example.com/sales.pdf', name: 'sales.pdf', mimeType: 'application/pdf' },
  ],
}));

await server.connect(new StdioServerTransport());
