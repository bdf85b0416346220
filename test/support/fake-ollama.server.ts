import { createServer, IncomingMessage, Server, ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OllamaChatRequest {
  model: string;
  messages: Array<{ role: string; content: string; tool_calls?: unknown[]; images?: string[] }>;
  tools?: Array<{ type: string; function: { name: string } }>;
  options?: Record<string, unknown>;
  stream?: boolean;
}

export interface ScriptedReply {
  status?: number;
  body?: unknown;
  delayMs?: number;
  headers?: Record<string, string>;
}

type Script = (request: OllamaChatRequest) => ScriptedReply;

interface OllamaMessage {
  role: 'assistant';
  content: string;
  tool_calls?: Array<{ function: { name: string; arguments: Record<string, unknown> } }>;
}

export interface OllamaChatResponse {
  model: string;
  created_at: string;
  message: OllamaMessage;
  done: true;
  done_reason: 'stop';
  prompt_eval_count: number;
  eval_count: number;
}

/** A finished `/api/chat` answer with text and/or tool calls (Ollama ends tool calls with `stop` too). */
export function ollamaMessage(
  text: string | null,
  toolCalls: Array<{ name: string; args: Record<string, unknown> }> = [],
  model = 'fake-llama',
): OllamaChatResponse {
  return {
    model,
    created_at: new Date().toISOString(),
    message: {
      role: 'assistant',
      content: text ?? '',
      ...(toolCalls.length
        ? { tool_calls: toolCalls.map((c) => ({ function: { name: c.name, arguments: c.args } })) }
        : {}),
    },
    done: true,
    done_reason: 'stop',
    prompt_eval_count: 10,
    eval_count: 5,
  };
}

/**
 * The same answer as the NDJSON lines `stream: true` receives: the text a few characters at a time,
 * the tool calls in one message, then an empty message carrying `done` and the token counts.
 */
function toLines(body: OllamaChatResponse): string {
  const { model, created_at, message } = body;
  const line = (fields: object) => `${JSON.stringify(fields)}\n`;
  const partial = (content: string, extra: Partial<OllamaMessage> = {}) =>
    line({ model, created_at, message: { role: 'assistant', content, ...extra }, done: false });
  const lines: string[] = [];
  for (let i = 0; i < message.content.length; i += 4) lines.push(partial(message.content.slice(i, i + 4)));
  if (message.tool_calls) lines.push(partial('', { tool_calls: message.tool_calls }));
  lines.push(line({ ...body, message: { role: 'assistant', content: '' } }));
  return lines.join('');
}

/**
 * A local Ollama server (`POST /api/chat`) answering from a script,
 * so tests drive the real `@langchain/ollama` client without running a model.
 */
export class FakeOllamaServer {
  readonly requests: OllamaChatRequest[] = [];
  /** Requests whose client hung up before the answer was sent. */
  abandoned = 0;
  private replies: Script[] = [];
  private server?: Server;

  /** Queues replies, consumed one per request in order. */
  enqueue(...replies: Array<ScriptedReply | Script>): void {
    this.replies.push(...replies.map((r) => (typeof r === 'function' ? r : () => r)));
  }

  /** The origin, as ChatOllama's `baseUrl` expects: the client appends `/api/chat` itself. */
  get baseUrl(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/api/chat') {
      res.writeHead(404).end();
      return;
    }
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OllamaChatRequest;
    this.requests.push(request);
    const script = this.replies.shift();
    const reply = script ? script(request) : { status: 500, body: { error: 'no scripted reply left' } };
    res.once('close', () => {
      if (!res.writableFinished) this.abandoned++;
    });
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    const status = reply.status ?? 200;
    const body = reply.body ?? (status === 200 ? ollamaMessage('ok') : { error: STATUS_CODES[status] ?? 'error' });
    // Like the real server, a request that doesn't say `stream: false` is streamed.
    if (request.stream !== false && status === 200) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson', ...reply.headers });
      res.end(toLines(body as OllamaChatResponse));
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(body));
  }
}
