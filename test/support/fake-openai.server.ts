import { STATUS_CODES } from 'node:http';
import { type ScriptedReply, ScriptedModelServer } from './scripted-model.server';

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

const invalidRequest = (message: string, param: string): ScriptedReply => ({
  status: 400,
  body: { error: { message, type: 'invalid_request_error', param, code: null } },
});

/**
 * The 400 OpenAI answers a conversation it refuses: an assistant's tool calls not all answered by
 * the tool messages that follow it, or a tool message with anything but text.
 */
export function openAIRefusal({ messages }: ChatCompletionRequest): ScriptedReply | undefined {
  for (let i = 0; i < messages.length; i++) {
    const { role, content } = messages[i];
    const parts = Array.isArray(content) ? (content as Array<{ type?: string }>) : [];
    const nonText = parts.findIndex((p) => p.type !== 'text');
    if (role === 'tool' && nonText >= 0) {
      return invalidRequest(`Invalid value: '${parts[nonText].type}'. Supported values are: 'text'.`, `messages[${i}].content[${nonText}].type`);
    }
    const calls = (messages[i].tool_calls ?? []) as Array<{ id: string }>;
    if (role !== 'assistant' || calls.length === 0) continue;
    const answered = new Set<string | undefined>();
    for (let j = i + 1; j < messages.length && messages[j].role === 'tool'; j++) answered.add(messages[j].tool_call_id);
    const missing = calls.map((c) => c.id).filter((id) => !answered.has(id));
    if (missing.length === 0) continue;
    return invalidRequest(
      "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. " +
        `The following tool_call_ids did not have response messages: ${missing.join(', ')}`,
      `messages.[${i + 1}].role`,
    );
  }
  return undefined;
}

/**
 * A local OpenAI-compatible server (`POST /v1/chat/completions`) answering from a script. It
 * refuses, as OpenAI does, a conversation with an unanswered tool call or a tool result that is not text.
 */
export class FakeOpenAIServer extends ScriptedModelServer<ChatCompletionRequest> {
  constructor() {
    super({
      path: '/v1/chat/completions',
      defaultBody: (status) => (status === 200 ? completion('ok') : { error: { message: STATUS_CODES[status] ?? 'error' } }),
      stream: (request, body) =>
        request.stream ? { contentType: 'text/event-stream', payload: toChunks(body as ReturnType<typeof completion>) } : undefined,
      refuse: openAIRefusal,
    });
  }

  /** The base URL the OpenAI client takes (`…/v1`). */
  get baseUrl(): string {
    return `${this.origin}/v1`;
  }
}
