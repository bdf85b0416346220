import { STATUS_CODES } from 'node:http';
import { ScriptedModelServer } from './scripted-model.server';

export interface OllamaChatRequest {
  model: string;
  messages: Array<{ role: string; content: string; tool_calls?: unknown[]; images?: string[] }>;
  tools?: Array<{ type: string; function: { name: string } }>;
  options?: Record<string, unknown>;
  stream?: boolean;
}

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

/** A local Ollama server (`POST /api/chat`, the native API) answering from a script. */
export class FakeOllamaServer extends ScriptedModelServer<OllamaChatRequest> {
  constructor() {
    super({
      path: '/api/chat',
      defaultBody: (status) => (status === 200 ? ollamaMessage('ok') : { error: STATUS_CODES[status] ?? 'error' }),
      // Like the real server, a request that doesn't say `stream: false` is streamed.
      stream: (request, body) =>
        request.stream !== false ? { contentType: 'application/x-ndjson', payload: toLines(body as OllamaChatResponse) } : undefined,
    });
  }

  /** The origin, as ChatOllama's `baseUrl` expects: the client appends `/api/chat` itself. */
  get baseUrl(): string {
    return this.origin;
  }
}
