import { STATUS_CODES } from 'node:http';
import { ScriptedModelServer } from './scripted-model.server';

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  system?: unknown;
  messages: Array<{ role: string; content: unknown }>;
  tools?: Array<{ name: string; description?: string; input_schema: unknown }>;
  stream?: boolean;
}

type ContentBlock =
  { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ContentBlock[];
  stop_reason: 'tool_use' | 'end_turn';
  stop_sequence: null;
  usage: { input_tokens: number; output_tokens: number };
}

/** A Messages API `message` body with a text block and/or tool_use blocks. */
export function anthropicMessage(
  text: string | null,
  toolUses: Array<{ id: string; name: string; input: Record<string, unknown> }> = [],
  model = 'fake-claude',
): AnthropicMessage {
  return {
    id: `msg_${Math.random().toString(36).slice(2)}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [
      ...(text !== null ? [{ type: 'text' as const, text }] : []),
      ...toolUses.map((use) => ({ type: 'tool_use' as const, ...use })),
    ],
    stop_reason: toolUses.length ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5 },
  };
}

/** The API's error type for a status, so the SDK raises the same error class as against the real API. */
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

/** The error body the Messages API sends with a non-200 status. */
export function anthropicError(status: number, message = STATUS_CODES[status] ?? 'error') {
  return { type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } };
}

function pieces(text: string, size: number): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

/**
 * The same message as the server-sent events `stream: true` receives. message_start reports no output
 * tokens, since LangChain adds them to message_delta's, so a streamed turn totals the same usage.
 */
function toEvents(body: AnthropicMessage): string {
  const event = (data: { type: string; [field: string]: unknown }) =>
    `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
  const { content, stop_reason, usage, ...message } = body;
  const parts = [
    event({
      type: 'message_start',
      message: {
        ...message,
        content: [],
        stop_reason: null,
        usage: { input_tokens: usage.input_tokens, output_tokens: 0 },
      },
    }),
    event({ type: 'ping' }),
  ];
  content.forEach((block, index) => {
    if (block.type === 'text') {
      parts.push(event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      for (const text of pieces(block.text, 4))
        parts.push(event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }));
    } else {
      parts.push(event({ type: 'content_block_start', index, content_block: { ...block, input: {} } }));
      for (const partial_json of pieces(JSON.stringify(block.input), 8))
        parts.push(event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }));
    }
    parts.push(event({ type: 'content_block_stop', index }));
  });
  parts.push(
    event({
      type: 'message_delta',
      delta: { stop_reason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }),
    event({ type: 'message_stop' }),
  );
  return parts.join('');
}

/** A local Anthropic Messages API server (`POST /v1/messages`) answering from a script. */
export class FakeAnthropicServer extends ScriptedModelServer<MessagesRequest> {
  constructor() {
    super({
      // The beta client (used when betas are set) calls the same path with `?beta=true`.
      path: '/v1/messages',
      defaultBody: (status) => (status === 200 ? anthropicMessage('ok') : anthropicError(status)),
      stream: (request, body) => (request.stream ? { contentType: 'text/event-stream', payload: toEvents(body as AnthropicMessage) } : undefined),
    });
  }

  /** The origin, as `anthropicApiUrl` expects: the SDK appends `/v1/messages` itself. */
  get baseUrl(): string {
    return this.origin;
  }
}
