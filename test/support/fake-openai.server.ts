import { STATUS_CODES } from 'node:http';
import { ScriptedModelServer } from './scripted-model.server';

export interface ChatCompletionRequest {
  model: string;
  messages: Array<{ role: string; content: unknown; tool_calls?: unknown[]; tool_call_id?: string }>;
  tools?: Array<{ type: string; function: { name: string } }>;
  stream?: boolean;
  /** Provider switches (LLM_EXTRA_BODY) arrive as further fields. */
  [extra: string]: unknown;
}

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

/** A local OpenAI-compatible server (`POST /v1/chat/completions`) answering from a script. */
export class FakeOpenAIServer extends ScriptedModelServer<ChatCompletionRequest> {
  constructor() {
    super({
      path: '/v1/chat/completions',
      defaultBody: (status) => (status === 200 ? completion('ok') : { error: { message: STATUS_CODES[status] ?? 'error' } }),
      stream: (request, body) =>
        request.stream ? { contentType: 'text/event-stream', payload: toChunks(body as ReturnType<typeof completion>) } : undefined,
    });
  }

  /** The base URL the OpenAI client takes (`…/v1`). */
  get baseUrl(): string {
    return `${this.origin}/v1`;
  }
}
