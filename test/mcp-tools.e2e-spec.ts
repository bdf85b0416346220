import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { completion, FakeOpenAIServer } from './support/fake-openai.server';
import { McpHttpServer } from './support/mcp-http.server';
import { createTestApp } from './support/test-app';

describe('tools by configuration: MCP servers over stdio and streamable HTTP', () => {
  const llm = new FakeOpenAIServer();
  const web = new McpHttpServer();
  let app: NestExpressApplication;
  const ask = (question: string) => request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question });
  const callThenAnswer = (name: string, args: Record<string, unknown>, answer: string) =>
    llm.enqueue({ body: completion(null, [{ id: `call_${name}`, name, args }]) }, { body: completion(answer) });
  const lastToolResult = () => llm.requests.at(-1)!.messages.at(-1);

  let startupMs: number;

  beforeAll(async () => {
    await Promise.all([llm.start(), web.start()]);
    const started = Date.now();
    app = await createTestApp({
      MCP_CONNECT_TIMEOUT_MS: '1500',
      REDIS_URL: undefined,
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: llm.baseUrl,
      LLM_MAX_RETRIES: '0',
      AGENT_BUILTIN_TOOLS: 'calculator',
      MCP_SERVERS: JSON.stringify({
        mcpServers: {
          math: { command: process.execPath, args: ['test/support/mcp-test.server.mjs'], timeout_ms: 500 },
          web: { url: web.url },
          // Exits at once, or never answers: left out, and the service starts anyway, in time.
          broken: { command: process.execPath, args: ['-e', 'process.exit(1)'] },
          silent: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] },
        },
      }),
    });
    startupMs = Date.now() - started;
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([llm.stop(), web.stop()]);
  });

  it('starts within MCP_CONNECT_TIMEOUT_MS although one server never answers', () => {
    expect(startupMs).toBeGreaterThanOrEqual(1500);
    expect(startupMs).toBeLessThan(5000);
  });

  it('lists the built-in tools that are on and every MCP tool, with their schemas', async () => {
    const res = await request(app.getHttpServer()).get('/api/tools').expect(200);
    const tools = res.body.data.tools as Array<{ name: string; source: string; timeout_ms: number; parameters: unknown }>;
    expect(tools.map((t) => [t.name, t.source, t.timeout_ms])).toEqual([
      ['calculator', 'builtin', 30000],
      ['math__add', 'mcp:math', 500],
      ['math__lookup_city', 'mcp:math', 500],
      ['math__sleep', 'mcp:math', 500],
      ['math__explode', 'mcp:math', 500],
      ['math__chart', 'mcp:math', 500],
      ['web__weather', 'mcp:web', 30000],
    ]);
    expect(tools.find((t) => t.name === 'math__add')?.parameters).toMatchObject({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' } },
      required: ['a', 'b'],
    });
    expect(tools.find((t) => t.name === 'calculator')?.parameters).toMatchObject({ type: 'object', properties: { expression: { type: 'string' } } });
  });

  it('calls a tool of the stdio server and answers from its result', async () => {
    callThenAnswer('math__add', { a: 2, b: 3 }, 'Two plus three is 5.');
    const res = await ask('What is 2 + 3? Use the add tool.').expect(200);
    expect(res.body.data).toMatchObject({
      response: 'Two plus three is 5.',
      tool_calls: [{ name: 'math__add', args: { a: 2, b: 3 }, result: '5' }],
    });
    expect(llm.requests.at(-2)!.tools?.map((t) => t.function.name)).toEqual([
      'calculator',
      'math__add',
      'math__lookup_city',
      'math__sleep',
      'math__explode',
      'math__chart',
      'web__weather',
    ]);
    expect(lastToolResult()).toMatchObject({ role: 'tool', tool_call_id: 'call_math__add', content: '5' });
  });

  it('calls a tool of the streamable HTTP server', async () => {
    callThenAnswer('web__weather', { city: 'Oslo' }, 'It is sunny in Oslo.');
    await ask('Weather in Oslo?').expect(200);
    expect(web.calls).toBe(1);
    expect(lastToolResult()).toMatchObject({ content: 'Sunny in Oslo, 21 °C' });
  });

  it('tells the model when a tool fails or reports an error, and the turn still answers', async () => {
    callThenAnswer('math__explode', {}, 'The tool failed, sorry.');
    await ask('Explode.').expect(200);
    expect(lastToolResult()).toMatchObject({ role: 'tool', content: expect.stringMatching(/^Error: .*boom/s) });

    callThenAnswer('math__lookup_city', { city: 'Atlantis' }, 'I do not know Atlantis.');
    await ask('Population of Atlantis?').expect(200);
    expect(lastToolResult()).toMatchObject({ content: expect.stringContaining('Unknown city: Atlantis') });
  });

  it('gives the model an image, a resource and a link as text, which every provider takes', async () => {
    callThenAnswer('math__chart', {}, 'Here is the chart.');
    const res = await ask('Draw the sales chart.').expect(200);
    const result = lastToolResult();
    expect(result).toMatchObject({ role: 'tool', tool_call_id: 'call_math__chart' });
    expect(result?.content).toBe(
      [
        'Sales by month',
        '[image/png image, 1 KiB: not shown, tool results reach the model as text]',
        'Resource file:///sales.csv (text/csv):\nmonth,sales\nJan,10',
        '[application/pdf file https://example.com/sales.pdf: not shown, tool results reach the model as text]',
      ].join('\n'),
    );
    expect(res.body.data.tool_calls[0].result).toBe(result?.content);
    // The next turn of the conversation still goes through.
    llm.enqueue({ body: completion('Still here.') });
    await request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'And now?', thread_id: res.body.data.thread_id }).expect(200);
  });

  it('abandons a tool call past its timeout and tells the model so', async () => {
    callThenAnswer('math__sleep', { ms: 5000 }, 'The tool took too long.');
    const started = Date.now();
    const res = await ask('Sleep for five seconds.').expect(200);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(res.body.data.response).toBe('The tool took too long.');
    expect(lastToolResult()).toMatchObject({ content: expect.stringContaining('did not finish within 500 ms') });

    // The server is still usable after the cancelled call.
    callThenAnswer('math__add', { a: 1, b: 1 }, 'Two.');
    await ask('1 + 1?').expect(200);
    expect(lastToolResult()).toMatchObject({ content: '2' });
  });
});

describe('AGENT_BUILTIN_TOOLS=none', () => {
  it('leaves the agent without tools', async () => {
    const app = await createTestApp({ REDIS_URL: undefined, AGENT_BUILTIN_TOOLS: 'none' });
    try {
      const tools = await request(app.getHttpServer()).get('/api/tools').expect(200);
      expect(tools.body.data.tools).toEqual([]);
      // The offline model then answers arithmetic without calling a tool.
      const res = await request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'What is 6 * 7?' }).expect(200);
      expect(res.body.data.tool_calls).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
