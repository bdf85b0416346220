import { parseMcpServers } from './mcp-servers';

describe('parseMcpServers', () => {
  it('reads the shared mcpServers format: stdio commands and streamable-HTTP URLs', () => {
    const raw = JSON.stringify({
      mcpServers: {
        files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/data'], env: { DEBUG: '1' }, timeout_ms: 5000 },
        search: { url: 'https://search.example/mcp', headers: { Authorization: 'Bearer t' } },
      },
    });
    expect(parseMcpServers(raw)).toEqual([
      { name: 'files', transport: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/data'], env: { DEBUG: '1' }, timeoutMs: 5000 },
      { name: 'search', transport: 'http', url: 'https://search.example/mcp', headers: { Authorization: 'Bearer t' } },
    ]);
  });

  it('accepts the servers without the mcpServers wrapper', () => {
    expect(parseMcpServers('{"calc": {"command": "calc-server"}}')).toEqual([{ name: 'calc', transport: 'stdio', command: 'calc-server', args: [] }]);
  });

  it('reads a file when given a path', () => {
    const files: Record<string, string> = { '/etc/agent/mcp.json': '{"calc": {"command": "calc-server"}}' };
    expect(parseMcpServers('/etc/agent/mcp.json', (p) => files[p])).toHaveLength(1);
  });

  it.each([
    ['broken JSON', '{"a":', /is not valid JSON/],
    ['a server with neither command nor url', '{"a": {"args": []}}', /must have a "command" \(stdio\) or a "url"/],
    ['a name that cannot prefix tool names', '{"my server": {"command": "x"}}', /names must be 1-32 characters/],
    ['a non-HTTP url', '{"a": {"url": "ftp://x"}}', /url must be an http\(s\) URL/],
    ['args that are not strings', '{"a": {"command": "x", "args": [1]}}', /args must be an array of strings/],
    ['an unknown field', '{"a": {"command": "x", "autoApprove": []}}', /unknown fields autoApprove/],
    ['a zero timeout', '{"a": {"command": "x", "timeout_ms": 0}}', /timeout_ms must be a positive integer/],
  ])('rejects %s', (_name, raw, reason) => {
    expect(() => parseMcpServers(raw)).toThrow(reason);
  });

  it('says when a path cannot be read', () => {
    const missing = () => {
      throw Object.assign(new Error("ENOENT: no such file or directory, open 'mcp.json'"), { code: 'ENOENT' });
    };
    expect(() => parseMcpServers('mcp.json', missing)).toThrow(/is neither JSON nor a readable file \(ENOENT\)/);
  });
});
