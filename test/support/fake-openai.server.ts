import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatCompletionRequest {
  model: string;
  messages: Array<{ role: string; content: unknown; tool_calls?: unknown[]; tool_call_id?: string }>;
  tools?: Array<{ type: string; function: { name: string } }>;
  stream?: boolean;
  /** Provider switches (LLM_EXTRA_BODY) arrive as further fields. */
  [extra: string]: unknown;
}

export interface ScriptedReply {
  status?: number;
  body?: unknown;
  /** Sent verbatim instead of `body`, streamed or not: for answers that are not JSON at all. */
  raw?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

type Script = (request: ChatCompletionRequest) => ScriptedReply;

/** A chat.completion body with either text or tool calls. */
export function completion(
  content: string | null,
  toolCalls: Array<{ id: string; name: string; args: Record<string, unknown> }> = [],
  model = 'fake-model',
) {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        finish_reason: toolCalls.length ? 'tool_calls' : 'stop',
        message: {
          role: 'assistant',
          content,
          ...(toolCalls.length
            ? {
                tool_calls: toolCalls.map((c) => ({
                  id: c.id,
                  type: 'function',
                  function: { name: c.name, arguments: JSON.stringify(c.args) },
                })),
              }
            : {}),
        },
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

/**
 * A local OpenAI-compatible server (`POST /v1/chat/completions`) answering from a script,
 * so tests drive the real `@langchain/openai` client without reaching any provider.
 */
/** The same completion as chat.completion.chunk events, the way `stream: true` receives it. */
function toChunks(body: ReturnType<typeof completion>): string {
  const { message, finish_reason } = body.choices[0];
  const base = { id: body.id, object: 'chat.completion.chunk', created: body.created, model: body.model };
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const text = message.content ?? '';
  const parts = [chunk({ role: 'assistant', content: '' })];
  for (let i = 0; i < text.length; i += 4) parts.push(chunk({ content: text.slice(i, i + 4) }));
  (message.tool_calls ?? []).forEach((call, index) => parts.push(chunk({ tool_calls: [{ index, ...call }] })));
  parts.push(chunk({}, finish_reason), 'data: [DONE]\n\n');
  return parts.join('');
}

export class FakeOpenAIServer {
  readonly requests: ChatCompletionRequest[] = [];
  /** Requests whose client hung up before the answer was sent. */
  abandoned = 0;
  private replies: Script[] = [];
  private server?: Server;

  /** Forgets the requests seen and the replies not used yet. */
  reset(): void {
    this.requests.splice(0);
    this.replies = [];
  }

  /** Queues replies, consumed one per request in order. */
  enqueue(...replies: Array<ScriptedReply | Script>): void {
    this.replies.push(...replies.map((r) => (typeof r === 'function' ? r : () => r)));
  }

  get baseUrl(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}/v1`;
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
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404).end();
      return;
    }
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatCompletionRequest;
    this.requests.push(request);
    const script = this.replies.shift();
    const reply = script ? script(request) : { status: 500, body: { error: { message: 'no scripted reply left' } } };
    res.once('close', () => {
      if (!res.writableFinished) this.abandoned++;
    });
    // A client that hangs up ends the wait (no timer outlives the test).
    if (reply.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, reply.delayMs);
        res.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    if (res.destroyed) return;
    const status = reply.status ?? 200;
    if (reply.raw !== undefined) {
      res.writeHead(status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.raw);
      return;
    }
    if (request.stream && status === 200) {
      res.writeHead(200, { 'content-type': 'text/event-stream', ...reply.headers });
      res.end(toChunks((reply.body ?? completion('ok')) as ReturnType<typeof completion>));
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body ?? completion('ok')));
  }
}
