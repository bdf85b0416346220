import { readFileSync } from 'node:fs';

interface McpServerCommon {
  /** Prefix of the server's tool names (`<name>__<tool>`), so two servers never clash. */
  name: string;
  /** Per-call limit of this server's tools; AGENT_TOOL_TIMEOUT_MS when unset. */
  timeoutMs?: number;
}

export interface McpStdioServer extends McpServerCommon {
  transport: 'stdio';
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface McpHttpServer extends McpServerCommon {
  transport: 'http';
  url: string;
  headers?: Record<string, string>;
}

export type McpServerEntry = McpStdioServer | McpHttpServer;

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const STDIO_KEYS = new Set(['command', 'args', 'env', 'cwd', 'timeout_ms']);
const HTTP_KEYS = new Set(['url', 'headers', 'timeout_ms']);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function stringMap(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new Error(`${where} must be an object of strings`);
  }
  return value as Record<string, string>;
}

function parseServer(name: string, value: unknown): McpServerEntry {
  const where = `server "${name}"`;
  if (!SERVER_NAME.test(name)) throw new Error(`${where}: names must be 1-32 characters from [A-Za-z0-9_-]`);
  if (!isPlainObject(value)) throw new Error(`${where} must be an object with "command" (stdio) or "url" (streamable HTTP)`);
  const allowed = 'url' in value ? HTTP_KEYS : STDIO_KEYS;
  const unknown = Object.keys(value).filter((k) => !allowed.has(k));
  if (unknown.length) throw new Error(`${where} has unknown fields ${unknown.join(', ')} (allowed: ${[...allowed].join(', ')})`);
  const { timeout_ms } = value;
  if (timeout_ms !== undefined && (!Number.isInteger(timeout_ms) || (timeout_ms as number) < 1)) {
    throw new Error(`${where}: timeout_ms must be a positive integer`);
  }
  const common = { name, ...(timeout_ms !== undefined ? { timeoutMs: timeout_ms as number } : {}) };
  if ('url' in value) {
    if (typeof value.url !== 'string' || !/^https?:\/\/\S+$/.test(value.url)) throw new Error(`${where}: url must be an http(s) URL`);
    const headers = stringMap(value.headers, `${where}: headers`);
    return { ...common, transport: 'http', url: value.url, ...(headers ? { headers } : {}) };
  }
  const { command, args = [], cwd } = value;
  if (typeof command !== 'string' || !command) throw new Error(`${where} must have a "command" (stdio) or a "url" (streamable HTTP)`);
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new Error(`${where}: args must be an array of strings`);
  if (cwd !== undefined && typeof cwd !== 'string') throw new Error(`${where}: cwd must be a string`);
  const env = stringMap(value.env, `${where}: env`);
  return { ...common, transport: 'stdio', command, args: args as string[], ...(env ? { env } : {}), ...(cwd ? { cwd } : {}) };
}

/**
 * MCP_SERVERS: JSON, or the path of a JSON file, in the `mcpServers` format MCP clients share:
 * `{"mcpServers": {"files": {"command": "npx", "args": [...]}, "search": {"url": "https://…/mcp"}}}`
 * (the `mcpServers` wrapper is optional).
 */
export function parseMcpServers(raw: string, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): McpServerEntry[] {
  const text = raw.trim();
  if (/^['"]/.test(text)) throw new Error('is wrapped in quotes: give the JSON (or the file path) without them');
  if (text.startsWith('[')) throw new Error('must be a JSON object of servers by name');
  let json = text;
  if (!text.startsWith('{')) {
    try {
      json = readFile(text);
    } catch (err) {
      // Only the error code: the value may be JSON that holds credentials, not a path.
      throw new Error(`is neither JSON nor a readable file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(text.startsWith('{') ? 'is not valid JSON' : `file ${text} is not valid JSON`);
  }
  const servers = isPlainObject(value) && isPlainObject(value.mcpServers) ? value.mcpServers : value;
  if (!isPlainObject(servers)) throw new Error('must be a JSON object of servers by name');
  return Object.entries(servers).map(([name, server]) => parseServer(name, server));
}
